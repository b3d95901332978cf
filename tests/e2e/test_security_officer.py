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


def test_an_officer_sees_which_lock_holds_on_the_lockouts_list(page: Page, shot, log_in, make_user):
    from apps.security.models import Lockout

    for i in range(4):  # four usernames, five failures each: the address's limit (20)
        Lockout.objects.create(
            username=f"guess{i}", ip_address="10.9.9.9", user_agent="x", failures_since_start=5
        )
    Lockout.objects.create(
        username="hr", ip_address="10.0.0.1", user_agent="x", failures_since_start=5
    )
    make_user("security")
    log_in(page, "security")
    page.goto("/admin/security/lockout/")
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text="locked: this address, for every username")).to_have_count(4)
    expect(rows.filter(has_text="locked: this username from this address")).to_have_count(1)
    shot("01-lockouts")
    page.goto("/admin/security/lockout/?locked=address")  # the state filter's address lock
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    shot("02-address-locks")
