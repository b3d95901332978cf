"""Who and what each audit entry names, whatever path wrote the change."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from apps.audit.chain import seal, verify
from apps.audit.models import AuditEntry
from apps.audit.reverts import department_revert
from apps.core.history import SYSTEM_USERNAME, history_bulk_notify, recording
from apps.org.models import Department, Employee
from apps.org.services import (
    department_create,
    department_deactivate,
    department_move,
    department_restore,
    department_update,
    employee_create,
    employee_deactivate,
    employee_restore,
    employee_update,
)
from apps.org.tasks import apply_due_transfers
from apps.org.transfers import transfer_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def depts(root_department):
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    return {"root": root_department, "eng": eng, "fin": fin}


def _last(obj):
    content_type = ContentType.objects.get_for_model(type(obj))
    return AuditEntry.objects.filter(content_type=content_type, object_id=str(obj.pk)).latest("id")


def test_an_admin_form_save_names_the_signed_in_user(hr_client, hr_user, depts):
    eng = depts["eng"]
    response = hr_client.post(
        reverse("admin:org_department_change", args=[eng.pk]),
        {"name": "Engineering & Ops", "code": "ENG", "parent": depts["root"].pk, "description": ""},
    )
    assert response.status_code == 302
    entry = _last(eng)
    assert (entry.actor, entry.actor_name, entry.action) == (hr_user, "hr", "changed")
    assert entry.fields == ["name"]


def test_a_save_with_no_context_names_the_system_user(depts):
    eng = depts["eng"]
    eng.description = "Builds things"
    eng.save()
    entry = _last(eng)
    assert entry.actor_name == SYSTEM_USERNAME
    assert entry.actor.username == SYSTEM_USERNAME


def test_a_service_names_the_actor_it_was_given(hr_user, depts):
    employee_update(employee=hr_user, actor=hr_user, position="Head of HR", reason="title")
    entry = _last(hr_user)
    assert (entry.actor_name, entry.reason, entry.fields) == ("hr", "title", ["position"])


@pytest.fixture
def scheduled(depts, make_user):
    alice = employee_create(actor=None, username="alice", department=depts["eng"])
    with time_machine.travel(datetime.datetime(2025, 3, 10, 9, 0, tzinfo=datetime.UTC)):
        transfer_request(
            employee=alice,
            to_department=depts["fin"],
            effective_date=datetime.date(2025, 3, 11),
            reason="Team change",
            actor=make_user("hr"),
        )
    return alice


def test_a_celery_task_names_the_system_user(scheduled):
    with time_machine.travel(datetime.datetime(2025, 3, 11, 0, 5, tzinfo=datetime.UTC)):
        assert apply_due_transfers.delay().get() == 1
    entry = _last(scheduled)
    assert (entry.actor_name, entry.action) == (SYSTEM_USERNAME, "moved")
    assert entry.department_id == Department.objects.get(code="FIN").pk


def test_a_management_command_names_the_system_user(scheduled):
    call_command("apply_due_transfers", "--date", "2025-03-11")
    entry = _last(scheduled)
    assert entry.actor_name == SYSTEM_USERNAME
    assert entry.actor_id is not None


def test_actions_follow_the_life_of_an_employee(hr_user, depts):
    bob = employee_create(actor=hr_user, username="bob", department=depts["eng"])
    assert _last(bob).action == "created"
    employee_update(employee=bob, actor=hr_user, position="Engineer")
    assert _last(bob).action == "changed"
    employee_update(employee=bob, actor=hr_user, department=depts["fin"])
    moved = _last(bob)
    assert (moved.action, moved.fields) == ("moved", ["department"])
    employee_deactivate(employee=bob, actor=hr_user)
    assert _last(bob).action == "deactivated"
    employee_restore(employee=bob, actor=hr_user)
    assert _last(bob).action == "restored"


def test_actions_follow_the_life_of_a_department(hr_user, depts):
    ops = department_create(actor=hr_user, name="Operations", code="OPS", parent=depts["eng"])
    assert _last(ops).action == "created"
    department_move(department=ops, parent=depts["fin"], actor=hr_user)
    assert _last(ops).action == "moved"
    department_deactivate(department=ops, actor=hr_user)
    assert _last(ops).action == "deactivated"
    department_restore(department=ops, actor=hr_user)
    assert _last(ops).action == "restored"


@pytest.mark.parametrize("action", ["reverted", "imported"])
def test_a_recording_block_names_the_action(hr_user, depts, action):
    with recording(action):
        department_move(department=depts["eng"], parent=depts["fin"], actor=hr_user, reason="why")
    entry = _last(depts["eng"])
    assert (entry.action, entry.reason) == (action, "why")


def test_a_service_told_the_action_records_it_outside_any_context(hr_user, depts):
    department_move(department=depts["eng"], parent=depts["fin"], actor=hr_user, action="reverted")
    assert _last(depts["eng"]).action == "reverted"
    bob = employee_create(actor=hr_user, username="bob", department=depts["eng"])
    employee_update(employee=bob, actor=hr_user, position="Lead", action="reverted")
    assert _last(bob).action == "reverted"
    employee_deactivate(employee=bob, actor=hr_user, action="reverted")
    assert _last(bob).action == "reverted"


def test_an_edit_right_after_a_revert_is_a_change(hr_user, depts):
    original = depts["eng"].history.earliest()
    department_update(department=depts["eng"], actor=hr_user, description="Widgets")
    reverted = department_revert(
        department=depts["eng"], version=original, actor=hr_user, reason="Memo"
    )
    assert _last(reverted).action == "reverted"
    # The same thread, the instance the revert returned: nothing of the revert lingers.
    department_update(department=reverted, actor=hr_user, description="Gadgets")
    assert _last(reverted).action == "changed"
    bob = employee_create(actor=hr_user, username="bob", department=depts["eng"])
    employee_update(employee=bob, actor=hr_user, position="Lead", action="reverted")
    employee_update(employee=bob, actor=hr_user, position="Chief")
    assert _last(bob).action == "changed"


def test_the_bulk_path_writes_an_entry_per_row(depts, hr_user):
    rows = [
        Employee(username=f"bulk{n}", employee_id=f"B{n:05d}", department=depts["eng"])
        for n in range(5)
    ]
    history = Employee.history.model
    before = history.objects.count()
    bulk_create_with_history(rows, Employee, default_user=hr_user, default_change_reason="load")
    new = history.objects.filter(history_change_reason="load")
    assert history.objects.count() == before + 5
    history_bulk_notify(history, new)
    entries = AuditEntry.objects.filter(reason="load")
    assert entries.count() == 5
    assert {(e.action, e.actor_name) for e in entries} == {("created", "hr")}
    seal()
    assert verify().intact


def test_bulk_rows_nobody_announced_are_found_by_verification(depts):
    rows = [Employee(username="ghost", employee_id="G00001", department=depts["eng"])]
    bulk_create_with_history(rows, Employee)
    seal()
    result = verify()
    assert not result.intact
    assert "org.Employee have no audit record" in result.problem


def test_the_demo_seed_leaves_no_version_without_an_entry(db):
    from apps.org.demo import demo_seed

    demo_seed(password="demo-password-1")
    seal()
    result = verify()
    assert result.intact, result.summary()
    assert result.records == AuditEntry.objects.count()
    assert not AuditEntry.objects.filter(actor_name="").exists()
