"""The role-assignment screens: the add form, its refusals and bad input, and revoking."""

import datetime
import uuid

import pytest
from django.utils import timezone

from apps.access.models import PermissionLog, RoleAssignment
from apps.access.roles import ADMINISTRATOR, AUDITOR, MANAGER
from apps.org.services import department_create, employee_create

ADD = "/admin/access/roleassignment/add/"
LIST = "/admin/access/roleassignment/"


@pytest.fixture
def target(root_department):
    return employee_create(actor=None, username="pat", department=root_department, is_staff=True)


@pytest.fixture
def hr_client(client, make_user):
    client.force_login(make_user("hr"))
    return client


def _form(roles, target, **overrides):
    start = timezone.localtime().replace(microsecond=0)
    data = {
        "user": str(target.pk),
        "role": str(roles[AUDITOR].pk),
        "department": "",
        "valid_from_0": start.strftime("%Y-%m-%d"),
        "valid_from_1": start.strftime("%H:%M:%S"),
        "valid_until_0": "",
        "valid_until_1": "",
        "reason": "Covers the year-end audit",
    }
    data.update(overrides)
    return data


def test_hr_assigns_a_role_and_it_is_logged(hr_client, roles, target):
    response = hr_client.post(ADD, _form(roles, target))
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=target)
    assert assignment.assigned_by.username == "hr"
    assert PermissionLog.objects.filter(user=target, action="granted").count() == 1


def test_the_role_choices_stop_at_what_hr_may_hand_out(hr_client, roles, target):
    body = hr_client.get(ADD).content.decode()
    assert f'value="{roles[MANAGER].pk}"' in body
    assert f'value="{roles[ADMINISTRATOR].pk}"' not in body
    response = hr_client.post(ADD, _form(roles, target, role=str(roles[ADMINISTRATOR].pk)))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=target).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"valid_until_0": "2001-01-01", "valid_until_1": "00:00:00"}, "must be after"),
        ({"reason": ""}, "This field is required"),
        ({"reason": "x" * 501}, "at most 500 characters"),
        ({"user": "not-a-uuid"}, "is not a valid UUID"),
        ({"user": str(uuid.uuid4())}, "Select a valid choice"),
        ({"role": "'; DROP TABLE auth_group; --"}, "Select a valid choice"),
        ({"valid_from_0": "31/31/2026", "valid_from_1": "25:61:00"}, "Enter a valid date"),
        ({"department": "../../etc/passwd"}, "is not a valid UUID"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_written(
    hr_client, roles, target, overrides, message
):
    response = hr_client.post(ADD, _form(roles, target, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RoleAssignment.objects.filter(user=target).exists()
    assert not PermissionLog.objects.filter(user=target).exists()


def test_a_service_refusal_is_a_message_not_a_500(hr_client, roles, target):
    target.is_active = False
    target.save()
    response = hr_client.post(ADD, _form(roles, target), follow=True)
    assert response.status_code == 200
    assert "inactive" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=target).exists()


def test_assignments_are_read_only_once_made(hr_client, roles, target):
    hr_client.post(ADD, _form(roles, target))
    assignment = RoleAssignment.objects.get(user=target)
    body = hr_client.get(f"{LIST}{assignment.pk}/change/").content.decode()
    assert 'name="reason"' not in body
    response = hr_client.post(f"{LIST}{assignment.pk}/change/", {"reason": "edited"})
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.reason == "Covers the year-end audit"


def test_revoking_asks_for_a_reason_then_ends_the_assignment(hr_client, roles, target):
    hr_client.post(ADD, _form(roles, target))
    assignment = RoleAssignment.objects.get(user=target)
    action = {"action": "revoke_selected", "_selected_action": [str(assignment.pk)]}
    asked = hr_client.post(LIST, action)
    assert asked.status_code == 200
    assert "End these role assignments now" in asked.content.decode()
    empty = hr_client.post(LIST, {**action, "post": "yes", "reason": ""})
    assert "This field is required" in empty.content.decode()
    assignment.refresh_from_db()
    assert assignment.valid_until is None
    hr_client.post(LIST, {**action, "post": "yes", "reason": "Audit finished"})
    assignment.refresh_from_db()
    assert assignment.valid_until is not None
    assert assignment.valid_until <= timezone.now()
    assert PermissionLog.objects.get(user=target, action="revoked").detail == "Audit finished"


def test_a_scoped_assignment_lists_under_its_department(hr_client, roles, target, root_department):
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    until = timezone.localtime() + datetime.timedelta(days=7)
    hr_client.post(
        ADD,
        _form(
            roles,
            target,
            role=str(roles[MANAGER].pk),
            department=str(eng.pk),
            valid_until_0=until.strftime("%Y-%m-%d"),
            valid_until_1="12:00:00",
        ),
    )
    assignment = RoleAssignment.objects.get(user=target)
    assert assignment.department == eng
    assert "Engineering" in hr_client.get(LIST).content.decode()


@pytest.mark.parametrize("persona", ["manager", "staff"])
def test_people_without_the_right_cannot_open_the_screens(client, make_user, persona):
    client.force_login(make_user(persona))
    assert client.get(ADD).status_code == 403
    assert client.get(LIST).status_code == 403
