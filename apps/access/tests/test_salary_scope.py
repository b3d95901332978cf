"""Salary follows its own permission's scope, even where a user sees more people."""

import pytest

from apps.access.roles import AUDITOR
from apps.access.services import assignment_create
from apps.org.models import Employee
from apps.org.services import employee_create


@pytest.fixture
def setup(salary_partner):
    return salary_partner


def test_the_list_shows_salaries_inside_the_salary_scope_only(client, setup):
    client.force_login(setup["viewer"])
    body = client.get("/admin/org/employee/").content.decode().replace(",", "")
    assert "ines" in body
    assert "otto" in body
    assert "71717" in body
    assert "93939" not in body


def test_the_form_of_an_outside_employee_has_no_salary(client, setup):
    client.force_login(setup["viewer"])
    inside = client.get(f"/admin/org/employee/{setup['inside'].pk}/change/").content.decode()
    outside = client.get(f"/admin/org/employee/{setup['outside'].pk}/change/").content.decode()
    assert "71717" in inside.replace(",", "")
    assert 'name="salary"' in inside
    assert "93939" not in outside.replace(",", "")
    assert 'name="salary"' not in outside


def test_a_user_without_salary_rights_never_gets_the_column(client, roles, root_department):
    employee_create(actor=None, username="otto", department=root_department, salary=93939)
    auditor = employee_create(
        actor=None,
        username="aud",
        password="pw-for-tests-1",
        department=root_department,
        is_staff=True,
    )
    assignment_create(actor=None, user=auditor, role=roles[AUDITOR], reason="audit")
    client.force_login(auditor)
    response = client.get("/admin/org/employee/")
    assert "93939" not in response.content.decode().replace(",", "")
    assert client.get("/admin/org/employee/?o=6").status_code == 200
    assert Employee.objects.filter(salary=93939).exists()


def test_a_partial_salary_viewer_cannot_sort_by_salary(client, setup):
    # Sorting would order the masked rows as well, and so tell their salaries apart.
    client.force_login(setup["viewer"])
    response = client.get("/admin/org/employee/")
    columns = list(response.context["cl"].list_display)
    index = columns.index("salary_masked")
    for sign in ("", "-"):
        ordered = client.get(f"/admin/org/employee/?o={sign}{index}")
        assert ordered.status_code == 200
        ordering = [str(o) for o in ordered.context["cl"].queryset.query.order_by]
        assert not any("salary" in o for o in ordering)
