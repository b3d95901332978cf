"""The org chart is everyone's: names and managers; figures only for those who list departments."""

import json

import pytest

from apps.access.directory import chart_departments
from apps.org.models import Department
from apps.org.services import department_create, employee_create

CHART = "/admin/org/department/chart/"


def _chart(response):
    html = response.content.decode()
    start = html.index('<script id="org-chart-data" type="application/json">')
    return json.loads(html[start:].split(">", 1)[1].split("</script>", 1)[0])


@pytest.fixture
def departments(root_department):
    boss = employee_create(actor=None, username="boss", first_name="Bea", last_name="Boss")
    eng = department_create(
        actor=None, name="Engineering", code="ENG", parent=root_department, manager=boss
    )
    old = department_create(actor=None, name="Closed", code="OLD", parent=root_department)
    Department.objects.filter(pk=old.pk).update(is_active=False)
    employee_create(actor=None, username="e1", department=eng)
    return {"eng": eng, "old": old}


def test_staff_see_names_and_managers_without_figures(staff_client, departments):
    response = staff_client.get(CHART)
    assert response.status_code == 200
    (bog,) = _chart(response)
    assert bog["headcount"] is None
    assert bog["direct"] is None
    (eng,) = bog["children"]  # the inactive department is not shown
    assert eng["name"] == "Engineering"
    assert eng["manager"] == "Bea Boss"
    assert eng["headcount"] is None


def test_hr_still_see_the_figures_and_inactive_departments(hr_client, departments):
    (bog,) = _chart(hr_client.get(CHART))
    assert bog["headcount"] == 2  # hr and e1 (the boss is in no department)
    assert {c["code"] for c in bog["children"]} == {"ENG", "OLD"}


def test_staff_cannot_open_an_inactive_department_as_root(staff_client, departments):
    assert staff_client.get(CHART, {"root": str(departments["old"].pk)}).status_code == 404
    assert staff_client.get(CHART, {"root": str(departments["eng"].pk)}).status_code == 200


def test_a_manager_sees_their_scope_only(make_user, departments):
    manager = make_user("manager", department=departments["eng"])
    assert set(chart_departments(manager)) == {departments["eng"]}
