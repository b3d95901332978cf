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
    hr = make_user("hr")
    otp._backup_codes_new(hr)
    with pytest.raises(ValidationError, match="reason"):
        otp.devices_reset(actor=officer, user=hr, reason="")
    with pytest.raises(ValidationError, match="your own"):
        otp.devices_reset(actor=officer, user=officer, reason="lost phone")
    hr_client = client
    hr_client.force_login(hr)  # verified with the device about to go
    assert hr_client.get("/admin/").status_code == 200
    assert otp.devices_reset(actor=officer, user=hr, reason="lost phone") == 2
    assert not TOTPDevice.objects.filter(user=hr).exists()
    assert not StaticDevice.objects.filter(user=hr).exists()
    response = hr_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/enroll/")
    assert SecurityAction.objects.get(kind="devices_reset").reason == "lost phone"


def test_the_reset_action_on_the_employee_list(client, officer, make_user):
    hr = make_user("hr")
    client.force_login(officer)
    action = {"action": "reset_devices_selected", "_selected_action": [str(hr.pk)]}
    client.post(EMPLOYEES, {**action, "post": "yes", "reason": "new phone"})
    assert not TOTPDevice.objects.filter(user=hr).exists()


def test_hr_has_no_reset_action(client, make_user):
    hr = make_user("hr")
    other = make_user("auditor")
    client.force_login(hr)
    action = {"action": "reset_devices_selected", "_selected_action": [str(other.pk)]}
    client.post(EMPLOYEES, {**action, "post": "yes", "reason": "x"})
    assert TOTPDevice.objects.filter(user=other).exists()
