"""An entry's departments follow the scope paths its model registered, on every write path."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from apps.access.models import RoleAssignment
from apps.access.roles import STAFF
from apps.access.services import assignment_create
from apps.audit.models import AuditEntry
from apps.core.history import history_bulk_notify
from apps.org.services import department_create, employee_create
from apps.org.transfers import transfer_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def depts(root_department):
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    return {"eng": eng, "fin": fin}


def _entries(model, reason):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), reason=reason
    )


def test_a_role_assignment_entry_is_in_the_holders_department(roles, depts):
    person = employee_create(actor=None, username="pat", department=depts["eng"])
    assignment = assignment_create(actor=None, user=person, role=roles[STAFF], reason="first day")
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(RoleAssignment),
        object_id=str(assignment.pk),
    )
    assert (entry.department_id, entry.department_other_id) == (depts["eng"].pk, None)


def test_a_transfer_entry_is_in_both_departments(hr_user, depts):
    person = employee_create(actor=None, username="pat", department=depts["eng"])
    transfer = transfer_request(
        employee=person,
        actor=hr_user,
        to_department=depts["fin"],
        effective_date=timezone.localdate(),
        reason="moves",
    )
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(transfer)),
        object_id=str(transfer.pk),
    ).earliest("id")
    assert (entry.department_id, entry.department_other_id) == (depts["eng"].pk, depts["fin"].pk)


def _bulk_assignments(roles, department, count, reason):
    people = [
        employee_create(actor=None, username=f"{reason}{n}", department=department)
        for n in range(count)
    ]
    rows = [
        RoleAssignment(user=p, role=roles[STAFF], valid_from=timezone.now(), reason=reason)
        for p in people
    ]
    bulk_create_with_history(rows, RoleAssignment, default_change_reason=reason)
    history = RoleAssignment.history.model
    with CaptureQueriesContext(connection) as queries:
        history_bulk_notify(history, history.objects.filter(history_change_reason=reason))
    # The reads of where the holders are (not the whole rows the entries' labels load).
    reads = [q["sql"].partition(" FROM ") for q in queries.captured_queries]
    return sum(
        table.startswith('"org_employee"')
        and '"department_id"' in columns
        and '"password"' not in columns
        for columns, _from, table in reads
    )


def test_the_bulk_path_reads_the_holders_departments_once_whatever_the_number(roles, depts):
    few = _bulk_assignments(roles, depts["eng"], 2, "few")
    many = _bulk_assignments(roles, depts["fin"], 7, "many")
    assert few == many == 1
    assert {e.department_id for e in _entries(RoleAssignment, "few")} == {depts["eng"].pk}
    assert {e.department_id for e in _entries(RoleAssignment, "many")} == {depts["fin"].pk}
    assert _entries(RoleAssignment, "many").count() == 7
