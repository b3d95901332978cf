"""A session ended from another browser is signed out on its next request."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_ending_the_other_browser_signs_it_out(page: Page, new_page, shot, log_in, make_user):
    make_user("hr")
    log_in(page, "hr")
    other = new_page()
    log_in(other, "hr")

    other.get_by_text("Hr Tester").first.click()
    other.get_by_role("link", name="My sessions").click()
    rows = other.get_by_test_id("session-row")
    expect(rows).to_have_count(2)
    shot("01-my-sessions", on=other)
    rows.filter(has_not=other.get_by_test_id("session-current")).get_by_test_id(
        "session-end"
    ).click()
    expect(other.locator("body")).to_contain_text("The session was ended.")
    expect(other.get_by_test_id("session-row")).to_have_count(1)

    page.goto("/admin/org/employee/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
