"""The org chart's people view: managers and their reports, only people the reader may see."""

import json

import pytest
from django.urls import reverse

from apps.org.chart import PEOPLE_PER_DEPARTMENT
from apps.org.services import department_update, employee_create

pytestmark = pytest.mark.django_db

CHART = reverse("admin:org_department_chart")


def _chart(response):
    html = response.content.decode()
    start = html.index('<script id="org-chart-data" type="application/json">')
    return json.loads(html[start:].split(">", 1)[1].split("</script>", 1)[0])


def _person(username, department, **extra):
    return employee_create(
        actor=None,
        username=username,
        first_name=username.title(),
        last_name="X",
        department=department,
        **extra,
    )


@pytest.fixture
def people(tree):
    # Engineering is headed by someone who sits in the group, above it.
    boss = _person("boss", tree["bog"])
    department_update(department=tree["eng"], actor=None, manager=boss)
    lead = _person("lead", tree["web"], position="Lead")
    department_update(department=tree["web"], actor=None, manager=lead)
    for name in ("wanda", "walt"):
        _person(name, tree["web"])
    _person("fay", tree["fin"])
    return {"boss": boss, "lead": lead}


def _find(nodes, code):
    for node in nodes:
        if node["code"] == code:
            return node
        found = _find(node["children"], code)
        if found:
            return found
    return None


def test_hr_sees_each_manager_with_their_reports(hr_client, tree, people):
    response = hr_client.get(CHART, {"view": "people"})
    assert response.status_code == 200
    assert response.context["view"] == "people"
    forest = _chart(response)
    eng = _find(forest, "ENG")
    assert (eng["kind"], eng["name"]) == ("manager", "Boss X")
    web = _find(forest, "WEB")
    assert web in eng["children"]  # the lead of a sub-department reports to its manager
    assert (web["name"], web["position"]) == ("Lead X", "Lead")
    assert [m["name"] for m in web["members"]] == ["Walt X", "Wanda X"]  # not the lead again
    bog = _find(forest, "BOG")
    assert bog["kind"] == "vacant"
    # The boss is shown as Engineering's manager, not again among the group's members.
    assert "Boss X" not in [m["name"] for m in bog["members"]]


def test_a_scoped_reader_sees_the_people_the_directory_shows(client, make_user, tree, people):
    # Names and positions are directory facts: a manager's chart names their own boss,
    # who sits above their scope, as the people directory does for everyone.
    client.force_login(make_user("manager", username="scoped", department=tree["eng"]))
    forest = _chart(client.get(CHART, {"view": "people"}))
    (eng,) = forest
    assert (eng["kind"], eng["name"]) == ("manager", "Boss X")
    names = json.dumps(forest)
    assert "Lead X" in names
    assert "Fay X" not in names  # Finance is not below the chart's root


def test_staff_see_the_people_view_too(client, make_user, tree, people):
    client.force_login(make_user("staff", username="plain", department=tree["fin"]))
    response = client.get(CHART, {"view": "people", "root": str(tree["eng"].pk)})
    assert response.status_code == 200
    assert "Wanda X" in json.dumps(_chart(response))


def test_people_who_left_are_not_drawn(hr_client, tree, people):
    from apps.org.services import employee_deactivate

    gone = _person("gone", tree["web"])
    employee_deactivate(employee=gone, actor=None)
    assert "Gone X" not in json.dumps(_chart(hr_client.get(CHART, {"view": "people"})))


def test_a_large_department_is_drawn_in_part_and_counted(hr_client, tree):
    for i in range(PEOPLE_PER_DEPARTMENT + 5):
        _person(f"p{i:02}", tree["mob"])
    mob = _find(_chart(hr_client.get(CHART, {"view": "people", "depth": "6"})), "MOB")
    assert len(mob["members"]) == PEOPLE_PER_DEPARTMENT
    assert mob["more_people"] == 5


def test_the_people_view_is_a_fixed_number_of_queries(
    hr_client, tree, people, django_assert_max_num_queries
):
    hr_client.get(CHART, {"view": "people"})
    with django_assert_max_num_queries(12) as captured:
        hr_client.get(CHART, {"view": "people"})
    fixed = len(captured)
    for i in range(10):
        _person(f"extra{i}", tree["fin"])
    with django_assert_max_num_queries(fixed):
        hr_client.get(CHART, {"view": "people"})


@pytest.mark.parametrize("view", ["people\x00", "x" * 5000, "PEOPLE", "<script>"])
def test_other_views_are_the_departments_view(hr_client, tree, view):
    response = hr_client.get(CHART, {"view": view})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.context["view"] == "departments"


def test_the_depth_and_root_apply_to_the_people_view(hr_client, tree, people):
    forest = _chart(hr_client.get(CHART, {"view": "people", "root": tree["web"].pk}))
    assert [n["code"] for n in forest] == ["WEB"]
    assert 'value="people"' in hr_client.get(CHART, {"view": "people"}).content.decode()
