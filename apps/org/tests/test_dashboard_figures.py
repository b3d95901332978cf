"""The dashboard's figures on a known data set: turnover, month labels, salaries."""

import json

import pytest
from django.urls import reverse

from apps.org import reports
from apps.org.tests.dashboard_data import days_ago, staff

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


@pytest.fixture
def company(tree):
    staff(tree)
    return tree


def _dashboard(client, user, query, language="en"):
    client.force_login(user)
    response = client.get(INDEX, query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response, response.context["dashboard"]


def _card(dashboard, index):
    return dashboard["cards"][index]


def test_turnover_over_the_last_30_days_of_finance(client, hr_user, company):
    # FIN: f1 (hired 200 days ago), f2 (hired 300, left 20 days ago), f3 (left 60 days
    # ago), f4 (hired 10 days ago). The day before the period: f1, f2 = 2; its last day:
    # f1, f4 = 2. One leaver / 2 = 50.0%.
    query = {"department": company["fin"].pk, "start": days_ago(29), "end": days_ago(0)}
    _response, dashboard = _dashboard(client, hr_user, query)
    turnover = _card(dashboard, 3)
    assert turnover["title"] == "Turnover rate"
    assert turnover["value"] == "50.0%"
    assert "(2 + 2) ÷ 2" in turnover["help"]
    assert "Leavers in the period ÷ average headcount × 100" in turnover["help"]


def test_turnover_over_the_last_12_months_in_chinese(client, hr_user, company):
    # The day before: f3 only (f1, f2 came later) = 1; the last day: f1, f4 = 2.
    # Two leavers / 1.5 = 133.3%.
    query = {"department": company["fin"].pk, "period": "12m"}
    response, dashboard = _dashboard(client, hr_user, query, "zh-hans")
    assert _card(dashboard, 3)["value"] == "133.3%"
    assert "133.3%" in response.content.decode()


def test_an_empty_organisation_has_no_turnover():
    within = reports.ReportScope()
    period = reports.Period(days_ago(10), days_ago(0))
    assert reports.period_figures(period=period, within=within)["turnover"] is None


def test_no_headcount_means_no_turnover(client, hr_user, tree):
    _response, dashboard = _dashboard(client, hr_user, {"department": tree["mob"].pk})
    assert _card(dashboard, 3)["value"] == "—"


def test_the_turnover_formula_is_on_the_card(client, hr_user, company):
    response, _dashboard_ = _dashboard(client, hr_user, {})
    html = response.content.decode()
    assert 'title="Leavers in the period ÷ average headcount × 100' in html


def test_month_labels_in_chinese_read_year_then_month(client, hr_user, company):
    _response, dashboard = _dashboard(client, hr_user, {}, "zh-hans")
    labels = json.loads(dashboard["trend"]["data"])["labels"]
    today = days_ago(0)
    assert labels[-1] == f"{today.year}年{today.month}月"
    assert len(labels) == 12
    assert all("年" in label and label.endswith("月") for label in labels)


def test_month_labels_in_english(client, hr_user, company):
    _response, dashboard = _dashboard(client, hr_user, {})
    labels = json.loads(dashboard["trend"]["data"])["labels"]
    assert labels[-1] == days_ago(0).strftime("%B %Y")


def test_the_trend_ends_with_a_past_period(client, hr_user, company):
    query = {"period": "custom", "start": "2024-01-01", "end": "2024-06-30"}
    _response, dashboard = _dashboard(client, hr_user, query)
    labels = json.loads(dashboard["trend"]["data"])["labels"]
    assert labels[-1] == "June 2024"


def test_salary_bands_read_as_money(client, hr_user, company):
    response, dashboard = _dashboard(client, hr_user, {})
    rows = {row["name"]: row for row in dashboard["salaries"]["rows"]}
    assert rows["Finance"]["max"] == "¥1,234,567.89"  # f4
    assert rows["Finance"]["min"] == "¥7,000.00"  # f1 (f2, f3 have left)
    html = response.content.decode()
    assert "¥1,234,567.89" in html
    data = json.loads(dashboard["salaries"]["data"])
    assert data["moneyPrefix"] == "¥"
    highest = next(d for d in data["datasets"] if d["label"] == "Highest")
    assert "¥1,234,567.89" in highest["formatted"]


def test_salary_bands_in_chinese_are_grouped_by_thousands(client, hr_user, company):
    response, dashboard = _dashboard(client, hr_user, {}, "zh-hans")
    rows = {row["name"]: row for row in dashboard["salaries"]["rows"]}
    assert rows["Finance"]["max"] == "¥1,234,567.89"
    assert "¥1,234,567.89" in response.content.decode()


@pytest.mark.parametrize("persona", ["manager", "auditor"])
def test_no_salary_band_for_readers_who_may_not_see_salaries(client, make_user, company, persona):
    response, dashboard = _dashboard(client, make_user(persona), {})
    assert dashboard["salaries"] is None
    html = response.content.decode()
    assert "¥" not in html
    assert 'id="dashboard-salary-rows"' not in html
