"""The second step, enrollment, lockout and the client address: refusals and bad input."""

import datetime
import json
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.access.roles import AUDITOR, HR, MANAGER, SECURITY_OFFICER
from apps.security import otp
from apps.security.models import LoginEvent
from apps.security.network import client_ip
from tests.otp import code_for, device_for

VERIFY = "/admin/verify/"
LOGIN = "/admin/login/"
PASSWORD = "pw-for-tests-1"


def sign_in(client: Client, username: str, *, ip: str = "10.0.0.1", **headers: str):
    return client.post(
        LOGIN,
        {"username": username, "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR=ip,
        **headers,
    )


def send_code(client: Client, code: str, *, ip: str = "10.0.0.1", **headers: str):
    return client.post(VERIFY, {"code": code, "next": "/admin/"}, REMOTE_ADDR=ip, **headers)


def test_the_password_alone_reaches_only_the_code_step(client, hr):
    response = sign_in(client, "hr")
    assert response.status_code == 302
    for url in ("/admin/", "/admin/org/employee/", "/admin/org/employee/me/"):
        blocked = client.get(url, REMOTE_ADDR="10.0.0.1")
        assert blocked.status_code == 302
        assert blocked["Location"].startswith(VERIFY)
    assert client.post("/admin/org/employee/", {}, REMOTE_ADDR="10.0.0.1").status_code == 302


def test_a_right_code_completes_the_sign_in_and_clears_the_failures(client, hr):
    sign_in(client, "hr")
    send_code(client, "000000")
    assert AccessAttempt.objects.get(username="hr").failures_since_start == 1
    # django-otp throttles a device for a second after a failure; a person types slower.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
        response = send_code(client, code_for(device_for(hr)))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert not AccessAttempt.objects.filter(username="hr").exists()


def test_a_replayed_code_in_the_same_time_step_is_refused(hr):
    code = code_for(device_for(hr))
    first, second = Client(), Client()
    sign_in(first, "hr")
    assert send_code(first, code).status_code == 302
    sign_in(second, "hr")
    response = send_code(second, code)
    assert response.status_code == 400
    body = response.content.decode()
    assert "That code was already used. Wait for the next code" in body
    event = LoginEvent.objects.filter(username="hr").latest("at", "id")
    assert (event.outcome, event.risk_reasons) == ("bad_code", ["otp.code_reused"])
    assert AccessAttempt.objects.get(username="hr").failures_since_start == 1  # still a failure


def test_a_reused_code_tells_only_what_a_code_that_was_just_shown_tells(hr):
    """A wrong code, an old code and a code from a later step: the usual refusal. Only the
    code of a used step says so; all are failures, with the same status."""
    device = device_for(hr)
    code = code_for(device)
    first = Client()
    sign_in(first, "hr")
    assert send_code(first, code).status_code == 302
    device.refresh_from_db()
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    clock.time = device.t0 + (device.last_t - 5) * device.step
    stale = f"{clock.token():06d}"
    for wrong in ("000000", stale, "abcdefgh"):
        other = Client()
        sign_in(other, "hr")
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
            response = send_code(other, wrong)
        assert response.status_code == 400
        body = response.content.decode()
        assert "already used. Wait" not in body, wrong
    assert not otp.code_reused(hr, "abcdefgh")
    assert otp.code_reused(hr, code)
    assert not otp.code_reused(hr, stale)


def test_a_reused_code_in_chinese(hr):
    code = code_for(device_for(hr))
    first, second = Client(), Client()
    sign_in(first, "hr")
    assert send_code(first, code).status_code == 302
    sign_in(second, "hr")
    response = send_code(second, code, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "该验证码已使用过" in response.content.decode()


@pytest.mark.parametrize(
    "code",
    [
        "12345",
        "1234567",
        "12 34 56",
        " 1 2 3 4 5 6",
        "123-456",
        "１２３４５６",
        "abc",
        "",
        "9" * 5000,
    ],
)
def test_malformed_codes_are_form_errors_that_count_as_failures(client, hr, code):
    sign_in(client, "hr")
    response = send_code(client, code)
    assert response.status_code == 400
    assert AccessAttempt.objects.get(username="hr").failures_since_start == 1


def test_a_code_is_accepted_as_the_app_shows_it_with_its_middle_space(client, hr):
    sign_in(client, "hr")
    code = code_for(device_for(hr))
    assert send_code(client, f"{code[:3]} {code[3:]}").status_code == 302


def test_a_backup_code_works_once(hr):
    codes = otp._backup_codes_new(hr)
    first, second = Client(), Client()
    sign_in(first, "hr")
    assert send_code(first, codes[0].upper()).status_code == 302  # case does not matter
    sign_in(second, "hr")
    assert send_code(second, codes[0]).status_code == 400
    assert StaticToken.objects.filter(device__user=hr).count() == 9


def test_five_wrong_codes_lock_and_the_lockout_holds_for_the_password_too(client, hr):
    sign_in(client, "hr")
    for _ in range(4):
        assert send_code(client, "000000").status_code == 400
    locked = send_code(client, "000000")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # The half-signed-in session is gone, and the password step is refused too.
    assert client.get("/admin/", REMOTE_ADDR="10.0.0.1").status_code == 302
    again = sign_in(Client(), "hr")
    assert again.status_code == 429


def test_a_password_success_does_not_reset_the_wrong_codes(client, hr):
    for _ in range(2):
        sign_in(client, "hr")
        send_code(client, "000000")
        send_code(client, "000000")
    assert sign_in(client, "hr").status_code == 302
    assert send_code(client, "000000").status_code == 429


def test_one_ip_is_locked_across_usernames_at_the_higher_threshold(db, settings, roles):
    settings.LOCKOUT_LIMITS = [5, 8]
    for i in range(8):
        Client().post(LOGIN, {"username": f"guess{i}", "password": "nope"}, REMOTE_ADDR="10.9.9.9")
    response = Client().post(LOGIN, {"username": "other", "password": "x"}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    elsewhere = Client().post(LOGIN, {"username": "other", "password": "x"}, REMOTE_ADDR="10.9.9.8")
    assert elsewhere.status_code == 200


def test_a_forged_forwarded_for_does_not_change_the_ip(client, hr, rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.1"
    sign_in(client, "hr")
    for i in range(5):
        send_code(client, "000000", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}


def test_behind_one_trusted_proxy_the_last_forwarded_address_counts(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_ip(spoofed) == "198.51.100.7"
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(garbage) == "10.0.0.1"


def test_behind_two_trusted_proxies_the_address_the_outer_one_saw_counts(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    chain = "6.6.6.6, 198.51.100.7, 10.0.0.9"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=chain)) == (
        "198.51.100.7"
    )
    # Fewer entries than proxies: the header did not come through ours.
    short = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(short) == "10.0.0.1"
    ipv6 = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8::7, 10.0.0.9")
    assert client_ip(ipv6) == "2001:db8::7"


@pytest.mark.parametrize("username", ["u" * 5000, "a\x00b", "名" * 300])
def test_an_over_long_or_hostile_username_is_a_form_error_not_a_500(client, db, username):
    response = client.post(LOGIN, {"username": username, "password": "x"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter a correct username and password" in body or "Null characters" in body
    assert all(len(a.username) <= 150 for a in AccessAttempt.objects.all())


def test_staff_without_a_device_signs_in_with_the_password_only(client, make_user):
    make_user("staff")
    sign_in(client, "staff")
    assert client.get("/admin/", REMOTE_ADDR="10.0.0.1").status_code == 200


def test_staff_who_enrolled_must_give_the_code(client, make_user):
    staff = make_user("staff")
    TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    sign_in(client, "staff")
    assert client.get("/admin/", REMOTE_ADDR="10.0.0.1")["Location"].startswith(VERIFY)


def test_enrollment_refuses_a_wrong_code_and_keeps_the_device_unconfirmed(client, hr):
    TOTPDevice.objects.filter(user=hr).delete()
    sign_in(client, "hr")
    assert client.get("/admin/", REMOTE_ADDR="10.0.0.1")["Location"].startswith("/admin/enroll/")
    page = client.get("/admin/enroll/")
    assert "<svg" in page.content.decode()
    response = client.post("/admin/enroll/", {"code": "000000"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=hr, confirmed=True).exists()


def test_the_next_parameter_cannot_send_people_elsewhere(client, hr):
    sign_in(client, "hr")
    response = client.post(
        VERIFY, {"code": code_for(device_for(hr)), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


ENFORCED = {
    "admin": None,
    "hr": HR,
    "manager": MANAGER,
    "security": SECURITY_OFFICER,
    "auditor": AUDITOR,
}


def _admin_urls() -> list[str]:
    urls = ["/admin/", "/admin/org/employee/me/", "/admin/org/department/tree/"]
    for model in admin.site._registry:
        opts = model._meta
        urls += [
            f"/admin/{opts.app_label}/{opts.model_name}/",
            f"/admin/{opts.app_label}/{opts.model_name}/add/",
        ]
    return urls


@pytest.mark.parametrize("persona", sorted(ENFORCED))
def test_no_enforced_role_reaches_any_admin_page_before_the_code(client, make_user, persona):
    make_user(persona)
    sign_in(client, persona)
    for url in _admin_urls():
        response = client.get(url, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url


def test_seed_demo_writes_the_secrets_of_the_accounts_that_need_them(tmp_path, db):
    target = tmp_path / "secrets.json"
    call_command("seed_demo", password="pw-demo-9", otp_secrets=str(target))
    secrets = json.loads(target.read_text())
    assert set(secrets) == {"admin", "hr", "manager", "security", "auditor"}
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    call_command("seed_demo", password="pw-demo-9", otp_secrets=str(target))
    assert json.loads(target.read_text()) == secrets  # idempotent: the same devices


def test_otp_code_prints_what_the_device_accepts(tmp_path, db, capsys):
    target = tmp_path / "secrets.json"
    call_command("seed_demo", password="pw-demo-9", otp_secrets=str(target))
    capsys.readouterr()
    call_command("otp_code", "hr", secrets=str(target))
    code = capsys.readouterr().out.strip()
    device = TOTPDevice.objects.get(user__username="hr")
    assert device.verify_token(code)


@pytest.mark.parametrize("content", ["not json", "[]", '{"hr": 5}', "{}"])
def test_otp_code_refuses_a_bad_secrets_file(tmp_path, content):
    from django.core.management.base import CommandError

    target = tmp_path / "secrets.json"
    target.write_text(content)
    with pytest.raises(CommandError):
        call_command("otp_code", "hr", secrets=str(target))


def test_an_emailed_code_is_the_fallback(client, hr, mailoutbox):
    from django_otp.plugins.otp_email.models import EmailDevice

    hr.email = "hr@example.com"
    hr.save()
    EmailDevice.objects.create(user=hr, name=otp.EMAIL, confirmed=True)
    sign_in(client, "hr")
    page = client.get(VERIFY, REMOTE_ADDR="10.0.0.1")
    assert "E-mail me a code instead" in page.content.decode()
    client.post(VERIFY, {"send_email": "1"}, REMOTE_ADDR="10.0.0.1")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["hr@example.com"]
    code = re.search(r"\b(\d{6})\b", mailoutbox[0].body).group(1)
    assert send_code(client, code).status_code == 302
    assert client.get("/admin/", REMOTE_ADDR="10.0.0.1").status_code == 200


def test_enrollment_gives_an_email_device_to_people_with_an_address(client, hr):
    from django_otp.plugins.otp_email.models import EmailDevice

    hr.email = "hr@example.com"
    hr.save()
    TOTPDevice.objects.filter(user=hr).delete()
    device = otp.totp_pending(hr)
    codes = otp.totp_confirm(user=hr, device=device, code=code_for(device))
    assert len(codes) == 10
    assert EmailDevice.objects.filter(user=hr, confirmed=True).exists()
