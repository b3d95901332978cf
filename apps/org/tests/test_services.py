from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.history import acting_as
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

pytestmark = pytest.mark.django_db


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- departments -----------------------------------------------------------------


def test_create_suggests_a_code_from_the_name(root_department):
    dept = department_create(actor=None, name="Human Resources", parent=root_department)
    assert dept.code == "HR"


def test_create_suggests_a_free_variant_when_the_code_is_taken(root_department):
    department_create(actor=None, name="Engineering", parent=root_department)
    second = department_create(actor=None, name="Engines", parent=root_department)
    assert second.code == "ENGA"


def test_create_suggests_pinyin_initials_for_chinese_names(root_department):
    dept = department_create(actor=None, name="数据平台", parent=root_department)
    assert dept.code == "SJPT"


@pytest.mark.parametrize("code", ["eng", "E", "ENGINEER", "EN1", "EN-G", "ÉNG", "<b>"])
def test_create_refuses_an_invalid_code(root_department, code):
    with pytest.raises(ValidationError) as exc:
        department_create(actor=None, name="Engineering", code=code, parent=root_department)
    assert "code" in exc.value.message_dict
    assert not Department.objects.filter(name="Engineering").exists()


def test_create_refuses_a_duplicate_code(root_department):
    with pytest.raises(ValidationError):
        department_create(actor=None, name="Other", code="BOG", parent=root_department)


def test_create_refuses_an_inactive_parent(tree):
    department_deactivate(department=tree["fin"], actor=None)
    with pytest.raises(ValidationError, match="inactive"):
        department_create(actor=None, name="Tax", parent=_fresh(tree["fin"]))


def test_create_records_the_actor_in_history(root_department, make_user):
    hr = make_user("hr")
    dept = department_create(actor=hr, name="Legal", parent=root_department)
    assert dept.history.get().history_user == hr


def test_move_reparents_the_whole_subtree(tree):
    department_move(department=tree["web"], parent=tree["fin"], actor=None, reason="Reorg")
    web, mob, fin = _fresh(tree["web"]), _fresh(tree["mob"]), _fresh(tree["fin"])
    assert web.parent == fin
    assert fin.lft < mob.lft < mob.rght < fin.rght
    assert mob.level == 3


def test_move_writes_history_with_the_reason(tree, make_user):
    hr = make_user("hr")
    department_move(department=tree["web"], parent=tree["fin"], actor=hr, reason="Reorg 2026")
    record = _fresh(tree["web"]).history.first()
    assert record.history_change_reason == "Reorg 2026"
    assert record.history_user == hr
    assert record.parent_id == tree["fin"].pk


def test_move_refuses_the_department_itself_as_parent(tree):
    with pytest.raises(ValidationError, match="under itself"):
        department_move(department=tree["eng"], parent=tree["eng"], actor=None)


def test_move_refuses_a_descendant_as_parent(tree):
    with pytest.raises(ValidationError, match="sub-departments"):
        department_move(department=tree["eng"], parent=tree["mob"], actor=None)
    assert _fresh(tree["eng"]).parent == tree["bog"]


def test_move_refuses_an_inactive_target(tree):
    department_deactivate(department=tree["fin"], actor=None)
    with pytest.raises(ValidationError, match="inactive"):
        department_move(department=tree["web"], parent=_fresh(tree["fin"]), actor=None)


def test_move_uses_fresh_tree_coordinates_of_a_stale_instance(tree):
    stale_mob = tree["mob"]
    department_move(department=tree["web"], parent=tree["fin"], actor=None)
    # The caller's MOB instance has old lft/rght; the move must not trust them.
    department_move(department=stale_mob, parent=tree["eng"], actor=None)
    assert _fresh(tree["mob"]).parent == tree["eng"]


def test_update_with_a_new_parent_goes_through_the_move_rules(tree):
    with pytest.raises(ValidationError):
        department_update(department=tree["eng"], actor=None, parent=tree["web"])


def test_department_update_refuses_unknown_fields(tree):
    with pytest.raises(ValidationError, match="Unknown"):
        department_update(department=tree["eng"], actor=None, lft=1)


def test_update_changes_name_and_keeps_code(tree):
    updated = department_update(department=tree["eng"], actor=None, name="R&D")
    assert (updated.name, updated.code) == ("R&D", "ENG")


def test_deactivate_refuses_a_department_with_active_employees(tree):
    employee_create(actor=None, username="ann", department=tree["fin"])
    with pytest.raises(ValidationError) as exc:
        department_deactivate(department=tree["fin"], actor=None)
    assert "1 active employee" in exc.value.messages[0]
    assert _fresh(tree["fin"]).is_active


def test_deactivate_refuses_a_department_with_active_children(tree):
    with pytest.raises(ValidationError, match="1 active sub-department"):
        department_deactivate(department=tree["web"], actor=None)


def test_deactivate_and_restore_a_leaf(tree):
    department_deactivate(department=tree["mob"], actor=None)
    assert not _fresh(tree["mob"]).is_active
    department_restore(department=tree["mob"], actor=None)
    assert _fresh(tree["mob"]).is_active
    reasons = list(tree["mob"].history.values_list("history_change_reason", flat=True))
    assert reasons[:2] == ["Restored", "Deactivated"]


def test_restore_refuses_while_the_parent_is_inactive(tree):
    department_deactivate(department=tree["mob"], actor=None)
    department_deactivate(department=tree["web"], actor=None)
    with pytest.raises(ValidationError, match="parent"):
        department_restore(department=tree["mob"], actor=None)


# --- employees ---------------------------------------------------------------------


def test_create_generates_sequential_employee_ids(root_department):
    first = employee_create(actor=None, username="a", department=root_department)
    second = employee_create(actor=None, username="b", department=root_department)
    assert (first.employee_id, second.employee_id) == ("E000001", "E000002")


def test_create_refuses_a_duplicate_employee_id(root_department):
    employee_create(actor=None, username="a", employee_id="X1")
    with pytest.raises(ValidationError) as exc:
        employee_create(actor=None, username="b", employee_id="X1")
    assert "employee_id" in exc.value.message_dict
    assert not Employee.objects.filter(username="b").exists()


def test_create_refuses_a_negative_salary():
    with pytest.raises(ValidationError) as exc:
        employee_create(actor=None, username="a", salary=Decimal("-1"))
    assert "salary" in exc.value.message_dict


@pytest.mark.parametrize("phone", ["12345", "call me", "+1 555", "+" + "9" * 40, "<script>"])
def test_create_refuses_a_malformed_phone(phone):
    with pytest.raises(ValidationError):
        employee_create(actor=None, username="a", phone=phone)
    assert not Employee.objects.filter(username="a").exists()


def test_create_stores_the_phone_in_e164():
    emp = employee_create(actor=None, username="a", phone="+44 20 7946 0958")
    assert emp.phone == "+442079460958"


def test_create_refuses_an_inactive_department(tree):
    department_deactivate(department=tree["mob"], actor=None)
    with pytest.raises(ValidationError, match="inactive"):
        employee_create(actor=None, username="a", department=_fresh(tree["mob"]))


def test_create_without_password_gives_an_unusable_one():
    assert not employee_create(actor=None, username="a").has_usable_password()


def test_update_records_the_actor_from_acting_as(tree, make_user):
    hr = make_user("hr")
    emp = employee_create(actor=None, username="a", department=tree["eng"])
    with acting_as(hr):
        emp.position = "Lead"
        emp.save()
    assert emp.history.first().history_user == hr


def test_update_moves_an_employee_and_writes_history(tree):
    emp = employee_create(actor=None, username="a", department=tree["eng"])
    employee_update(employee=emp, actor=None, department=tree["fin"])
    assert _fresh(emp).department == tree["fin"]
    assert emp.history.first().department_id == tree["fin"].pk


def test_employee_update_refuses_unknown_fields(root_department):
    emp = employee_create(actor=None, username="a")
    with pytest.raises(ValidationError, match="Unknown"):
        employee_update(employee=emp, actor=None, password="x")


def test_deactivate_refuses_your_own_account(make_user):
    hr = make_user("hr")
    with pytest.raises(ValidationError, match="own account"):
        employee_deactivate(employee=hr, actor=hr)


def test_deactivate_and_restore_an_employee(tree, make_user):
    hr = make_user("hr")
    emp = employee_create(actor=None, username="a", department=tree["eng"])
    employee_deactivate(employee=emp, actor=hr)
    assert not _fresh(emp).is_active
    employee_restore(employee=emp, actor=hr)
    assert _fresh(emp).is_active


def test_restore_refuses_an_employee_of_an_inactive_department(tree):
    emp = employee_create(actor=None, username="a", department=tree["mob"])
    employee_deactivate(employee=emp, actor=None)
    department_deactivate(department=tree["mob"], actor=None)
    with pytest.raises(ValidationError, match="inactive"):
        employee_restore(employee=emp, actor=None)


def test_password_is_not_kept_in_history():
    emp = employee_create(actor=None, username="a", password="secret-pass-1")
    assert not hasattr(emp.history.first(), "password")


def test_chinese_names_read_family_name_first():
    emp = employee_create(actor=None, username="a", first_name="伟", last_name="王")
    assert emp.get_full_name() == "王伟"


def test_western_names_read_given_name_first():
    emp = employee_create(actor=None, username="a", first_name="Grace", last_name="Hopper")
    assert emp.get_full_name() == "Grace Hopper"
