"""The dashboard's department and period form: what it accepts, and what it refuses."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.org.dashboard import period_bounds
from apps.org.services import department_create, employee_create
from apps.org.tests.dashboard_data import days_ago, staff

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


@pytest.fixture
def company(tree):
    staff(tree)
    return tree


def _get(client, user, query):
    client.force_login(user)
    response = client.get(INDEX, query)
    assert response.status_code == 200
    return response, response.context["dashboard"]


def _cards(dashboard):
    return {c["title"]: c["value"] for c in dashboard["cards"]}


def test_the_default_is_everyone_over_the_last_30_days(client, hr_user, company):
    _response, dashboard = _get(client, hr_user, {})
    assert dashboard["department"] is None
    assert dashboard["errors"] == []
    assert _cards(dashboard)["Leavers"] == 1  # f2, 20 days ago; f3 left 60 days ago


def test_a_department_narrows_every_figure(client, hr_user, company):
    response, dashboard = _get(client, hr_user, {"department": company["web"].pk})
    assert _cards(dashboard)["Active headcount"] == 3  # w1, w2, m1
    assert [r["name"] for r in dashboard["departments"]["rows"]] == ["Mobile"]
    html = response.content.decode()
    assert "Web and its sub-departments" in html
    assert "Finance" not in html.split('id="dashboard-scope"')[1]


@pytest.mark.parametrize(
    ("query", "leavers"),
    [
        ({"period": "30d"}, 1),
        ({"period": "12m"}, 2),
        ({"period": "custom", "start": days_ago(61), "end": days_ago(59)}, 1),
        ({"start": days_ago(25), "end": days_ago(15)}, 1),  # dates alone: a custom period
        ({"period": "12m", "start": days_ago(2), "end": days_ago(1)}, 2),  # a named one wins
    ],
)
def test_periods(client, hr_user, company, query, leavers):
    _response, dashboard = _get(client, hr_user, query)
    assert dashboard["errors"] == []
    assert _cards(dashboard)["Leavers"] == leavers


def test_named_periods_end_today():
    today = datetime.date(2026, 5, 17)
    assert period_bounds("30d", today=today).start == datetime.date(2026, 4, 18)
    assert period_bounds("quarter", today=today).start == datetime.date(2026, 4, 1)
    assert period_bounds("12m", today=today).start == datetime.date(2025, 5, 18)
    assert period_bounds("year", today=today).start == datetime.date(2026, 1, 1)
    leap = period_bounds("12m", today=datetime.date(2028, 2, 29))
    assert leap.start == datetime.date(2027, 3, 1)
    assert {period_bounds(p, today=today).end for p in ("30d", "quarter", "12m", "year")} == {today}


HOSTILE = [
    ({"department": "00000000-0000-0000-0000-000000000000"}, "department is unknown"),
    ({"department": "not-a-uuid"}, "department is unknown"),
    ({"department": "x" * 10_000}, "department is unknown"),
    ({"department": "\x00"}, "department is unknown"),
    ({"period": "forever"}, "Select a valid choice"),
    ({"period": "30d\x00"}, "Select a valid choice"),
    ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "valid date"),
    ({"period": "custom", "start": "yesterday", "end": "2026-03-01"}, "valid date"),
    ({"period": "custom", "start": "2026-01-01\x00", "end": "2026-03-01"}, "valid date"),
    ({"period": "custom", "start": "1" * 10_000, "end": "2026-03-01"}, "valid date"),
    ({"period": "custom", "start": "2026-03-01", "end": "2026-01-01"}, "starts after it ends"),
    ({"period": "custom", "start": "2026-03-01"}, "needs both dates"),
    ({"period": "custom", "start": "0001-01-01", "end": "9999-12-31"}, "between 1900 and 2100"),
]


@pytest.mark.parametrize(("query", "message"), HOSTILE)
def test_bad_input_says_so_and_shows_the_default_view(client, hr_user, company, query, message):
    response, dashboard = _get(client, hr_user, query)
    assert any(message in error for error in dashboard["errors"]), dashboard["errors"]
    html = response.content.decode()
    assert 'id="dashboard-errors"' in html
    assert "shows the default view" in html
    assert dashboard["department"] is None
    assert dashboard["period_label"] == _get(client, hr_user, {})[1]["period_label"]
    # The bad value is not echoed back into the form.
    assert "x" * 100 not in html
    assert "1" * 100 not in html


def test_a_manager_asking_for_a_department_outside_their_scope_sees_nothing_of_it(
    client, make_user, company
):
    manager = make_user("manager", department=company["eng"])
    response, dashboard = _get(client, manager, {"department": company["fin"].pk, "period": "12m"})
    assert dashboard["department"] is None
    assert any("department is unknown" in e for e in dashboard["errors"])
    # The manager's own default figures, nothing of Finance (2 active, 2 leavers).
    cards = _cards(dashboard)
    assert cards["Active headcount"] == 5
    assert cards["Leavers"] == 0
    html = response.content.decode()
    assert "Finance" not in html
    assert str(company["fin"].pk) not in html
    # The same message as for an id that does not exist at all.
    made_up = _get(client, manager, {"department": "00000000-0000-0000-0000-000000000000"})[1]
    assert made_up["errors"] == dashboard["errors"]


def test_the_department_autocomplete_offers_only_the_readers_departments(
    client, make_user, company
):
    manager = make_user("manager", department=company["eng"])
    client.force_login(manager)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "org", "model_name": "employee", "field_name": "department", "term": ""},
    )
    assert response.status_code == 200
    names = {row["text"] for row in response.json()["results"]}
    assert "Finance" not in str(names)
    assert any("Web" in name for name in names)


def _count(client, query):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(INDEX, query).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("persona", ["hr", "manager"])
def test_a_filtered_dashboard_runs_a_bounded_number_of_queries(client, make_user, company, persona):
    client.force_login(make_user(persona, department=company["eng"]))
    query = {
        "department": company["web"].pk,
        "period": "custom",
        "start": "2020-01-01",
        "end": days_ago(0),
    }
    _count(client, query)  # warm per-process caches
    few = _count(client, query)
    for i in range(30):
        employee_create(actor=None, username=f"more{i}", department=company["mob"])
    for i in range(5):
        department_create(
            actor=None, name=f"Unit {i}", code=f"UN{'ABCDE'[i]}", parent=company["web"]
        )
    assert _count(client, query) == few
    assert few <= 16, few  # 10 to 12 when written
