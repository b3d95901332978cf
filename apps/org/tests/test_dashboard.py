from decimal import Decimal

import pytest
from django.urls import reverse

from apps.org.services import department_create, employee_create, employee_deactivate
from apps.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
SECRET_SALARY = Decimal("98765.43")


@pytest.fixture
def people(tree):
    employee_create(actor=None, username="rich", department=tree["mob"], salary=SECRET_SALARY)
    gone = employee_create(actor=None, username="gone", department=tree["fin"], salary=1)
    employee_deactivate(employee=gone, actor=None)
    return tree


def _html(client, user):
    client.force_login(user)
    response = client.get(INDEX)
    assert response.status_code == 200
    return response.content.decode()


def test_hr_sees_cards_and_all_three_charts(client, hr_user, people):
    html = _html(client, hr_user)
    assert "Active headcount" in html
    assert "Leavers" in html
    assert "Turnover rate" in html
    assert html.count('class="chart"') == 3
    assert "¥98,765.43" in html
    assert "Engineering" in html


def test_auditor_sees_figures_but_no_salary_anywhere(client, auditor_user, people):
    html = _html(client, auditor_user)
    assert "Active headcount" in html
    assert html.count('class="chart"') == 2
    assert "98765" not in html
    assert "Salary" not in html


def test_staff_is_welcomed_without_figures(client, staff_user, people):
    html = _html(client, staff_user)
    assert "Welcome" in html
    assert "Active headcount" not in html
    assert 'class="chart"' not in html


def test_a_manager_s_figures_cover_their_subtree_only(client, make_user, people):
    # ENG > WEB > MOB holds "rich" (and the manager); FIN holds the leaver.
    manager = make_user("manager", department=people["eng"])
    client.force_login(manager)
    response = client.get(INDEX)
    cards = {card["title"]: card["value"] for card in response.context["dashboard"]["cards"]}
    assert cards["Active headcount"] == 2  # rich and the manager
    assert cards["Leavers"] == 0  # the Finance leaver is outside
    html = response.content.decode()
    assert "Finance" not in html
    assert "98765" not in html  # managers hold no salary permission


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def _grow(tree, n, prefix):
    EmployeeFactory.create_batch(n, department=tree["web"])
    for i in range(n // 10):
        dept = department_create(
            actor=None,
            name=f"Unit {prefix}{i}",
            code=f"{prefix}{'ABCDEFGHIJ'[i]}",
            parent=tree["bog"],
        )
        EmployeeFactory.create_batch(3, department=dept)
        employee_deactivate(employee=EmployeeFactory(department=dept), actor=None)


@pytest.mark.parametrize("persona", ["hr", "auditor", "staff", "manager"])
def test_query_count_does_not_grow_with_data(
    client, make_user, people, persona, django_assert_num_queries
):
    client.force_login(make_user(persona))
    client.get(INDEX)  # warm per-process caches
    _grow(people, 10, "UA")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(INDEX)
    _grow(people, 60, "UB")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(INDEX)
