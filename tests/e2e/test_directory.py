"""A plain employee looks a colleague up in the people directory, in English and Chinese."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.org.services import employee_create

pytestmark = pytest.mark.browser


@pytest.fixture
def people(org):
    employee_create(
        actor=None,
        username="ada",
        first_name="Ada",
        last_name="Lovelace",
        department=org["web"],
        position="Engineer",
        email="ada@example.com",
        phone="+442079460001",
        salary=91234,
    )
    employee_create(
        actor=None, username="grace", first_name="Grace", last_name="Hopper", department=org["fin"]
    )
    return org


def test_staff_search_and_filter_the_directory(page: Page, shot, log_in, make_user, people):
    make_user("staff")
    log_in(page, "staff")
    page.locator("#nav-sidebar-inner").get_by_role("link", name="People directory").click()
    expect(page).to_have_title("People directory | Backoffice")
    rows = page.get_by_test_id("directory-row")
    expect(rows.filter(has_text="Lovelace")).to_contain_text("ada@example.com")
    expect(rows.filter(has_text="Hopper")).to_have_count(1)
    expect(page.get_by_test_id("directory-table")).not_to_contain_text("91234")
    expect(page.get_by_test_id("directory-table").locator("a[href*='/change/']")).to_have_count(0)
    shot("01-directory")

    page.get_by_test_id("directory-department").select_option(value=str(people["eng"].pk))
    page.get_by_test_id("directory-submit").click()
    expect(page).to_have_url(re.compile(r"department="))
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Lovelace")  # Web Platform is under Engineering

    page.get_by_test_id("directory-search").fill("grace")
    page.get_by_test_id("directory-submit").click()
    expect(page.get_by_test_id("directory-empty")).to_be_visible()
    shot("02-nobody")


def test_the_directory_in_chinese(page: Page, shot, log_in, make_user, people):
    make_user("staff")
    log_in(page, "staff")
    origin = page.url.split("/admin/", 1)[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])
    page.goto("/admin/org/employee/directory/")
    expect(page).to_have_title(re.compile(r"^通讯录 \| "))
    expect(page.get_by_test_id("directory-table")).to_contain_text("工作邮箱")
    expect(page.locator("#header-inner h1")).to_contain_text("通讯录")
    shot("01-directory-zh")
