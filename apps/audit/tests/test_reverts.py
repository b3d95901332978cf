"""Reverting to an earlier version: a new change through the services, or a clear refusal."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from guardian.shortcuts import assign_perm

from apps.audit.models import AuditEntry
from apps.audit.reverts import department_revert, employee_revert, object_revert
from apps.core.texts import text_shown
from apps.org.models import Department, Employee
from apps.org.services import (
    department_create,
    department_deactivate,
    department_move,
    department_restore,
    department_update,
    employee_create,
    employee_deactivate,
    employee_update,
)

pytestmark = pytest.mark.django_db


def _versions(obj):
    return list(type(obj).history.filter(id=obj.pk).order_by("history_date", "history_id"))


def _snapshot(obj):
    """Every field of the live row, and how many versions it has: to show nothing moved."""
    fresh = type(obj).objects.get(pk=obj.pk)
    values = {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}
    values.pop("updated_at", None)
    return values, type(obj).history.filter(id=obj.pk).count(), AuditEntry.objects.count()


def _refused(call, obj, message):
    before = _snapshot(obj)
    with pytest.raises(ValidationError, match=message):
        call()
    assert _snapshot(obj) == before


# --- Departments: success ------------------------------------------------------------


def test_reverts_a_department_as_a_new_change_with_reason_and_actor(hr, eng):
    original = _versions(eng)[0]
    department_update(department=eng, actor=hr, name="Eng & Data", description="New text")
    rows_before = len(_versions(eng))

    reverted = department_revert(department=eng, version=original, actor=hr, reason="Memo #12")

    assert reverted.name == "Engineering"
    assert reverted.description == ""
    rows = _versions(eng)
    assert len(rows) == rows_before + 1
    newest = rows[-1]
    entry = AuditEntry.objects.get(history_id=newest.history_id, object_id=str(eng.pk))
    assert entry.action == AuditEntry.Action.REVERTED
    assert entry.actor == hr
    assert text_shown(entry.reason).startswith("Revert to version of ")
    assert text_shown(entry.reason).endswith(": Memo #12")
    assert " name " in entry.changed_fields
    # The old versions are untouched.
    assert rows[0].name == "Engineering"
    assert rows[-2].name == "Eng & Data"


def test_reverts_parent_and_active_flag_through_their_services(hr, eng, fin, root_department):
    original = _versions(eng)[0]
    department_move(department=eng, parent=fin, actor=hr)
    department_deactivate(department=eng, actor=hr)

    reverted = department_revert(department=eng, version=original, actor=hr, reason="Undo")

    assert reverted.parent == root_department
    assert reverted.is_active
    new_entries = AuditEntry.objects.filter(object_id=str(eng.pk), action="reverted")
    assert new_entries.count() == 2
    assert all(text_shown(e.reason).endswith(": Undo") for e in new_entries)


def test_object_revert_dispatches_by_model(hr, eng):
    original = _versions(eng)[0]
    department_update(department=eng, actor=hr, name="Other")
    assert object_revert(obj=eng, version=original, actor=hr, reason="r").name == "Engineering"


# --- Departments: refusals -----------------------------------------------------------


def test_refuses_a_code_now_used_by_another_department(hr, eng, root_department):
    original = _versions(eng)[0]
    department_update(department=eng, actor=hr, code="ENGX")
    department_create(actor=None, name="Engines", code="ENG", parent=root_department)
    _refused(
        lambda: department_revert(department=eng, version=original, actor=hr, reason="r"),
        eng,
        "code ENG of that version is now used by Engines",
    )


def test_refuses_an_inactive_parent(hr, eng, fin, root_department):
    old_parent = department_create(actor=None, name="Old", code="OLD", parent=root_department)
    department_move(department=eng, parent=old_parent, actor=hr)
    at_old = _versions(eng)[-1]
    # Engineering leaves, then its old parent is deactivated.
    department_move(department=eng, parent=fin, actor=hr)
    department_deactivate(department=old_parent, actor=hr)
    _refused(
        lambda: department_revert(department=eng, version=at_old, actor=hr, reason="r"),
        eng,
        "is inactive; a department cannot be placed under it",
    )


def test_refuses_a_parent_that_is_now_a_descendant(hr, eng, fin, root_department):
    web = department_create(actor=None, name="Web", code="WEB", parent=fin)
    department_move(department=eng, parent=web, actor=hr)
    under_web = _versions(eng)[-1]
    department_move(department=eng, parent=root_department, actor=hr)
    department_move(department=fin, parent=eng, actor=hr)  # web is now below eng
    _refused(
        lambda: department_revert(department=eng, version=under_web, actor=hr, reason="r"),
        eng,
        "cannot be moved under itself or one of its own sub-departments",
    )


def test_refuses_restoring_under_an_inactive_parent(hr, root_department):
    old = department_create(actor=None, name="Old", code="OLD", parent=root_department)
    child = department_create(actor=None, name="Child", code="CHD", parent=old)
    active = _versions(child)[-1]
    department_deactivate(department=child, actor=hr)
    department_deactivate(department=old, actor=hr)
    _refused(
        lambda: department_revert(department=child, version=active, actor=hr, reason="r"),
        child,
        "Restore the parent department",
    )


def test_refuses_when_the_version_is_the_current_state(hr, eng):
    current = _versions(eng)[-1]
    _refused(
        lambda: department_revert(department=eng, version=current, actor=hr, reason="r"),
        eng,
        "nothing to revert",
    )


def test_refuses_a_version_of_another_department(hr, eng, fin):
    department_update(department=eng, actor=hr, name="Other")
    _refused(
        lambda: department_revert(department=eng, version=_versions(fin)[0], actor=hr, reason="r"),
        eng,
        "not one of this record",
    )


def test_refuses_without_a_reason(hr, eng):
    original = _versions(eng)[0]
    department_update(department=eng, actor=hr, name="Other")
    _refused(
        lambda: department_revert(department=eng, version=original, actor=hr, reason="  "),
        eng,
        "Give a reason",
    )


def test_refuses_an_actor_without_change_permission_on_the_department(make_user, eng, fin):
    manager = make_user("manager", department=fin)
    original = _versions(eng)[0]
    department_update(department=eng, actor=None, name="Other")
    _refused(
        lambda: department_revert(department=eng, version=original, actor=manager, reason="r"),
        eng,
        "outside the ones you may change",
    )


def test_refuses_an_actor_without_change_permission_on_the_old_parent(
    make_user, eng, fin, root_department
):
    # A manager of Engineering may change it, but not put it back under the root.
    manager = make_user("manager", department=eng)
    original = _versions(eng)[0]
    department_move(department=eng, parent=fin, actor=None)
    _refused(
        lambda: department_revert(department=eng, version=original, actor=manager, reason="r"),
        eng,
        "outside the ones you may change",
    )


def test_a_refusal_late_in_the_revert_leaves_the_earlier_steps_undone(hr, eng):
    department_deactivate(department=eng, actor=hr)
    inactive = _versions(eng)[-1]
    department_restore(department=eng, actor=hr)
    department_update(department=eng, actor=hr, name="Renamed")
    employee_create(actor=None, username="emp", department=eng)
    # The name is put back first, then the deactivation is refused (an active employee).
    _refused(
        lambda: department_revert(department=eng, version=inactive, actor=hr, reason="r"),
        eng,
        "cannot be deactivated",
    )
    assert Department.objects.get(pk=eng.pk).name == "Renamed"


# --- Employees ------------------------------------------------------------------------


@pytest.fixture
def person(eng):
    return employee_create(
        actor=None,
        username="pat",
        first_name="Pat",
        last_name="Lee",
        employee_id="E100001",
        department=eng,
        position="Engineer",
        salary=Decimal("5000"),
    )


def test_reverts_an_employee_with_reason_and_action(hr, person, fin):
    original = _versions(person)[0]
    employee_update(employee=person, actor=hr, position="Lead", department=fin)

    reverted = employee_revert(employee=person, version=original, actor=hr, reason="Mistake")

    assert reverted.position == "Engineer"
    assert reverted.department.code == "ENG"
    entry = AuditEntry.objects.filter(object_id=str(person.pk)).order_by("-id").first()
    assert entry.action == "reverted"
    assert entry.actor == hr
    assert text_shown(entry.reason).endswith(": Mistake")


def test_reverts_an_employees_active_flag(hr, person):
    original = _versions(person)[0]
    employee_deactivate(employee=person, actor=hr)
    assert employee_revert(employee=person, version=original, actor=hr, reason="Back").is_active


def test_username_is_not_reverted(hr, person):
    original = _versions(person)[0]
    employee_update(employee=person, actor=hr, username="pat2", position="Lead")
    reverted = employee_revert(employee=person, version=original, actor=hr, reason="r")
    assert reverted.username == "pat2"
    assert reverted.position == "Engineer"


def test_refuses_an_inactive_department(hr, person, fin):
    original = _versions(person)[0]
    employee_update(employee=person, actor=hr, department=fin)
    department_deactivate(department=person.department, actor=hr)
    _refused(
        lambda: employee_revert(employee=person, version=original, actor=hr, reason="r"),
        person,
        "is inactive; employees cannot be placed in it",
    )


def test_refuses_restoring_an_employee_into_a_deactivated_department(hr, person, eng):
    active = _versions(person)[0]
    employee_deactivate(employee=person, actor=hr)
    department_deactivate(department=eng, actor=hr)
    _refused(
        lambda: employee_revert(employee=person, version=active, actor=hr, reason="r"),
        person,
        "is inactive; employees cannot be placed in it",
    )


def test_refuses_an_employee_id_now_taken(hr, person, eng):
    original = _versions(person)[0]
    employee_update(employee=person, actor=hr, employee_id="E100002")
    employee_create(actor=None, username="other", employee_id="E100001", department=eng)
    _refused(
        lambda: employee_revert(employee=person, version=original, actor=hr, reason="r"),
        person,
        "employee ID E100001 of that version is now used by",
    )


def test_a_managers_revert_leaves_the_salary_they_may_not_see_as_it_is(make_user, person, eng):
    manager = make_user("manager", department=eng)  # may change employees, not see salaries
    original = _versions(person)[0]
    employee_update(employee=person, actor=None, salary=Decimal("6000"), position="Lead")
    reverted = employee_revert(employee=person, version=original, actor=manager, reason="r")
    assert reverted.position == "Engineer"
    assert reverted.salary == Decimal("6000")
    entry = AuditEntry.objects.filter(object_id=str(person.pk)).order_by("-id").first()
    assert "salary" not in entry.changed_fields.split()


def test_a_version_differing_only_in_salary_is_nothing_to_revert_for_a_manager(
    make_user, person, eng
):
    """Refused in the same words as a version equal to the current state: no salary signal."""
    manager = make_user("manager", department=eng)
    original = _versions(person)[0]
    with pytest.raises(ValidationError) as same:
        employee_revert(employee=person, version=original, actor=manager, reason="r")
    employee_update(employee=person, actor=None, salary=Decimal("6000"))
    before = _snapshot(person)
    with pytest.raises(ValidationError) as salary_only:
        employee_revert(employee=person, version=original, actor=manager, reason="r")
    assert _snapshot(person) == before
    assert salary_only.value.messages == same.value.messages
    assert "salary" not in " ".join(salary_only.value.messages)
    assert "nothing to revert" in " ".join(salary_only.value.messages)


def test_refuses_a_salary_change_to_one_who_sees_it_but_may_not_change_it(make_user, person, eng):
    manager = make_user("manager", department=eng)
    assign_perm("org.view_salary", manager, person)  # sees this salary, may not change it
    manager = Employee.objects.get(pk=manager.pk)
    original = _versions(person)[0]
    employee_update(employee=person, actor=None, salary=Decimal("6000"), position="Lead")
    _refused(
        lambda: employee_revert(employee=person, version=original, actor=manager, reason="r"),
        person,
        "different salary",
    )


def test_hr_reverts_the_salary_too(hr, person):
    original = _versions(person)[0]
    employee_update(employee=person, actor=None, salary=Decimal("6000"))
    reverted = employee_revert(employee=person, version=original, actor=hr, reason="r")
    assert reverted.salary == Decimal("5000")


def test_a_manager_reverts_other_fields_when_the_salary_is_the_same(make_user, person, eng):
    manager = make_user("manager", department=eng)
    original = _versions(person)[0]
    employee_update(employee=person, actor=None, position="Lead")
    reverted = employee_revert(employee=person, version=original, actor=manager, reason="r")
    assert reverted.position == "Engineer"


def test_refuses_an_actor_without_change_permission_on_the_target_department(
    make_user, person, eng, fin
):
    manager = make_user("manager", department=fin)
    at_eng = _versions(person)[0]
    employee_update(employee=person, actor=None, department=fin)
    _refused(
        lambda: employee_revert(employee=person, version=at_eng, actor=manager, reason="r"),
        person,
        "outside the ones you may change",
    )


def test_refuses_an_employee_version_that_is_current(hr, person):
    _refused(
        lambda: employee_revert(
            employee=person, version=_versions(person)[-1], actor=hr, reason="r"
        ),
        person,
        "nothing to revert",
    )


def test_auditor_may_not_revert(make_user, person):
    auditor = make_user("auditor")
    original = _versions(person)[0]
    employee_update(employee=person, actor=None, position="Lead")
    _refused(
        lambda: employee_revert(employee=person, version=original, actor=auditor, reason="r"),
        person,
        "outside the ones you may change",
    )


def test_employee_versions_are_employee_history_rows(hr, person, eng):
    with pytest.raises(ValidationError, match="not one of this record"):
        employee_revert(employee=person, version=_versions(eng)[0], actor=hr, reason="r")
    assert Employee.objects.get(pk=person.pk).position == "Engineer"
