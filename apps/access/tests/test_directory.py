"""The people directory: everyone's phone book of active colleagues, nothing more."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.access.directory import DIRECTORY_FIELDS, directory_people
from apps.org.models import Employee
from apps.org.services import department_create, employee_create

DIRECTORY = "/admin/org/employee/directory/"


@pytest.fixture
def colleagues(root_department):
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    ada = employee_create(
        actor=None,
        username="ada",
        first_name="Ada",
        last_name="Lovelace",
        department=eng,
        position="Analyst",
        email="ada@example.com",
        phone="+442079460001",
        salary=77123,
    )
    grace = employee_create(
        actor=None, username="grace", first_name="Grace", last_name="Hopper", department=fin
    )
    gone = employee_create(
        actor=None, username="gone", first_name="Gone", last_name="Away", department=eng
    )
    Employee.objects.filter(pk=gone.pk).update(is_active=False)
    return {"eng": eng, "fin": fin, "ada": ada, "grace": grace, "gone": gone}


def test_staff_see_active_colleagues_with_contact_details_only(staff_client, colleagues):
    response = staff_client.get(DIRECTORY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lovelace" in body
    assert "Hopper" in body
    assert "ada@example.com" in body
    assert "+442079460001" in body
    assert "Analyst" in body
    assert "Away" not in body  # inactive
    assert "77123" not in body.replace(",", "")
    assert colleagues["ada"].employee_id not in body
    # Staff may open nobody's record: no links to employee pages.
    assert f"/admin/org/employee/{colleagues['ada'].pk}/" not in body


def test_the_selector_reads_only_the_directory_columns(staff_user, colleagues):
    with CaptureQueriesContext(connection) as queries:
        rows = list(directory_people(staff_user))
    assert {key for row in rows for key in row} == set(DIRECTORY_FIELDS)
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    for private in ("salary", "password", "hire_date", "employee_id", "username"):
        assert private not in sql


def test_search_by_name_words_and_filter_by_department(staff_client, colleagues):
    body = staff_client.get(DIRECTORY, {"q": "ada love"}).content.decode()
    assert "Lovelace" in body
    assert "Hopper" not in body
    fin = colleagues["fin"].pk
    body = staff_client.get(DIRECTORY, {"department": str(fin)}).content.decode()
    assert "Hopper" in body
    assert "Lovelace" not in body


def test_a_manager_gets_links_to_the_records_in_their_scope_only(client, make_user, colleagues):
    manager = make_user("manager", department=colleagues["eng"])
    client.force_login(manager)
    body = client.get(DIRECTORY).content.decode()
    assert f"/admin/org/employee/{colleagues['ada'].pk}/change/" in body
    assert f"/admin/org/employee/{colleagues['grace'].pk}/change/" not in body


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a\x00b"},
        {"q": "x" * 10_000},
        {"department": "not-a-uuid"},
        {"department": "x" * 10_000},
        {"page": "abc"},
        {"page": "999999"},
    ],
)
def test_hostile_input_is_a_400_or_an_answer_never_a_500(staff_client, colleagues, params):
    response = staff_client.get(DIRECTORY, params)
    assert response.status_code in (200, 400)
    if "q" in params and response.status_code == 200:
        assert "Lovelace" not in response.content.decode()


def test_pages_of_25_in_eleven_queries_however_many_people(
    staff_client, root_department, django_assert_num_queries
):
    # Session, user, 3 device lookups (second factor), roles held, rights snapshot,
    # count, page, the department filter's choices, the header's notification bell.
    for i in range(3):
        employee_create(actor=None, username=f"p{i}", last_name=f"P{i}", department=root_department)
    staff_client.get(DIRECTORY)
    with django_assert_num_queries(11):
        assert staff_client.get(DIRECTORY).status_code == 200
    for i in range(3, 40):
        employee_create(actor=None, username=f"p{i}", last_name=f"P{i}", department=root_department)
    with django_assert_num_queries(11):
        assert staff_client.get(DIRECTORY).status_code == 200
    response = staff_client.get(DIRECTORY)
    assert len(response.context["rows"]) == 25
    assert "Page 1 of 2" in response.content.decode()


def test_the_directory_needs_a_sign_in(client, colleagues):
    response = client.get(DIRECTORY)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
