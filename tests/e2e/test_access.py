"""Who may sign in and what they see: the sidebar and the screens follow the roles."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import PASSWORD

pytestmark = pytest.mark.browser


def test_staff_is_refused_the_employee_list_and_does_not_see_it_in_the_sidebar(
    page: Page, shot, log_in, make_user
):
    make_user("staff")

    log_in(page, "staff")
    sidebar = page.locator("#nav-sidebar-apps")
    # The sidebar is there (its first link leads to the admin index), minus the org screens.
    expect(sidebar.locator('a[href="/admin/"]')).to_be_visible()
    expect(sidebar.locator('a[href="/admin/org/employee/"]')).to_have_count(0)
    expect(sidebar.get_by_role("link", name="Employees")).to_have_count(0)
    expect(sidebar.locator('a[href="/admin/org/department/"]')).to_have_count(0)
    # No section heading over nothing: staff may open nothing under these.
    for heading in ("Organisation", "Security", "Operations"):
        expect(sidebar.get_by_text(heading, exact=True)).to_have_count(0)
    expect(sidebar.get_by_text("Overview", exact=True)).to_be_visible()
    shot("01-dashboard")

    response = page.goto("/admin/org/employee/")
    assert response is not None
    assert response.status == 403
    shot("02-employees-refused")


def test_signing_in_from_the_bare_login_page_lands_on_the_admin_index(page: Page, shot, make_user):
    make_user("staff")  # a role without a second step (see tests/e2e/test_sign_in.py)

    page.goto("/admin/login/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)
    shot("01-after-login")
    assert re.search(r"/admin/$", page.url), page.url
