"""The admin index is the HR dashboard: cards and charts drawn from the data."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.org.services import department_create, employee_create

pytestmark = pytest.mark.browser


def _staff_a_small_company(root):
    today = timezone.localdate()
    teams = {
        "Engineering": ("ENG", 7, Decimal("7200")),
        "Finance": ("FIN", 3, Decimal("5400")),
        "Sales": ("SAL", 5, Decimal("4800")),
    }
    for name, (code, size, base) in teams.items():
        top = department_create(actor=None, name=name, code=code, parent=root)
        for i in range(size):
            employee_create(
                actor=None,
                username=f"{code.lower()}{i}",
                first_name=f"{name} {i}",
                department=top,
                hire_date=today - datetime.timedelta(days=40 * i + 10),
                salary=base + 350 * i,
            )


def test_hr_sees_the_dashboard_cards_and_charts(
    page: Page, shot, log_in, make_user, root_department
):
    make_user("hr")
    _staff_a_small_company(root_department)

    log_in(page, "hr")
    dashboard = page.locator("#hr-dashboard")
    expect(dashboard.get_by_text("Active headcount")).to_be_visible()
    expect(dashboard.locator("[data-figure='New hires']")).to_be_visible()
    expect(dashboard.locator("[data-figure='Turnover rate']")).to_be_visible()
    expect(dashboard.get_by_text("Salary bands by department")).to_be_visible()
    expect(dashboard.locator("canvas.chart")).to_have_count(3)
    # Chart.js has drawn: it sizes the canvas to its container.
    box = dashboard.locator("canvas.chart").first.bounding_box()
    assert box is not None
    assert box["height"] > 100
    shot("01-dashboard")


def _bar_point(page: Page, chart: str, index: int) -> dict:
    """Where bar ``index`` of the chart in ``#<chart>`` is drawn, relative to its canvas."""
    return page.evaluate(
        """([selector, index]) => {
            const canvas = document.querySelector(selector + " canvas.chart");
            const bar = Chart.getChart(canvas).getDatasetMeta(0).data[index];
            return {x: bar.x, y: (bar.y + bar.base) / 2};
        }""",
        [f"#{chart}", index],
    )


def test_hr_filters_by_department_and_period_and_follows_a_figure(
    page: Page, shot, log_in, make_user, root_department
):
    from apps.org.tests.dashboard_data import left_on

    make_user("hr")
    _staff_a_small_company(root_department)
    from apps.org.models import Department, Employee

    engineering = Department.objects.get(code="ENG")
    platform = department_create(actor=None, name="Platform", code="PLT", parent=engineering)
    mobile = department_create(actor=None, name="Mobile", code="MOB", parent=engineering)
    today = timezone.localdate()
    for i in range(3):
        employee_create(
            actor=None,
            username=f"plt{i}",
            department=platform,
            hire_date=today - datetime.timedelta(days=500),
            salary=Decimal("15250.50") + i * 1000,
        )
    employee_create(actor=None, username="mob0", department=mobile, salary=Decimal("9900"))
    left_on(Employee.objects.get(username="plt2"), today - datetime.timedelta(days=45))

    log_in(page, "hr")
    dashboard = page.locator("#hr-dashboard")
    expect(dashboard.locator("#dashboard-scope")).to_contain_text("Everyone you may see")

    # Engineering over the last 12 months.
    page.locator("#id_department + .select2-container .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Eng")
    page.locator(".select2-results__option", has_text="Engineering").click()
    page.locator("#id_period").select_option("12m")
    page.get_by_role("button", name="Apply").click()
    expect(dashboard.locator("#dashboard-scope")).to_contain_text(
        "Engineering and its sub-departments"
    )
    expect(page.locator("#select2-id_department-container")).to_contain_text("Engineering")
    headcount = dashboard.locator("[data-figure='Active headcount']")
    expect(headcount).to_contain_text("10")  # 7, Platform's 2 still active, Mobile's 1
    expect(dashboard.locator("[data-figure='Leavers']")).to_contain_text("1")
    turnover = dashboard.locator("[data-figure='Turnover rate']")
    expect(turnover).to_have_attribute("title", re.compile(r"average headcount"))
    expect(dashboard.locator("#dashboard-department-rows")).to_contain_text("Platform")
    expect(dashboard.locator("#dashboard-salary-rows")).to_contain_text("¥16,250.50")
    shot("01-engineering-12-months")

    # Hovering a salary bar shows the salary as it reads everywhere.
    point = _bar_point(page, "dashboard-salaries", 0)
    dashboard.locator("#dashboard-salaries canvas").hover(position=point)
    shot("02-salary-tooltip")

    # The leavers figure lands on the list of that leaver.
    dashboard.locator("[data-figure='Leavers']").click()
    expect(page).to_have_url(re.compile(r"/admin/org/employee/\?.*left_from="))
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("E0")
    page.locator('#changelist a[x-on\\:click="filterOpen = true"]').click()
    expect(page.locator("#id_left_from")).to_have_value(
        (today - datetime.timedelta(days=364)).isoformat()
    )
    shot("03-leavers-list")
    page.keyboard.press("Escape")
    page.go_back()

    # A bar of the department chart lands on that department's people.
    first = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.querySelector("#dashboard-departments canvas"));
            return {link: chart.data.links[0], count: chart.data.datasets[0].data[0]};
        }"""
    )
    point = _bar_point(page, "dashboard-departments", 0)
    page.locator("#dashboard-departments canvas").click(position=point)
    expect(page).to_have_url(re.compile(re.escape(first["link"]) + "$"))
    expect(page.locator("#result_list tbody tr")).to_have_count(first["count"])
    shot("04-department-list")


def test_the_dashboard_in_chinese(page: Page, shot, log_in, make_user, root_department):
    make_user("hr")
    _staff_a_small_company(root_department)
    log_in(page, "hr")
    origin = page.url.split("/admin/", 1)[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])
    page.goto("/admin/?period=year")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    dashboard = page.locator("#hr-dashboard")
    expect(dashboard.get_by_text("离职率")).to_be_visible()
    labels = page.evaluate(
        "() => Chart.getChart(document.querySelector('#hr-dashboard canvas.chart')).data.labels"
    )
    today = timezone.localdate()
    assert labels[-1] == f"{today.year}年{today.month}月"
    expect(dashboard.locator("#dashboard-salary-rows")).to_contain_text("¥")
    shot("01-dashboard-zh")

    # Bad input: a message and the default view.
    page.goto("/admin/?period=custom&start=2026-05-01&end=2026-01-01")
    expect(dashboard.locator("#dashboard-errors")).to_contain_text("起始日期晚于截止日期")
    shot("02-bad-period-zh")
