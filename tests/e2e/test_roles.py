"""HR opens the roles, and a role's page says what it may do, in English and Chinese."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import result_row

pytestmark = pytest.mark.browser


def test_hr_opens_a_role_and_reads_what_it_may_do(page: Page, shot, log_in, make_user):
    make_user("hr")
    make_user("manager", username="mia")
    log_in(page, "hr")
    page.locator("#nav-sidebar-inner").get_by_role("link", name="Roles").click()
    expect(page).to_have_title("Roles | Backoffice")
    expect(page.locator("#header-inner h1")).to_have_text(re.compile(r"^\s*Roles\s*$"))
    row = result_row(page, "Manager")
    expect(row).to_contain_text("1")
    expect(row).to_contain_text("Their department and everything under it")
    shot("01-roles")

    row.get_by_role("link", name="Manager").click()
    expect(page).to_have_title("Manager | Backoffice")
    rights = page.get_by_test_id("role-rights")
    expect(rights.get_by_test_id("role-right").filter(has_text="Employees")).to_contain_text(
        "Change"
    )
    crumbs = page.locator("#header-inner h1")
    expect(crumbs.get_by_role("link", name="Roles")).to_be_visible()
    shot("02-manager")


def test_a_role_page_in_chinese(page: Page, shot, log_in, make_user):
    make_user("hr")
    log_in(page, "hr")
    origin = page.url.split("/admin/", 1)[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])
    page.goto("/admin/auth/group/")
    expect(page).to_have_title(re.compile(r"^角色 \| "))
    shot("01-roles-zh")
    result_row(page, "人力资源").get_by_role("link", name="人力资源").click()
    expect(page).to_have_title(re.compile(r"^人力资源 \| "))
    expect(page.get_by_test_id("role-name")).to_have_text("人力资源")
    expect(page.get_by_test_id("role-rights")).to_contain_text("员工")
    expect(page.get_by_test_id("role-rights")).to_contain_text("查看")
    shot("02-hr-zh")
