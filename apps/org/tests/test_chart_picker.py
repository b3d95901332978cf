"""The org chart's department picker asks its own endpoint: the departments the reader's
chart shows (staff included, who may not list departments), by name or code, 20 a page."""

import pytest
from django.urls import reverse

from apps.org.services import department_create, department_deactivate

pytestmark = pytest.mark.django_db

PICKER = reverse("admin:org_department_chart_departments")
CHART = reverse("admin:org_department_chart")


def _codes(response):
    assert response.status_code == 200, response.content
    return [r["code"] for r in response.json()["results"]]


def test_it_lives_next_to_the_chart():
    assert PICKER == "/admin/org/department/chart/departments/"


def test_staff_get_the_departments_of_their_chart(staff_client, tree):
    response = staff_client.get(PICKER, {"term": "eng"})
    assert _codes(response) == ["ENG"]
    (row,) = response.json()["results"]
    assert row == {
        "id": str(tree["eng"].pk),
        "text": "Engineering (ENG)",
        "name": "Engineering",
        "code": "ENG",
    }
    assert response.json()["pagination"] == {"more": False}
    # By code too, and everything in tree order without a term.
    assert _codes(staff_client.get(PICKER, {"term": "MOB"})) == ["MOB"]
    assert _codes(staff_client.get(PICKER)) == ["BOG", "ENG", "WEB", "MOB", "FIN"]


def test_the_admin_autocomplete_still_refuses_staff(staff_client, tree):
    """Why the picker has its own source: staff may not list departments."""
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"term": "eng", "app_label": "org", "model_name": "department", "field_name": "parent"},
    )
    assert response.status_code == 403


def test_staff_never_get_an_inactive_department(staff_client, tree):
    department_deactivate(department=tree["mob"], actor=None)
    assert _codes(staff_client.get(PICKER, {"term": "mob"})) == []


def test_hr_gets_every_department_inactive_included(hr_client, tree):
    department_deactivate(department=tree["mob"], actor=None)
    assert _codes(hr_client.get(PICKER, {"term": "mob"})) == ["MOB"]


def test_a_manager_gets_their_subtree_only(client, make_user, tree):
    client.force_login(make_user("manager", department=tree["eng"]))
    assert _codes(client.get(PICKER)) == ["ENG", "WEB", "MOB"]
    assert _codes(client.get(PICKER, {"term": "fin"})) == []


def test_answers_come_twenty_a_page(staff_client, root_department, django_assert_max_num_queries):
    for i in range(45):
        department_create(
            actor=None,
            name=f"Team {i:02}",
            code="T" + chr(65 + i // 26) + chr(65 + i % 26),
            parent=root_department,
        )
    with django_assert_max_num_queries(8):
        first = staff_client.get(PICKER, {"term": "team"}).json()
    assert len(first["results"]) == 20
    assert first["pagination"] == {"more": True}
    third = staff_client.get(PICKER, {"term": "team", "page": "3"}).json()
    assert len(third["results"]) == 5
    assert third["pagination"] == {"more": False}
    seen = {
        r["id"]
        for p in (1, 2, 3)
        for r in staff_client.get(PICKER, {"term": "team", "page": p}).json()["results"]
    }
    assert len(seen) == 45


@pytest.mark.parametrize(
    "params",
    [
        {"term": "\x00"},
        {"term": "eng\x00"},
        {"term": "x" * 10_000},
        {"page": "0"},
        {"page": "-1"},
        {"page": "two"},
        {"page": "\x00"},
        {"page": "99999999999999999999"},
    ],
)
def test_hostile_input_is_a_400(staff_client, tree, params):
    assert staff_client.get(PICKER, params).status_code == 400


@pytest.mark.parametrize("term", ["%", "_", "' OR 1=1 --", "工程", "\\"])
def test_odd_terms_just_search(staff_client, tree, term):
    assert staff_client.get(PICKER, {"term": term}).status_code == 200


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PICKER)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_chart_page_points_its_picker_at_it(staff_client, tree):
    response = staff_client.get(CHART, {"root": str(tree["eng"].pk)})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-ajax--url="{PICKER}"' in page
    # The chosen department is drawn as the picker's selected option.
    assert f'<option value="{tree["eng"].pk}" selected>Engineering (ENG)</option>' in page
