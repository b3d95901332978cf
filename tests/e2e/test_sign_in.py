"""Two-step sign-in: password, then a code from the authenticator app or a backup code;
enrollment with a QR code, and replacing the app with a proof; five wrong codes lock the
account (that username from that address); the address locks for everyone only at its
own limit."""

import re
import time

import pytest
import time_machine
from axes.models import AccessAttempt
from playwright.sync_api import Page, expect

from apps.org.models import Employee
from apps.security import otp
from apps.security.models import LoginEvent, SecurityAction
from tests.e2e.pages import PASSWORD
from tests.otp import code_for, code_from_secret, device_for

pytestmark = pytest.mark.browser


def password_step(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_hr_signs_in_with_password_and_authenticator_code(page: Page, shot, make_user):
    hr = make_user("hr")
    password_step(page, "hr")
    expect(page).to_have_url(re.compile(r"/admin/verify/\?next=%2Fadmin%2F$"))
    shot("01-code-step")
    page.goto("/admin/org/employee/")  # nothing else is reachable before the code
    expect(page).to_have_url(re.compile(r"/admin/verify/"))
    code = code_for(device_for(hr))
    page.get_by_label("Code").fill(f"{code[:3]} {code[3:]}")  # as the app displays it
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/org/employee/$"))


def test_a_backup_code_works_once(page: Page, new_page, make_user):
    hr = make_user("hr")
    codes = otp._backup_codes_new(hr)
    password_step(page, "hr")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()

    again = new_page()
    password_step(again, "hr")
    again.get_by_label("Code").fill(codes[0])
    again.get_by_role("button", name="Verify").click()
    expect(again.get_by_test_id("verify-form")).to_contain_text("not valid or was already used")
    assert otp.backup_codes_left(hr) == 9


def test_five_wrong_codes_lock_the_account(page: Page, shot, make_user):
    hr = make_user("hr")
    password_step(page, "hr")
    for attempt in range(5):
        page.get_by_label("Code").fill("000000" if attempt % 2 else "12345x")
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("locked-out")).to_contain_text(
        "Too many failed sign-in attempts for this username from your address."
    )
    shot("01-locked-out")
    # Even the right password and code are refused while locked.
    password_step(page, "hr")
    expect(page.locator("body")).to_contain_text("Too many failed sign-in attempts")
    assert AccessAttempt.objects.get(username="hr").failures_since_start >= 5
    assert Employee.objects.get(pk=hr.pk).is_active  # locked, not deactivated


def test_a_new_hr_user_enrolls_with_the_qr_page_and_gets_backup_codes(page: Page, shot, make_user):
    hr = make_user("hr")
    device_for(hr).delete()  # as a new account: no device yet
    password_step(page, "hr")
    expect(page).to_have_url(re.compile(r"/admin/enroll/"))
    expect(page.get_by_test_id("enroll-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("enroll-secret").inner_text()
    shot("01-enroll")
    page.get_by_label("Code").fill("999999")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("enroll-form")).to_contain_text("not valid")
    page.get_by_label("Code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()
    codes = page.get_by_test_id("backup-code-list").locator("li")
    expect(codes).to_have_count(10)
    expect(page.get_by_test_id("backup-codes-download")).to_have_attribute(
        "download", "backoffice-backup-codes.txt"
    )
    shot("02-backup-codes")
    page.get_by_role("link", name="Continue").click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()


def test_security_unlocks_a_locked_account_with_a_reason(
    page: Page, new_page, shot, log_in, make_user
):
    make_user("hr")
    make_user("security")
    password_step(page, "hr")
    for _ in range(5):
        page.get_by_label("Code").fill("000000")
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("locked-out")).to_be_visible()

    officer = new_page()
    log_in(officer, "security")
    officer.goto("/admin/security/lockout/")
    row = officer.locator("#result_list tbody tr").filter(has_text="hr")
    expect(row).to_contain_text("this username from this address")
    row.locator("input.action-select").check()
    officer.locator("select[name=action]").select_option("unlock_selected")
    officer.get_by_role("button", name="Run").click()
    officer.get_by_label("Reason").fill("Called the helpdesk from her desk phone; identity checked")
    shot("01-unlock-reason", on=officer)
    officer.get_by_test_id("confirm-unlock").click()
    expect(officer.locator("body")).to_contain_text("Unlocked 1 sign-in.")
    officer.goto("/admin/security/securityaction/")
    expect(officer.locator("#result_list")).to_contain_text("identity checked")

    log_in(page, "hr")  # password and code work again
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()


def test_replacing_the_authenticator_asks_for_the_password_or_a_current_code(
    page: Page, shot, log_in, make_user
):
    hr = make_user("hr")
    old_device = device_for(hr)
    log_in(page, "hr")
    page.goto("/admin/enroll/")
    expect(page.get_by_test_id("enroll-form")).to_contain_text("Your password or a current code")
    secret = page.get_by_test_id("enroll-secret").inner_text()
    shot("01-replace")
    # The new app's code alone is not enough; nor is a wrong password.
    page.locator("#id_code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("enroll-form")).to_contain_text("This field is required.")
    page.get_by_test_id("proof").fill("not my password")
    page.locator("#id_code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("enroll-form")).to_contain_text(
        "neither a current code nor your password"
    )
    shot("02-proof-refused")
    old_device.refresh_from_db()
    assert old_device.confirmed
    # A code from the current app proves it; the new app takes over.
    page.get_by_test_id("proof").fill(code_for(old_device))
    page.locator("#id_code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("backup-code-list").locator("li")).to_have_count(10)
    assert not type(old_device).objects.filter(pk=old_device.pk).exists()
    action = SecurityAction.objects.get(kind=SecurityAction.Kind.DEVICE_REPLACED)
    assert (action.user, action.reason) == (hr, "confirmed with a current code")


def test_one_locked_username_does_not_lock_its_colleagues_at_the_same_address(
    page: Page, new_page, shot, make_user
):
    make_user("hr")
    auditor = make_user("auditor")
    for _ in range(5):
        password_step(page, "hr", "wrong password")
    expect(page.get_by_test_id("locked-out")).to_have_attribute("data-lock", "username")

    colleague = new_page()  # same address (the test server sees 127.0.0.1)
    password_step(colleague, "auditor", "a typo")
    expect(colleague.locator("body")).to_contain_text(
        "Please enter a correct username and password"
    )
    shot("01-colleague-mistyped", on=colleague)
    password_step(colleague, "auditor")
    colleague.get_by_label("Code").fill(code_for(device_for(auditor)))
    colleague.get_by_role("button", name="Verify").click()
    expect(colleague.locator("#nav-sidebar-inner")).to_be_visible()
    outcomes = LoginEvent.objects.filter(username="auditor").values_list("outcome", flat=True)
    assert list(outcomes.order_by("at", "id")) == ["bad_password", "success"]


def test_the_address_lock_says_it_is_the_address(page: Page, shot, settings, make_user):
    settings.LOCKOUT_LIMITS = [5, 8]  # the address's limit, lowered to keep the test short
    make_user("auditor")
    for i in range(8):
        password_step(page, f"guess{i % 4}", "wrong password")
    locked = page.get_by_test_id("locked-out")
    expect(locked).to_have_attribute("data-lock", "address")
    expect(locked).to_contain_text("paused for every account")
    shot("01-address-locked")
    password_step(page, "auditor")  # the right password, from the locked address
    expect(page.get_by_test_id("locked-out")).to_have_attribute("data-lock", "address")


def test_a_code_used_a_moment_ago_says_to_wait_for_the_next_one(
    page: Page, new_page, shot, make_user
):
    hr = make_user("hr")
    code = code_for(device_for(hr))
    password_step(page, "hr")
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()

    again = new_page()  # the same code on another browser, within its 30 seconds
    password_step(again, "hr")
    again.get_by_label("Code").fill(code)
    again.get_by_role("button", name="Verify").click()
    expect(again.get_by_test_id("verify-form")).to_contain_text(
        "That code was already used. Wait for the next code in your authenticator app"
    )
    shot("01-code-already-used", on=again)
    event = LoginEvent.objects.filter(username="hr").latest("at", "id")
    assert (event.outcome, event.risk_reasons) == ("bad_code", ["otp.code_reused"])
    # The next code works, once django-otp's one-second delay after a failure has passed.
    with time_machine.travel(time.time() + 2, tick=True):
        again.get_by_label("Code").fill(code_for(device_for(hr)))
        again.get_by_role("button", name="Verify").click()
        expect(again.locator("#nav-sidebar-inner")).to_be_visible()


def test_the_sign_in_page_switches_to_chinese_and_has_the_site_icon(page: Page, shot, make_user):
    make_user("hr")
    page.goto("/admin/")
    icon = page.locator('head link[rel="icon"]')
    expect(icon).to_have_attribute("href", "/static/core/favicon.svg")
    assert page.request.get("/static/core/favicon.svg").ok
    languages = page.get_by_test_id("sign-in-languages")
    expect(languages.get_by_role("button", name="English")).to_have_attribute(
        "aria-current", "true"
    )
    page.get_by_label("Username").fill("hr")
    page.get_by_label("Password").fill("a typo")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("body")).to_contain_text("Please enter a correct username and password.")
    expect(page.locator("body")).not_to_contain_text("staff account")
    shot("01-sign-in-refused-en")

    languages.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.get_by_test_id("sign-in-language-zh-hans")).to_have_attribute(
        "aria-current", "true"
    )
    page.locator("#id_username").fill("hr")
    page.locator("#id_password").fill("a typo")
    page.locator("#login-form button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("请输入正确的用户名和密码。")
    shot("02-sign-in-refused-zh")
    page.get_by_test_id("sign-in-language-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
