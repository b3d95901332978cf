"""Security officers: the lockout list, unlocking and resetting devices, each with a reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core.texts import text_shown
from apps.security import lockout, otp
from apps.security.models import Lockout, SecurityAction

LOCKOUTS = "/admin/security/lockout/"
EMPLOYEES = "/admin/org/employee/"


@pytest.fixture
def officer(make_user):
    return make_user("security")


@pytest.fixture
def locked(db):
    return Lockout.objects.create(
        username="hr", ip_address="10.0.0.1", user_agent="x", failures_since_start=5
    )


def test_unlocking_needs_a_reason_and_is_logged(officer, locked, make_user):
    hr = make_user("hr")
    with pytest.raises(ValidationError, match="reason"):
        lockout.lockout_unlock(actor=officer, attempts=Lockout.objects.all(), reason=" ")
    assert Lockout.objects.exists()
    lockout.lockout_unlock(actor=officer, attempts=Lockout.objects.all(), reason="verified")
    assert not Lockout.objects.exists()
    action = SecurityAction.objects.get()
    assert (action.kind, action.actor, action.user, action.reason) == (
        "unlock",
        officer,
        hr,
        "verified",
    )
    assert action.target == "hr @ 10.0.0.1"


@pytest.mark.parametrize("persona", ["hr", "manager", "auditor", "staff"])
def test_only_officers_see_the_lockouts(client, make_user, locked, persona):
    client.force_login(make_user(persona))
    assert client.get(LOCKOUTS).status_code == 403


@pytest.mark.parametrize(
    "q", ["10.0.0.1", "hr", "' OR 1=1 --", "10.0.0.", "::1", "x" * 5000, "%00"]
)
def test_the_lockout_search_takes_any_input(client, officer, locked, q):
    client.force_login(officer)
    response = client.get(LOCKOUTS, {"q": q})
    assert response.status_code == 200
    found = "hr @ 10.0.0.1" in response.content.decode() or "10.0.0.1" in response.content.decode()
    assert found == (q in ("10.0.0.1", "hr"))


def test_the_unlock_action_asks_for_a_reason_first(client, officer, locked):
    client.force_login(officer)
    action = {"action": "unlock_selected", "_selected_action": [str(locked.pk)]}
    asked = client.post(LOCKOUTS, action)
    assert "Clear these failures" in asked.content.decode()
    client.post(LOCKOUTS, {**action, "post": "yes", "reason": ""})
    assert Lockout.objects.exists()
    client.post(LOCKOUTS, {**action, "post": "yes", "reason": "called in"})
    assert not Lockout.objects.exists()


def test_a_device_reset_sends_the_person_back_to_enrollment(client, officer, make_user):
    manager = make_user("manager")
    otp._backup_codes_new(manager)
    with pytest.raises(ValidationError, match="reason"):
        otp.devices_reset(actor=officer, user=manager, reason="")
    with pytest.raises(ValidationError, match="your own"):
        otp.devices_reset(actor=officer, user=officer, reason="lost phone")
    manager_client = client
    manager_client.force_login(manager)  # verified with the device about to go
    assert manager_client.get("/admin/").status_code == 200
    assert otp.devices_reset(actor=officer, user=manager, reason="lost phone") == 2
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    response = manager_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/enroll/")
    assert SecurityAction.objects.get(kind="devices_reset").reason == "lost phone"


@pytest.mark.parametrize("persona", ["hr", "admin", "security"])
def test_an_officer_cannot_reset_the_devices_of_someone_of_equal_or_higher_rank(
    officer, make_user, persona
):
    target = make_user(persona, username=f"target-{persona}")
    otp._backup_codes_new(target)
    with pytest.raises(ValidationError, match="same or a higher rank"):
        otp.devices_reset(actor=officer, user=target, reason="lost phone")
    assert TOTPDevice.objects.filter(user=target, confirmed=True).exists()
    assert StaticDevice.objects.filter(user=target).exists()
    assert not SecurityAction.objects.filter(kind="devices_reset").exists()


@pytest.mark.parametrize("persona", ["manager", "staff"])
def test_an_officer_resets_the_devices_of_a_manager_or_staff_member(officer, make_user, persona):
    target = make_user(persona)
    TOTPDevice.objects.get_or_create(user=target, name=otp.AUTHENTICATOR, confirmed=True)
    otp.devices_reset(actor=officer, user=target, reason="new phone")
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert SecurityAction.objects.get(kind="devices_reset").user == target


def test_the_reset_action_on_the_employee_list(client, officer, make_user):
    manager = make_user("manager")
    client.force_login(officer)
    action = {"action": "reset_devices_selected", "_selected_action": [str(manager.pk)]}
    client.post(EMPLOYEES, {**action, "post": "yes", "reason": "new phone"})
    assert not TOTPDevice.objects.filter(user=manager).exists()


def test_the_reset_action_refuses_an_hr_person_with_a_message(client, officer, make_user):
    hr = make_user("hr")
    client.force_login(officer)
    action = {"action": "reset_devices_selected", "_selected_action": [str(hr.pk)]}
    response = client.post(EMPLOYEES, {**action, "post": "yes", "reason": "x"}, follow=True)
    assert "same or a higher rank" in response.content.decode()
    assert TOTPDevice.objects.filter(user=hr).exists()


def test_hr_has_no_reset_action(client, make_user):
    hr = make_user("hr")
    other = make_user("auditor")
    client.force_login(hr)
    action = {"action": "reset_devices_selected", "_selected_action": [str(other.pk)]}
    client.post(EMPLOYEES, {**action, "post": "yes", "reason": "x"})
    assert TOTPDevice.objects.filter(user=other).exists()


@pytest.fixture
def address_locked(db):
    """Four usernames from one address, five failures each: the address's limit (20)."""
    return [
        Lockout.objects.create(
            username=f"guess{i}", ip_address="10.9.9.9", user_agent="x", failures_since_start=5
        )
        for i in range(4)
    ] + [
        Lockout.objects.create(
            username="typo", ip_address="10.1.1.1", user_agent="x", failures_since_start=2
        )
    ]


def test_the_lockout_list_shows_only_what_is_locked_and_which_lock_holds(
    client, officer, address_locked, locked
):
    client.force_login(officer)
    response = client.get(LOCKOUTS)
    body = response.content.decode()
    shown = {r.username for r in response.context["cl"].result_list}
    assert shown == {"guess0", "guess1", "guess2", "guess3", "hr"}  # not "typo" (2 failures)
    assert body.count("this address, for every username") >= 4
    assert "this username from this address" in body
    assert "failures below the limit" not in body
    only_address = client.get(LOCKOUTS, {"locked": "address"}).context["cl"].result_list
    assert {r.ip_address for r in only_address} == {"10.9.9.9"}
    only_username = client.get(LOCKOUTS, {"locked": "username"}).context["cl"].result_list
    assert [r.username for r in only_username] == ["hr"]


def test_the_lockout_list_says_until_when_each_lock_holds(client, officer, locked):
    locked_at = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=3)
    Lockout.objects.filter(pk=locked.pk).update(attempt_time=locked_at)
    client.force_login(officer)
    response = client.get(LOCKOUTS)
    until = response.context["cl"].result_list[0].locked_until
    assert until == locked_at + datetime.timedelta(minutes=15)
    shown = formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")
    assert timezone.localtime(until).strftime("%H:%M:%S") in shown  # to the second
    assert shown in response.content.decode()


def test_an_address_lock_lifts_when_enough_of_its_failures_leave_the_window(db):
    start = timezone.now() - datetime.timedelta(minutes=10)
    for minutes, username in enumerate(["a", "b", "c", "d"]):
        Lockout.objects.create(
            username=username, ip_address="10.9.9.9", user_agent="x", failures_since_start=5
        )
        Lockout.objects.filter(username=username).update(
            attempt_time=start + datetime.timedelta(minutes=minutes)
        )
    rows = list(lockout.lockouts_current())
    lockout.locked_until_set(rows)
    # 20 failures, the limit: the first record to leave the window lifts the address lock.
    first_leaves = start + lockout.cool_off()
    by_name = {row.username: row.locked_until for row in rows}
    # Each also holds its own username lock (5 failures) until its own record leaves.
    assert by_name["a"] == first_leaves
    assert by_name["d"] == start + datetime.timedelta(minutes=3) + lockout.cool_off()


def test_the_empty_lockout_list_says_nothing_is_locked(client, officer):
    Lockout.objects.create(
        username="typo", ip_address="10.1.1.1", user_agent="x", failures_since_start=2
    )
    client.force_login(officer)
    body = client.get(LOCKOUTS).content.decode()
    assert "No account or address is locked out now." in body
    assert "No results found" not in body
    assert "typo" not in body
    searched = client.get(LOCKOUTS, {"q": "nobody"}).content.decode()
    assert "Nothing locked matches this search or filter." in searched


def test_the_lockout_list_in_chinese(client, officer, locked):
    client.force_login(officer)
    body = client.get(LOCKOUTS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "锁定至" in body
    Lockout.objects.all().delete()
    empty = client.get(LOCKOUTS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "目前没有被锁定的账户或地址。" in empty


def test_the_lockout_list_costs_the_same_queries_for_one_or_many_locks(
    client, officer, locked, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(LOCKOUTS)  # warm the per-process caches (content types, sidebar)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(LOCKOUTS).status_code == 200
    for i in range(30):
        Lockout.objects.create(
            username=f"u{i}", ip_address=f"10.5.0.{i}", user_agent="x", failures_since_start=6
        )
    with django_assert_max_num_queries(len(one)):
        response = client.get(LOCKOUTS)
    assert len(response.context["cl"].result_list) == 31


def test_a_row_unlock_asks_why_then_lifts_that_lock_only(client, officer, locked, make_user):
    make_user("hr")
    other = Lockout.objects.create(
        username="auditor", ip_address="10.0.0.1", user_agent="x", failures_since_start=5
    )
    client.force_login(officer)
    listed = client.get(LOCKOUTS).content.decode()
    url = f"{LOCKOUTS}{locked.pk}/unlock/"
    assert url in listed  # the row's own action
    asked = client.get(url)
    assert asked.status_code == 200
    assert "hr @ 10.0.0.1" in asked.content.decode()
    assert "auditor" not in asked.content.decode()
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400
    assert Lockout.objects.filter(pk=locked.pk).exists()
    done = client.post(url, {"reason": "Phoned the helpdesk"}, follow=True)
    assert "Unlocked hr from 10.0.0.1." in done.content.decode()
    assert not Lockout.objects.filter(pk=locked.pk).exists()
    assert Lockout.objects.filter(pk=other.pk).exists()
    action = SecurityAction.objects.get()
    assert (action.actor, action.user.username, action.reason) == (
        officer,
        "hr",
        "Phoned the helpdesk",
    )


def test_a_row_unlock_of_an_address_lock_clears_the_address(client, officer, address_locked):
    client.force_login(officer)
    url = f"{LOCKOUTS}{address_locked[0].pk}/unlock/"
    asked = client.get(url).content.decode()
    assert "every username can sign in from it again now" in asked
    assert all(f"guess{i} @ 10.9.9.9" in asked for i in range(4))
    client.post(url, {"reason": "Office NAT after a password change"})
    assert not Lockout.objects.filter(ip_address="10.9.9.9").exists()
    assert Lockout.objects.filter(username="typo").exists()  # another address
    action = SecurityAction.objects.get()
    assert action.user is None
    assert text_shown(action.target) == "10.9.9.9, every username"


@pytest.mark.parametrize(
    "reason",
    [
        "<script>alert(1)</script>",
        "x" * 501,
        "%ED%A0%80",  # a lone surrogate, as the browser would send it
        '=HYPERLINK("http://evil")',
        "a\x00b",
    ],
)
def test_a_hostile_unlock_reason_is_refused_or_kept_as_text(client, officer, locked, reason):
    client.force_login(officer)
    url = f"{LOCKOUTS}{locked.pk}/unlock/"
    body = f"reason={reason}" if reason.startswith("%") else {"reason": reason}
    kind = "application/x-www-form-urlencoded" if isinstance(body, str) else None
    response = client.post(url, body, content_type=kind) if kind else client.post(url, body)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert Lockout.objects.filter(pk=locked.pk).exists()
        assert not SecurityAction.objects.exists()
    else:
        log = client.get("/admin/security/securityaction/").content.decode()
        assert "<script>alert(1)</script>" not in log


@pytest.mark.parametrize("persona", ["hr", "manager", "auditor", "staff"])
def test_only_officers_unlock_a_row(client, make_user, locked, persona):
    client.force_login(make_user(persona))
    url = f"{LOCKOUTS}{locked.pk}/unlock/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "let me in"}).status_code == 403
    assert Lockout.objects.filter(pk=locked.pk).exists()


@pytest.mark.parametrize("pk", ["abc", "99999999", "1" * 40, "%00"])
def test_a_row_unlock_of_an_unknown_record_is_a_404(client, officer, locked, pk):
    client.force_login(officer)
    assert client.get(f"{LOCKOUTS}{pk}/unlock/").status_code == 404


def test_a_row_that_is_no_longer_locked_cannot_be_unlocked(client, officer, locked):
    Lockout.objects.filter(pk=locked.pk).update(failures_since_start=2)
    client.force_login(officer)
    assert client.get(f"{LOCKOUTS}{locked.pk}/unlock/").status_code == 404


def test_an_officer_scoped_to_a_department_reaches_no_one_outside_it(make_user, root_department):
    """The rank rule alone would let a scoped officer reach anyone below them."""
    from apps.org.services import department_create
    from apps.security import sessions

    north = department_create(actor=None, name="North", code="NTH", parent=root_department)
    south = department_create(actor=None, name="South", code="STH", parent=root_department)
    scoped = make_user("security", username="north-officer", scope=north)
    inside = make_user("staff", username="inside", department=north)
    outside = make_user("staff", username="outside", department=south)
    for service in (otp.devices_reset, sessions.sessions_end_for):
        with pytest.raises(ValidationError, match="outside the people you may do this for"):
            service(actor=scoped, user=outside, reason="checking scope")
    otp.devices_reset(actor=scoped, user=inside, reason="inside the scope")
    assert sessions.sessions_end_for(actor=scoped, user=inside, reason="inside the scope") == 0
    assert not SecurityAction.objects.filter(user=outside).exists()
