"""A manager cannot push departments or people out of the tree (issue 12, point 5)."""

import pytest
from django.core.exceptions import ValidationError

from apps.org.models import Department, Employee
from apps.org.services import department_create, department_move, employee_create, employee_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def eng_manager(make_user, tree):
    return make_user("manager", username="engmgr", department=tree["eng"], scope=tree["eng"])


def test_a_scoped_manager_cannot_move_a_department_to_the_top(eng_manager, tree):
    with pytest.raises(ValidationError, match="organisation-wide"):
        department_move(department=tree["web"], parent=None, actor=eng_manager)
    with pytest.raises(ValidationError):
        department_move(department=tree["eng"], parent=None, actor=eng_manager)
    assert Department.objects.get(pk=tree["web"].pk).parent_id == tree["eng"].pk
    assert Department.objects.get(pk=tree["eng"].pk).parent_id == tree["bog"].pk


@pytest.fixture
def eng_hr(make_user, tree):
    """HR for the Engineering subtree only: may add departments there."""
    return make_user("hr", username="enghr", department=tree["eng"], scope=tree["eng"])


def test_a_scoped_hr_cannot_create_a_top_department(eng_hr, tree):
    department_create(actor=eng_hr, name="Platform", code="PLT", parent=tree["eng"])
    with pytest.raises(ValidationError, match="organisation-wide"):
        department_create(actor=eng_hr, name="Breakaway", code="BRK")
    assert not Department.objects.filter(code="BRK").exists()


def test_hr_moves_a_department_to_the_top(hr_user, tree):
    department_move(department=tree["fin"], parent=None, actor=hr_user)
    assert Department.objects.get(pk=tree["fin"].pk).parent_id is None


def test_the_change_form_refuses_an_empty_parent_for_a_scoped_manager(client, eng_manager, tree):
    client.force_login(eng_manager)
    web = tree["web"]
    response = client.post(
        f"/admin/org/department/{web.pk}/change/",
        {"name": web.name, "code": web.code, "parent": "", "manager": "", "description": ""},
    )
    assert response.status_code == 200  # the form again, with the error on the parent
    assert "organisation-wide" in response.content.decode()
    assert Department.objects.get(pk=web.pk).parent_id == tree["eng"].pk


def test_the_add_form_refuses_a_top_department_for_a_scoped_hr(client, eng_hr):
    client.force_login(eng_hr)
    response = client.post(
        "/admin/org/department/add/", {"name": "Breakaway", "code": "BRK", "parent": ""}
    )
    assert response.status_code == 200
    assert "organisation-wide" in response.content.decode()
    assert not Department.objects.filter(code="BRK").exists()


def test_an_employee_cannot_lose_their_department(eng_manager, tree):
    person = employee_create(actor=None, username="web1", department=tree["web"])
    with pytest.raises(ValidationError, match="belongs to a department"):
        employee_update(employee=person, actor=eng_manager, department=None)
    assert Employee.objects.get(pk=person.pk).department_id == tree["web"].pk


def test_nobody_creates_an_employee_without_a_department(hr_user):
    with pytest.raises(ValidationError, match="belongs to a department"):
        employee_create(actor=hr_user, username="floating")


def test_the_change_form_requires_a_department(client, eng_manager, tree):
    person = employee_create(actor=None, username="web2", department=tree["web"])
    client.force_login(eng_manager)
    response = client.post(
        f"/admin/org/employee/{person.pk}/change/",
        {"username": "web2", "employee_id": person.employee_id, "department": ""},
    )
    assert response.status_code == 200
    assert Employee.objects.get(pk=person.pk).department_id == tree["web"].pk
