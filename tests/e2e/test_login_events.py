"""Login events: a wrong password and a sign-in by HR, then a security officer finds both
in the list (filtered by outcome) and on HR's timeline."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.security.models import LoginEvent
from tests.e2e.pages import result_row

pytestmark = pytest.mark.browser


def test_a_security_officer_follows_a_failed_then_successful_sign_in(
    page: Page, new_page, shot, log_in, make_user
):
    make_user("hr")
    make_user("security")
    page.goto("/admin/")
    page.get_by_label("Username").fill("hr")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("body")).to_contain_text("Please enter a correct username and password")
    log_in(page, "hr")
    recorded = LoginEvent.objects.filter(username="hr").order_by("at", "id")
    assert list(recorded.values_list("outcome", flat=True)) == ["bad_password", "success"]

    officer = new_page()
    log_in(officer, "security")
    officer.locator("#nav-sidebar-inner").get_by_role("link", name="Login events").click()
    expect(officer).to_have_url(re.compile(r"/admin/security/loginevent/$"))
    expect(result_row(officer, "Hr Tester")).to_have_count(2)
    # Times to the second, in DATETIME_FORMAT: "Dec. 7, 2026, 01:15:40".
    expect(officer.locator("#result_list tbody .field-at").first).to_have_text(
        re.compile(r"^\w+\.? \d{1,2}, \d{4}, \d{2}:\d{2}:\d{2}$")
    )
    shot("01-login-events", on=officer)

    officer.locator("#changelist a", has_text="Filters").click()
    officer.locator("#changelist-filter").get_by_role("link", name="bad password").click()
    expect(officer).to_have_url(re.compile(r"\?outcome__exact=bad_password$"))
    expect(officer.locator("#result_list tbody tr")).to_have_count(1)
    row = result_row(officer, "Hr Tester")
    expect(row).to_contain_text("bad password", ignore_case=True)
    shot("02-bad-passwords", on=officer)

    row.get_by_role("link", name="Hr Tester").click()
    expect(officer).to_have_url(
        re.compile(r"/admin/security/loginevent/timeline/user/[0-9a-f-]+/$")
    )
    expect(officer.get_by_test_id("timeline-title")).to_have_text("Sign-in timeline of Hr Tester")
    rows = officer.get_by_test_id("timeline-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(re.compile(r", \d{2}:\d{2}:\d{2}"))
    expect(rows.nth(0)).to_contain_text("success", ignore_case=True)
    expect(rows.nth(1)).to_contain_text("bad password", ignore_case=True)
    expect(officer.get_by_test_id("timeline-distinct")).to_have_text("1")
    shot("03-hr-timeline", on=officer)

    rows.nth(0).get_by_role("link", name="127.0.0.1").click()
    expect(officer).to_have_url(
        re.compile(r"/admin/security/loginevent/timeline/ip/127\.0\.0\.1/$")
    )
    expect(officer.get_by_test_id("timeline-row")).to_have_count(3)  # hr twice, the officer
    shot("04-ip-timeline", on=officer)
