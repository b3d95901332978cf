"""Every figure on the dashboard links to the employee list behind it, with its row count.

The employee list refuses query parameters its filters do not offer (a 400,
apps/core/admin_lookups.py): following every link checks they all use real filters.
"""

import html
import json
import re

import pytest
from django.urls import reverse

from apps.org.tests.dashboard_data import days_ago, staff

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
EMPLOYEES = reverse("admin:org_employee_changelist")


@pytest.fixture
def company(tree):
    staff(tree)
    return tree


def _links(response) -> list[tuple[str, object]]:
    """(link, the figure it should list) for every card, department row and chart bar."""
    dashboard = response.context["dashboard"]
    links: list[tuple[str, object]] = [(c["link"], c["value"]) for c in dashboard["cards"]]
    links += [(r["link"], r["headcount"]) for r in dashboard["departments"]["rows"]]
    bars = json.loads(dashboard["departments"]["data"])
    links += list(zip(bars["links"], bars["datasets"][0]["data"], strict=True))
    if dashboard["salaries"]:
        links += [(r["link"], None) for r in dashboard["salaries"]["rows"]]
    return links


def _hrefs(response) -> set[str]:
    page = response.content.decode()
    page = page[page.index('id="hr-dashboard"') :]
    return {html.unescape(h) for h in re.findall(r'href="([^"]*)"', page) if EMPLOYEES in h}


def _expected(dashboard, link, figure):
    """What the list behind ``link`` must count: the card's figure, or the leavers'."""
    cards = {c["title"]: c["value"] for c in dashboard["cards"]}
    if figure in (None,) or isinstance(figure, str):
        # The turnover and tenure cards list the leavers / active people; salary rows the
        # department's active people (as the department row beside them).
        if "left_from" in link:
            return cards["Leavers"]
        if "department__id__exact" in link and "hire_date" not in link:
            rows = {r["link"]: r["headcount"] for r in dashboard["departments"]["rows"]}
            return rows.get(link, cards["Active headcount"])
        return cards["Active headcount"]
    return figure


def _follow_all(client, user, query=""):
    client.force_login(user)
    response = client.get(INDEX + query)
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert not dashboard["errors"]
    links = _links(response)
    # Every link the page shows is one of those checked here.
    assert _hrefs(response) <= {link for link, _ in links}
    assert len(links) >= 5
    for link, figure in links:
        listed = client.get(link)
        assert listed.status_code == 200, link
        assert listed.context["cl"].result_count == _expected(dashboard, link, figure), link
    return dashboard


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?period=12m",
        "?period=year",
        "?period=quarter",
        "?period=custom&start=2020-01-01&end=2099-12-31",
    ],
)
def test_every_link_lists_its_figure_for_hr(client, hr_user, company, query):
    _follow_all(client, hr_user, query)


def test_links_follow_the_selected_department(client, hr_user, company):
    dashboard = _follow_all(client, hr_user, f"?department={company['fin'].pk}&period=12m")
    cards = {c["title"]: c["value"] for c in dashboard["cards"]}
    assert cards["Active headcount"] == 2  # f1, f4
    assert cards["Leavers"] == 2  # f2, f3
    assert f"department__id__exact={company['fin'].pk}" in dashboard["cards"][0]["link"]


def test_every_link_lists_its_figure_for_a_manager(client, make_user, company):
    manager = make_user("manager", department=company["eng"])
    dashboard = _follow_all(client, manager, "?period=12m")
    cards = {c["title"]: c["value"] for c in dashboard["cards"]}
    assert cards["Active headcount"] == 5  # e1, w1, w2, m1 and the manager
    assert cards["Leavers"] == 0  # Finance is outside
    _follow_all(
        client,
        manager,
        f"?department={company['web'].pk}&period=custom&start=2000-01-01&end=2099-01-01",
    )


def test_the_hires_figure_lists_the_hires_of_the_period(client, hr_user, company):
    client.force_login(hr_user)
    response = client.get(INDEX)
    hires = next(c for c in response.context["dashboard"]["cards"] if c["title"] == "New hires")
    assert hires["value"] == 3  # w1, m1, f4 (the test users have no hire date)
    names = {e.username for e in client.get(hires["link"]).context["cl"].result_list}
    assert names == {"w1", "m1", "f4"}


def test_the_leave_date_filter_refuses_a_malformed_date(client, hr_user, company):
    client.force_login(hr_user)
    response = client.get(EMPLOYEES + "?left_from=yesterday")
    # Django's admin answers bad filter values with its "?e=1" page, never a 500.
    assert response.status_code == 302
    assert "e=1" in response["Location"]


def test_the_leave_date_filter_reads_the_chinese_date_picker(client, hr_user, company):
    client.force_login(hr_user)
    day = days_ago(20)
    query = f"?left_from={day:%Y/%m/%d}&left_to={day:%Y/%m/%d}"
    response = client.get(EMPLOYEES + query, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert [e.username for e in response.context["cl"].result_list] == ["f2"]


@pytest.mark.parametrize("value", ["9" * 10_000, "2026-13-01", "2026-01-01\x01"])
def test_the_leave_date_filter_refuses_hostile_values(client, hr_user, company, value):
    client.force_login(hr_user)
    response = client.get(EMPLOYEES, {"left_to": value})
    assert response.status_code == 302
    assert "e=1" in response["Location"]


def test_a_nul_in_the_leave_date_is_a_bad_request(client, hr_user, company):
    client.force_login(hr_user)
    assert client.get(EMPLOYEES, {"left_to": "\x00"}).status_code == 400
