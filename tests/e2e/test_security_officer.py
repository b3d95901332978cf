"""Pages people use after signing in: their backup codes; an officer ending someone's
sessions and resetting their devices; the read-only role list."""

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from apps.security import otp
from tests.e2e.pages import PASSWORD

pytestmark = pytest.mark.browser


def test_hr_sees_how_many_backup_codes_are_left_and_makes_new_ones(
    page: Page, shot, log_in, make_user
):
    hr = make_user("hr")
    old = otp._backup_codes_new(hr)
    StaticToken.objects.filter(token=old[0]).delete()  # one used
    log_in(page, "hr")
    page.get_by_text("Hr Tester").first.click()
    page.get_by_role("link", name="Backup codes").click()
    expect(page.get_by_test_id("backup-codes-left")).to_have_text("9 backup codes left.")
    # A new set needs a proof: without one, or with a wrong one, nothing changes.
    page.get_by_test_id("backup-codes-regenerate").click()
    expect(page.get_by_test_id("backup-codes-form")).to_contain_text("This field is required.")
    page.get_by_test_id("proof").fill("not my password")
    page.get_by_test_id("backup-codes-regenerate").click()
    expect(page.get_by_test_id("backup-codes-form")).to_contain_text(
        "neither a current code nor your password"
    )
    shot("01-proof-refused")
    assert otp.backup_codes_left(hr) == 9
    page.get_by_test_id("proof").fill(PASSWORD)
    page.get_by_test_id("backup-codes-regenerate").click()
    codes = page.get_by_test_id("backup-code-list").locator("li")
    expect(codes).to_have_count(10)
    shot("02-new-backup-codes")
    shown = set(codes.all_inner_texts())
    assert shown.isdisjoint(old)
    assert set(StaticToken.objects.filter(device__user=hr).values_list("token", flat=True)) == shown


def test_an_officer_ends_someone_s_sessions_and_resets_their_devices(
    page: Page, new_page, shot, log_in, make_user
):
    make_user("manager")
    make_user("security")
    log_in(page, "manager")

    officer = new_page()
    log_in(officer, "security")
    officer.locator("#nav-sidebar-inner").get_by_role("link", name="Sessions").click()
    row = officer.locator("#result_list tbody tr").filter(has_text="Manager Tester")
    row.locator("input.action-select").check()
    officer.locator("select[name=action]").select_option("end_selected")
    officer.get_by_role("button", name="Run").click()
    officer.get_by_label("Reason").fill("Laptop reported stolen")
    officer.get_by_test_id("confirm-end-sessions").click()
    expect(officer.locator("body")).to_contain_text("Ended 1 session.")
    shot("01-sessions-ended", on=officer)
    page.goto("/admin/org/employee/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))

    officer.goto("/admin/org/employee/")
    row = officer.locator("#result_list tbody tr").filter(has_text="Manager Tester")
    row.locator("input.action-select").check()
    officer.locator("select[name=action]").select_option("reset_devices_selected")
    officer.get_by_role("button", name="Run").click()
    officer.get_by_label("Reason").fill("New phone; old authenticator lost")
    officer.get_by_test_id("confirm-reset-devices").click()
    expect(officer.locator("body")).to_contain_text("Reset the devices of 1 person.")
    assert not TOTPDevice.objects.filter(user__username="manager").exists()
    officer.locator("#nav-sidebar-inner").get_by_role("link", name="Security actions").click()
    log = officer.locator("#result_list")
    expect(log).to_contain_text("Laptop reported stolen")
    expect(log).to_contain_text("New phone; old authenticator lost")
    shot("02-security-actions", on=officer)

    # The manager signs in again and is taken to enrollment.
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/enroll/"))


def test_the_roles_list_is_read_only(page: Page, shot, log_in, make_user):
    make_user("hr")
    log_in(page, "hr")
    page.locator("#nav-sidebar-inner").get_by_role("link", name="Roles").click()
    expect(page.locator("#result_list")).to_contain_text("Security officer")
    expect(page.get_by_role("link", name=re.compile("Add role|Add group"))).to_have_count(0)
    shot("01-roles")


def _lock_an_address_and_a_username() -> None:
    from apps.security.models import Lockout

    for i in range(4):  # four usernames, five failures each: the address's limit (20)
        Lockout.objects.create(
            username=f"guess{i}", ip_address="10.9.9.9", user_agent="x", failures_since_start=5
        )
    Lockout.objects.create(
        username="hr", ip_address="10.0.0.1", user_agent="x", failures_since_start=5
    )
    Lockout.objects.create(  # below the limit: not a lockout, not listed
        username="typo", ip_address="10.1.1.1", user_agent="x", failures_since_start=2
    )


def test_an_officer_sees_what_is_locked_and_unlocks_a_row_with_a_reason(
    page: Page, shot, log_in, make_user
):
    _lock_an_address_and_a_username()
    make_user("security")
    log_in(page, "security")
    page.locator("#nav-sidebar-inner").get_by_role("link", name="Lockouts").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text="this address, for every username")).to_have_count(4)
    expect(rows.filter(has_text="this username from this address")).to_have_count(1)
    expect(page.locator("#result_list")).not_to_contain_text("typo")
    until = page.locator("#result_list tbody td.field-locked_until").first
    expect(until).to_have_text(re.compile(r"\d{1,2}:\d{2}:\d{2}$"))  # to the second
    shot("01-lockouts")
    page.goto("/admin/security/lockout/?locked=address")  # the lock filter
    expect(page.locator("#result_list tbody tr")).to_have_count(4)

    page.goto("/admin/security/lockout/")
    row = page.locator("#result_list tbody tr").filter(has_text="hr")
    row.locator("td.field-actions_holder span", has_text="more_horiz").click()
    page.get_by_role("link", name="Unlock…").click()
    expect(page.get_by_test_id("action-objects")).to_have_text(re.compile(r"hr @ 10\.0\.0\.1"))
    page.get_by_label("Reason").fill("Called from her desk phone; identity checked")
    shot("02-unlock-row-reason")
    page.get_by_test_id("confirm-unlock").click()
    expect(page.locator("body")).to_contain_text("Unlocked hr from 10.0.0.1.")
    expect(page.locator("#result_list tbody tr")).to_have_count(4)

    page.locator("#result_list tbody tr").first.locator(
        "td.field-actions_holder span", has_text="more_horiz"
    ).click()
    page.get_by_role("link", name="Unlock…").click()
    expect(page.locator("body")).to_contain_text("every username can sign in from it again")
    page.get_by_label("Reason").fill("Office network after the password change")
    page.get_by_test_id("confirm-unlock").click()
    expect(page.locator("body")).to_contain_text(
        "Unlocked the address 10.9.9.9 for every username."
    )
    expect(page.get_by_test_id("lockouts-empty")).to_contain_text(
        "No account or address is locked out now."
    )
    shot("03-nothing-locked")
    page.goto("/admin/security/securityaction/")
    expect(page.locator("#result_list")).to_contain_text("10.9.9.9, every username")


def test_the_lockouts_list_in_chinese(page: Page, shot, log_in, make_user):
    _lock_an_address_and_a_username()
    make_user("security")
    log_in(page, "security")
    origin = page.url.split("/admin/", 1)[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])
    page.goto("/admin/security/lockout/")
    expect(page.locator("#result_list thead")).to_contain_text("锁定至")
    expect(page.locator("#result_list tbody td.field-locked_until").first).to_have_text(
        re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}")
    )
    shot("01-lockouts-zh")
    page.goto("/admin/security/lockout/?q=nobody")
    expect(page.get_by_test_id("lockouts-empty")).to_contain_text("没有符合此搜索或筛选条件的锁定")
    shot("02-lockouts-none-found-zh")
