"""Who acted and why reach history as arguments: from the caller, not from a context."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.org.models import Department, Employee
from apps.org.services import (
    department_update,
    employee_create,
    employee_system_account,
    employee_update,
)
from apps.org.transfers import transfer_request

pytestmark = pytest.mark.django_db


def test_a_service_called_outside_any_request_records_the_given_actor_and_reason(tree, make_user):
    hr = make_user("hr")
    department_update(department=tree["web"], actor=hr, reason="Re-org", name="Web Platform")
    latest = Department.history.filter(id=tree["web"].pk).latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (hr, "Re-org")
    entry = AuditEntry.objects.get(history_id=latest.history_id, object_id=str(tree["web"].pk))
    assert (entry.actor, entry.reason) == (hr, "Re-org")


def test_an_employee_service_records_the_given_actor_and_reason(tree, make_user):
    hr = make_user("hr")
    person = employee_create(actor=hr, username="a", department=tree["eng"])
    employee_update(employee=person, actor=hr, reason="Promoted", position="Lead")
    latest = Employee.history.filter(id=person.pk).latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (hr, "Promoted")


def test_an_admin_edit_records_the_signed_in_user_and_the_posted_reason(hr_client, hr_user, tree):
    web = tree["web"]
    data = {
        "name": "Web 2",
        "code": web.code,
        "parent": str(web.parent_id),
        "manager": "",
        "description": "",
        "change_reason": "Shorter name",
    }
    response = hr_client.post(reverse("admin:org_department_change", args=[web.pk]), data)
    assert response.status_code == 302
    latest = Department.history.filter(id=web.pk).latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (hr_user, "Shorter name")


def test_the_daily_command_records_the_system_account(tree, make_user):
    alice = employee_create(actor=None, username="alice", department=tree["web"])
    today = datetime.date(2025, 3, 10)
    with time_machine.travel(datetime.datetime(2025, 3, 10, 9, 0, tzinfo=datetime.UTC)):
        transfer_request(
            employee=alice,
            to_department=tree["fin"],
            effective_date=today + datetime.timedelta(days=1),
            reason="Team change",
            actor=make_user("hr"),
        )
    call_command("apply_due_transfers", date=today + datetime.timedelta(days=1))
    moved = Employee.history.filter(id=alice.pk).latest("history_date")
    assert moved.history_user == employee_system_account()
