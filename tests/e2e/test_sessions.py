"""A session ended from another browser is signed out on its next request; no page shows
a session key (it signs the browser in): sessions are named by an id of their own."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.security.models import UserSession
from tests.e2e.pages import in_chinese

pytestmark = pytest.mark.browser


def _keys(*pages: Page) -> set[str]:
    """Every live session key: the rows', and the cookies the browsers hold."""
    keys = set(UserSession.objects.values_list("session_key", flat=True))
    for page in pages:
        keys |= {c["value"] for c in page.context.cookies() if c["name"] == "sessionid"}
    assert keys
    return keys


def _shows_no_key(page: Page, keys: set[str]) -> None:
    html = page.content()
    for key in keys:
        assert key not in html
        assert key not in page.url


def test_ending_the_other_browser_signs_it_out(page: Page, new_page, shot, log_in, make_user):
    make_user("hr")
    log_in(page, "hr")
    other = new_page()
    log_in(other, "hr")

    other.get_by_text("Hr Tester").first.click()
    other.get_by_role("link", name="My sessions").click()
    rows = other.get_by_test_id("session-row")
    expect(rows).to_have_count(2)
    _shows_no_key(other, _keys(page, other))
    for value in other.locator("input[name=session]").evaluate_all("els => els.map(e => e.value)"):
        assert re.fullmatch(r"[1-9][0-9]*", value)
    shot("01-my-sessions", on=other)
    rows.filter(has_not=other.get_by_test_id("session-current")).get_by_test_id(
        "session-end"
    ).click()
    expect(other.locator("body")).to_contain_text("The session was ended.")
    expect(other.get_by_test_id("session-row")).to_have_count(1)
    _shows_no_key(other, _keys(page, other))

    page.goto("/admin/org/employee/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))


def test_my_sessions_in_chinese(page: Page, new_page, shot, log_in, make_user):
    make_user("staff")
    other = new_page()
    log_in(other, "staff")
    log_in(page, "staff")
    in_chinese(page)
    page.goto("/admin/sessions/")
    expect(page.get_by_test_id("session-row")).to_have_count(2)
    expect(page.get_by_test_id("sessions-end-others")).to_have_text("结束所有其他会话")
    _shows_no_key(page, _keys(page, other))
    shot("01-my-sessions-zh")


def test_the_officers_sessions_list_shows_no_session_key(
    page: Page, new_page, shot, log_in, make_user
):
    make_user("security")
    make_user("staff")
    phone, laptop = new_page(), new_page()
    log_in(phone, "staff")
    log_in(laptop, "staff")
    log_in(page, "security")

    page.goto("/admin/security/usersession/")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    keys = _keys(page, phone, laptop)
    _shows_no_key(page, keys)
    boxes = page.locator("input[name=_selected_action]")
    for value in boxes.evaluate_all("els => els.map(e => e.value)"):
        assert re.fullmatch(r"[1-9][0-9]*", value)
    shot("01-sessions-list")

    page.locator("#result_list tbody tr").filter(has_text="Staff Tester").first.locator(
        "a"
    ).first.click()
    expect(page).to_have_url(re.compile(r"/admin/security/usersession/\d+/change/"))
    _shows_no_key(page, keys)
    shot("02-session-page")
