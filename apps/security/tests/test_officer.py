"""Security officers: the lockout list, unlocking and resetting devices, each with a reason."""

import pytest
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def test_the_lockout_list_says_which_lock_holds(client, officer, address_locked, locked):
    client.force_login(officer)
    body = client.get(LOCKOUTS).content.decode()
    assert body.count("locked: this address, for every username") == 4
    assert body.count("locked: this username from this address") == 1
    assert body.count("failures below the limit") >= 1
    only_address = client.get(LOCKOUTS, {"locked": "address"}).context["cl"].result_list
    assert {r.ip_address for r in only_address} == {"10.9.9.9"}
    locked_now = client.get(LOCKOUTS, {"locked": "yes"}).context["cl"].result_list
    assert {r.username for r in locked_now} == {"guess0", "guess1", "guess2", "guess3", "hr"}
    below = client.get(LOCKOUTS, {"locked": "no"}).context["cl"].result_list
    assert [r.username for r in below] == ["typo"]
