"""The admin index is the HR dashboard: cards and charts drawn from the data."""

import datetime
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
    expect(dashboard.get_by_text("New hires, last 30 days")).to_be_visible()
    expect(dashboard.get_by_text("Leavers, last 90 days")).to_be_visible()
    expect(dashboard.get_by_text("Salary bands by department")).to_be_visible()
    expect(dashboard.locator("canvas.chart")).to_have_count(3)
    # Chart.js has drawn: it sizes the canvas to its container.
    box = dashboard.locator("canvas.chart").first.bounding_box()
    assert box is not None
    assert box["height"] > 100
    shot("01-dashboard")
