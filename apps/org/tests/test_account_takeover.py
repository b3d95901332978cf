"""Scope is not rank: the account of someone the actor does not outrank stays out of reach,
on every path (service, change form, password page), and e-mail and password changes
leave a trace (issue 12, point 1)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_email.models import EmailDevice

from apps.audit.models import AuditEntry
from apps.org.models import Employee
from apps.org.services import (
    employee_deactivate,
    employee_password_set,
    employee_update,
)
from apps.security.models import SecurityAction, UserSession

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def people(make_user, root_department):
    return {p: make_user(p) for p in ("admin", "hr", "manager", "security", "staff")}


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _change_url(person):
    return f"/admin/org/employee/{person.pk}/change/"


def _password_url(person):
    return f"/admin/org/employee/{person.pk}/password/"


def _reset_url(person):
    return f"/admin/org/employee/{person.pk}/actions/reset-password/"


# --- the service -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "target"),
    [("hr", "admin"), ("hr", "security"), ("manager", "security"), ("manager", "hr")],
)
@pytest.mark.parametrize(
    "changes",
    [
        {"email": "attacker@example.com"},
        {"username": "taken-over"},
        {"phone": "+44 20 7946 0001"},
    ],
)
def test_account_fields_of_an_equal_or_higher_rank_are_refused(people, actor, target, changes):
    before = _fresh(people[target])
    with pytest.raises(ValidationError, match="same or a higher rank"):
        employee_update(employee=people[target], actor=people[actor], **changes)
    after = _fresh(people[target])
    assert (after.email, after.username, after.phone) == (
        before.email,
        before.username,
        before.phone,
    )


def test_hr_still_changes_hr_data_of_the_superuser(people):
    employee_update(employee=people["admin"], actor=people["hr"], position="Chief")
    assert _fresh(people["admin"]).position == "Chief"


def test_hr_changes_the_account_of_someone_below(people):
    employee_update(employee=people["staff"], actor=people["hr"], email="new@example.com")
    assert _fresh(people["staff"]).email == "new@example.com"


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_only_a_superuser_changes_staff_or_superuser_status(people, flag):
    current = getattr(people["staff"], flag)
    with pytest.raises(ValidationError, match="Only a superuser"):
        employee_update(employee=people["staff"], actor=people["hr"], **{flag: not current})
    employee_update(employee=people["staff"], actor=people["admin"], **{flag: not current})
    assert getattr(_fresh(people["staff"]), flag) is (not current)


def test_a_password_of_a_higher_rank_cannot_be_set(people):
    with pytest.raises(ValidationError, match="same or a higher rank"):
        employee_password_set(employee=people["admin"], actor=people["hr"], password=NEW_PASSWORD)
    assert _fresh(people["admin"]).check_password(PASSWORD)


def test_a_higher_rank_cannot_be_deactivated(people):
    with pytest.raises(ValidationError, match="same or a higher rank"):
        employee_deactivate(employee=people["security"], actor=people["manager"])
    assert _fresh(people["security"]).is_active


# --- the change form and the password page ---------------------------------------------


def test_the_change_form_does_not_save_a_superuser_s_email_for_hr(client, people):
    client.force_login(people["hr"])
    admin = people["admin"]
    page = client.get(_change_url(admin))
    assert page.status_code == 200
    assert b'name="email"' not in page.content  # read-only, not an input
    assert _password_url(admin).encode() not in page.content
    client.post(
        _change_url(admin),
        {
            "username": admin.username,
            "email": "attacker@example.com",
            "first_name": admin.first_name,
            "last_name": admin.last_name,
            "department": str(admin.department_id),
            "employee_id": admin.employee_id,
        },
    )
    assert _fresh(admin).email == ""


def test_the_password_page_refuses_a_higher_rank(client, people):
    client.force_login(people["manager"])
    target = people["security"]
    page = client.get(_password_url(target))
    assert page.status_code == 302
    assert page["Location"] == _change_url(target)
    client.post(
        _password_url(target),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert _fresh(target).check_password(PASSWORD)


def test_a_password_set_by_someone_else_ends_sessions_and_names_the_actor(client, people):
    target = people["staff"]
    UserSession.objects.create(
        session_key="s" * 32,
        user=target,
        created_at=target.date_joined,
        last_seen=target.date_joined,
    )
    client.force_login(people["hr"])
    # The old password page sends the form to the record's "Reset password…" action.
    page = client.get(_password_url(target))
    assert page.status_code == 302
    assert page["Location"] == _reset_url(target)
    response = client.post(
        _reset_url(target),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "reason": "Forgot it, asked"},
    )
    assert response.status_code == 302
    target = _fresh(target)
    assert target.check_password(NEW_PASSWORD)
    assert not UserSession.objects.filter(user=target, ended_at__isnull=True).exists()
    entry = AuditEntry.objects.filter(object_id=str(target.pk)).order_by("-id").first()
    assert entry.actor_id == people["hr"].pk
    assert " password_changed_at " in entry.changed_fields
    assert entry.reason == "Forgot it, asked"


def test_the_old_password_page_saves_nothing_without_a_reason(client, people):
    """A form posted to the old address (Django's own fields, no reason) changes nothing."""
    target = people["staff"]
    client.force_login(people["hr"])
    response = client.post(
        _password_url(target),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert response["Location"] == _reset_url(target)
    assert _fresh(target).check_password(PASSWORD)
    # The action it leads to asks the reason.
    page = client.post(_reset_url(target), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert page.status_code == 200
    assert 'name="reason"' in page.text
    assert _fresh(target).check_password(PASSWORD)


def test_the_old_password_page_keeps_scope_for_a_manager(client, make_user, people):
    """Someone outside the manager's subtree is not found on the old address either."""
    from apps.org.services import department_create, employee_create

    elsewhere = department_create(actor=None, name="Elsewhere", code="ELS")
    outsider = employee_create(actor=None, username="outsider", department=elsewhere)
    branch = department_create(
        actor=None, name="Branch", code="BRA", parent=people["staff"].department
    )
    manager = make_user("manager", username="branchmgr", department=branch)
    client.force_login(manager)
    assert client.get(_password_url(outsider)).status_code == 404
    assert client.post(_password_url(outsider), {"password1": NEW_PASSWORD}).status_code == 404


# --- a changed e-mail address ---------------------------------------------------------


def test_a_changed_email_tells_the_old_address_and_drops_the_email_device(
    people, django_capture_on_commit_callbacks
):
    staff = people["staff"]
    Employee.objects.filter(pk=staff.pk).update(email="old@example.com")
    EmailDevice.objects.create(user=staff, name="E-mail", confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        employee_update(employee=_fresh(staff), actor=people["hr"], email="new@example.com")
    assert not EmailDevice.objects.filter(user=staff).exists()
    assert [m.to for m in mail.outbox] == [["old@example.com"]]
    assert "new@example.com" in mail.outbox[0].body
    action = SecurityAction.objects.get(user=staff)
    assert action.actor == people["hr"]


def test_an_unchanged_email_sends_nothing(people, django_capture_on_commit_callbacks):
    staff = people["staff"]
    with django_capture_on_commit_callbacks(execute=True):
        employee_update(employee=staff, actor=people["hr"], email=staff.email, position="x")
    assert mail.outbox == []


def test_one_s_own_password_goes_through_the_page_that_asks_for_the_current_one(client, people):
    hr = people["hr"]
    client.force_login(hr)
    page = client.get(_password_url(hr))
    assert page.status_code == 302
    assert page["Location"] == "/admin/password_change/"
    client.post(
        _password_url(hr),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert _fresh(hr).check_password(PASSWORD)
