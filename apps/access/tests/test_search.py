"""The command palette finds people and departments within the reader's scope, never stale."""

import pytest
from django.core.cache import cache

from apps.access.models import RoleAssignment
from apps.access.services import assignment_revoke
from apps.org.services import department_create, employee_create

SEARCH = "/admin/search/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(root_department):
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    ada = employee_create(
        actor=None, username="ada", first_name="Ada", last_name="Lovelace", department=eng, salary=5
    )
    grace = employee_create(
        actor=None, username="grace", first_name="Grace", last_name="Lovelace", department=fin
    )
    return {"eng": eng, "fin": fin, "ada": ada, "grace": grace}


def _palette(client, term):
    return client.get(SEARCH, {"s": term, "extended": "1"})


def test_staff_find_a_colleague_in_the_directory(staff_client, people):
    response = _palette(staff_client, "lovelace")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ada Lovelace" in body
    assert "/admin/org/employee/directory/?q=Ada+Lovelace" in body
    assert f"/admin/org/employee/{people['ada'].pk}/" not in body


def test_staff_find_a_department_on_the_chart(staff_client, people):
    body = _palette(staff_client, "financ").content.decode()
    assert f"/admin/org/department/chart/?root={people['fin'].pk}" in body
    assert f"/admin/org/department/{people['fin'].pk}/change/" not in body


def test_hr_get_the_record(hr_client, people):
    body = _palette(hr_client, "ada love").content.decode()
    assert f"/admin/org/employee/{people['ada'].pk}/change/" in body
    assert "Grace" not in body


def test_a_manager_gets_records_in_scope_and_the_directory_elsewhere(client, make_user, people):
    client.force_login(make_user("manager", department=people["eng"]))
    body = _palette(client, "lovelace").content.decode()
    assert f"/admin/org/employee/{people['ada'].pk}/change/" in body
    assert f"/admin/org/employee/{people['grace'].pk}/change/" not in body
    assert "/admin/org/employee/directory/?q=Grace+Lovelace" in body


def test_results_are_not_served_from_the_cache_after_rights_narrow(client, make_user, people):
    hr = make_user("hr")
    client.force_login(hr)
    record = f"/admin/org/employee/{people['ada'].pk}/change/"
    assert record in _palette(client, "lovelace").content.decode()
    assignment = RoleAssignment.objects.get(user=hr)
    assignment_revoke(assignment=assignment, actor=None, reason="moved on")
    body = _palette(client, "lovelace").content.decode()
    assert record not in body
    assert "/admin/org/employee/directory/?q=Ada+Lovelace" in body


@pytest.mark.parametrize("term", ["love\x00lace", "x" * 10_240, "a" * 101])
def test_hostile_terms_are_a_400_or_find_nobody(staff_client, people, term):
    response = _palette(staff_client, term)
    assert response.status_code in (400, 200)
    assert "Lovelace" not in response.content.decode()
