"""A plain employee signs in to a home of their own: profile, directory, chart, palette."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.org.services import department_update, employee_create

pytestmark = pytest.mark.browser


@pytest.fixture
def people(org):
    lead = employee_create(
        actor=None,
        username="ada",
        first_name="Ada",
        last_name="Lovelace",
        department=org["eng"],
        position="Head of Engineering",
        email="ada@example.com",
        phone="+442079460001",
    )
    department_update(department=org["eng"], actor=None, manager=lead)
    return {**org, "ada": lead}


def _in_chinese(page: Page) -> None:
    origin = page.url.split("/admin/", 1)[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])


def test_staff_land_on_their_home_and_reach_everyone_s_pages(
    page: Page, shot, log_in, make_user, people
):
    make_user("staff", department=people["web"])
    log_in(page, "staff")
    home = page.get_by_test_id("staff-home")
    expect(home).to_contain_text("Welcome, Staff")
    expect(page.get_by_test_id("home-profile")).to_contain_text("Web Platform")
    expect(page).to_have_title("Home | Backoffice")
    sidebar = page.locator("#nav-sidebar-inner")
    for entry in ("Home", "My profile", "People directory", "Org chart"):
        expect(sidebar.get_by_role("link", name=entry)).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Use the menu on the left")
    shot("01-home")

    page.get_by_test_id("home-links").get_by_role("link", name="Org chart").click()
    expect(page).to_have_title("Org chart | Backoffice")
    expect(page.get_by_test_id("org-chart")).to_contain_text("Engineering")
    expect(page.get_by_test_id("org-chart")).to_contain_text("Ada Lovelace")
    shot("02-chart")

    sidebar.get_by_role("link", name="My profile").click()
    crumbs = page.locator("#header-inner h1")
    expect(crumbs).to_have_text(re.compile(r"^\s*My profile\s*$"))
    expect(crumbs.locator("a")).to_have_count(0)

    _in_chinese(page)
    page.goto("/admin/")
    expect(page.get_by_test_id("staff-home")).to_contain_text("欢迎")
    expect(page.locator("#nav-sidebar-inner")).to_contain_text("通讯录")
    expect(page).to_have_title(re.compile(r"^首页 \| "))
    shot("03-home-zh")


def test_the_palette_finds_a_colleague(page: Page, shot, log_in, make_user, people):
    make_user("staff")
    log_in(page, "staff")
    page.locator("#nav-sidebar-inner").get_by_text("Search apps and models").click()
    field = page.locator("#search-input-command")
    expect(field).to_be_visible()
    field.press_sequentially("lovelace")  # the palette searches on key up
    result = page.locator("#command-results-list a", has_text="Ada Lovelace")
    expect(result).to_be_visible()
    shot("01-palette")
    result.click()
    expect(page).to_have_url(re.compile(r"/admin/org/employee/directory/\?q=Ada\+Lovelace"))
    expect(page.get_by_test_id("directory-row")).to_have_count(1)
    expect(page.get_by_test_id("directory-row")).to_contain_text("ada@example.com")
