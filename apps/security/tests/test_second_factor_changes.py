"""Changing one's own second factor: replacing the authenticator and making new backup
codes need a proof (a current code or the password) in the same request, wrong proofs
count as failed sign-ins, each change is logged, and passing the code step re-keys the
session (its "My sessions" row follows)."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone, translation
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core.texts import text_shown
from apps.security import otp
from apps.security.models import LoginEvent, SecurityAction, UserSession
from tests.otp import code_for, device_for

ENROLL = "/admin/enroll/"
BACKUP = "/admin/backup-codes/"
PASSWORD = "pw-for-tests-1"
Outcome = LoginEvent.Outcome


@pytest.fixture
def hr(hr):
    """The shared HR persona, with backup codes."""
    otp._backup_codes_new(hr)
    return hr


@pytest.fixture
def signed_in(client, hr):
    client.force_login(hr)  # password and code passed
    return client


def pending(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def old_state(user) -> tuple:
    return (
        list(TOTPDevice.objects.filter(user=user, confirmed=True).values_list("pk", flat=True)),
        sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)),
    )


def no_devices(user) -> None:
    """As a new account, or after an officer's reset."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def replace(client, user, *, proof: str | None = None):
    client.get(ENROLL)  # the page that shows the new key
    data = {"code": code_for(pending(user))}
    if proof is not None:
        data["password"] = proof
    return client.post(ENROLL, data)


def test_the_backup_codes_page_asks_for_a_proof(signed_in):
    page = signed_in.get(BACKUP).content.decode()
    assert 'name="password"' in page
    assert "Your password or a current code" in page


# --- Replacing the authenticator --------------------------------------------------------


def test_the_replacement_page_asks_for_a_proof(signed_in):
    page = signed_in.get(ENROLL).content.decode()
    assert "This replaces your current authenticator app and backup codes." in page
    assert 'name="password"' in page


def test_replacing_without_a_proof_is_refused_and_changes_nothing(signed_in, hr):
    before = old_state(hr)
    response = replace(signed_in, hr)
    assert response.status_code == 400
    assert 'name="password"' in response.content.decode()
    assert old_state(hr) == before
    assert not pending(hr).confirmed
    assert not SecurityAction.objects.exists()


@pytest.mark.parametrize(
    ("proof", "outcome"), [("not-my-password", Outcome.BAD_PASSWORD), ("000000", Outcome.BAD_CODE)]
)
def test_a_wrong_proof_is_refused_counted_and_recorded(signed_in, hr, proof, outcome):
    before = old_state(hr)
    response = replace(signed_in, hr, proof=proof)
    assert response.status_code == 400
    assert "neither a current code nor your password" in response.content.decode()
    assert old_state(hr) == before
    assert not SecurityAction.objects.exists()
    assert AccessAttempt.objects.get(username="hr").failures_since_start == 1
    assert list(LoginEvent.objects.values_list("outcome", flat=True)) == [outcome]


def test_five_wrong_proofs_lock_and_sign_the_session_out(signed_in, hr):
    for _ in range(4):
        assert replace(signed_in, hr, proof="not-my-password").status_code == 400
    locked = replace(signed_in, hr, proof="not-my-password")
    assert locked.status_code == 429
    assert signed_in.get("/admin/")["Location"].startswith("/admin/login/")
    assert TOTPDevice.objects.filter(user=hr, confirmed=True).count() == 1


def test_the_password_as_proof_replaces_the_authenticator_and_is_logged(signed_in, hr):
    old_device, old_codes = old_state(hr)
    response = replace(signed_in, hr, proof=PASSWORD)
    assert response.status_code == 200
    assert 'data-testid="backup-code-list"' in response.content.decode()
    new_device, new_codes = old_state(hr)
    assert new_device != old_device
    assert len(new_device) == 1
    assert set(new_codes).isdisjoint(old_codes)
    action = SecurityAction.objects.get()
    assert (action.kind, action.actor, action.user, action.reason) == (
        SecurityAction.Kind.DEVICE_REPLACED,
        hr,
        hr,
        "confirmed with the password",
    )
    assert signed_in.get("/admin/").status_code == 200  # verified with the new device


def test_a_current_code_as_proof_replaces_the_authenticator(signed_in, hr):
    response = replace(signed_in, hr, proof=code_for(device_for(hr)))
    assert response.status_code == 200
    assert SecurityAction.objects.get().reason == "confirmed with a current code"


def test_a_backup_code_as_proof_is_used_up(signed_in, hr):
    code = StaticToken.objects.filter(device__user=hr).first().token
    assert replace(signed_in, hr, proof=code).status_code == 200
    assert not StaticToken.objects.filter(device__user=hr, token=code).exists()
    assert SecurityAction.objects.get().reason == "confirmed with a current code"


def test_the_first_set_up_needs_no_proof_and_is_logged(client, hr):
    no_devices(hr)
    client.post("/admin/login/", {"username": "hr", "password": PASSWORD})
    page = client.get(ENROLL).content.decode()
    assert 'name="password"' not in page
    response = client.post(ENROLL, {"code": code_for(pending(hr))})
    assert response.status_code == 200
    action = SecurityAction.objects.get()
    assert (action.kind, action.actor, action.user) == (
        SecurityAction.Kind.DEVICE_ENROLLED,
        hr,
        hr,
    )
    assert list(LoginEvent.objects.values_list("outcome", flat=True)) == [Outcome.SUCCESS]


# --- New backup codes -------------------------------------------------------------------


def test_new_backup_codes_without_a_proof_are_refused(signed_in, hr):
    before = old_state(hr)
    response = signed_in.post(BACKUP, {})
    assert response.status_code == 400
    assert old_state(hr) == before
    assert not SecurityAction.objects.exists()


def test_new_backup_codes_with_a_wrong_proof_are_refused_and_counted(signed_in, hr):
    before = old_state(hr)
    response = signed_in.post(BACKUP, {"password": "not-my-password"})
    assert response.status_code == 400
    assert "neither a current code nor your password" in response.content.decode()
    assert old_state(hr) == before
    assert AccessAttempt.objects.get(username="hr").failures_since_start == 1
    assert list(LoginEvent.objects.values_list("outcome", flat=True)) == [Outcome.BAD_PASSWORD]


def test_new_backup_codes_with_the_password_are_made_and_logged(signed_in, hr):
    _device, old_codes = old_state(hr)
    response = signed_in.post(BACKUP, {"password": PASSWORD})
    assert response.status_code == 200
    _device, new_codes = old_state(hr)
    assert len(new_codes) == otp.BACKUP_CODE_COUNT
    assert set(new_codes).isdisjoint(old_codes)
    for code in new_codes:
        assert code in response.content.decode()
    action = SecurityAction.objects.get()
    assert (action.kind, action.actor, action.user, action.reason) == (
        SecurityAction.Kind.BACKUP_CODES,
        hr,
        hr,
        "confirmed with the password",
    )


def test_new_backup_codes_with_a_current_code(signed_in, hr):
    response = signed_in.post(BACKUP, {"password": code_for(device_for(hr))})
    assert response.status_code == 200
    assert SecurityAction.objects.get().reason == "confirmed with a current code"


def test_the_service_refuses_without_a_proof(hr):
    before = old_state(hr)
    with pytest.raises(otp.IdentityNotConfirmed):
        otp.backup_codes_regenerate(user=hr, proof="")
    with pytest.raises(otp.IdentityNotConfirmed):
        otp.totp_confirm(user=hr, device=otp.totp_pending(hr), code="123456", proof="")
    assert old_state(hr) == before


# --- The session key after the code step ------------------------------------------------


def password_step(client: Client) -> str:
    client.post("/admin/login/", {"username": "hr", "password": PASSWORD})
    return client.session.session_key


def test_the_code_step_gives_the_session_a_new_key_and_its_row_follows(client, hr):
    before = password_step(client)
    assert UserSession.objects.get(user=hr).session_key == before
    assert client.post("/admin/verify/", {"code": code_for(device_for(hr))}).status_code == 302
    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    row = UserSession.objects.get(user=hr)
    assert (row.session_key, row.ended_at) == (after, None)
    mine = client.get("/admin/sessions/").content.decode()
    assert mine.count('data-testid="session-row"') == 1
    assert 'data-testid="session-current"' in mine


def test_the_first_set_up_gives_the_session_a_new_key_and_its_row_follows(client, hr):
    no_devices(hr)
    before = password_step(client)
    client.get(ENROLL)
    assert client.post(ENROLL, {"code": code_for(pending(hr))}).status_code == 200
    after = client.session.session_key
    assert after != before
    assert UserSession.objects.get(user=hr).session_key == after
    assert client.get("/admin/").status_code == 200


def test_a_refused_code_keeps_the_key(client, hr):
    before = password_step(client)
    client.post("/admin/verify/", {"code": "000000"})
    assert client.session.session_key == before
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
        client.post("/admin/verify/", {"code": code_for(device_for(hr))})
    assert client.session.session_key != before


def test_a_wrong_proof_is_not_kept_in_clear_with_the_failure(signed_in, hr):
    signed_in.post(BACKUP, {"password": "my-old-password-1"})
    replace(signed_in, hr, proof="my-other-password-2")
    kept = AccessAttempt.objects.get(username="hr").post_data
    assert "my-old-password-1" not in kept
    assert "my-other-password-2" not in kept


def test_the_logged_proof_is_kept_untranslated_when_made_in_chinese(signed_in, hr):
    # The reason is kept as its msgid and shown in each reader's language, not in the
    # language of whoever made the change.
    signed_in.cookies["django_language"] = "zh-hans"
    assert replace(signed_in, hr, proof=code_for(device_for(hr))).status_code == 200
    logged = SecurityAction.objects.get()
    assert logged.reason == "confirmed with a current code"
    with translation.override("zh-hans"):
        assert text_shown(logged.reason) == "已用当前验证码确认"
