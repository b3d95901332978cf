"""HR in a browser: the superuser's sign-in details are out of reach, a staff member's are
not (the rank rule, issue 12)."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.org.models import Employee
from tests.e2e.pages import error_message

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Corr3ct-Horse-Battery"


def test_hr_cannot_take_over_the_superuser_but_resets_a_staff_password(
    page: Page, shot, log_in, make_user
):
    boss = make_user("admin")
    staff = make_user("staff")
    make_user("hr")
    log_in(page, "hr")

    # The superuser's record: e-mail and sign-in name read-only, no password link.
    page.goto(f"/admin/org/employee/{boss.pk}/change/")
    expect(page.get_by_label("Position")).to_be_editable()
    expect(page.locator("input[name=email]")).to_have_count(0)
    expect(page.locator("input[name=username]")).to_have_count(0)
    expect(page.locator(f"a[href$='/admin/org/employee/{boss.pk}/password/']")).to_have_count(0)
    shot("01-superuser-read-only-account")

    # The password page, typed in by hand, sends HR back with the reason.
    page.goto(f"/admin/org/employee/{boss.pk}/password/")
    expect(error_message(page, "same or a higher rank")).to_be_visible()
    shot("02-password-page-refused")

    # A staff member's password HR may set, with a reason: the old address opens the
    # record's "Reset password…" page; it ends their sessions (service tests).
    page.goto(f"/admin/org/employee/{staff.pk}/password/")
    expect(page).to_have_url(
        re.compile(rf"/admin/org/employee/{staff.pk}/actions/reset-password/$")
    )
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_test_id("confirm-reset-password").click()
    expect(page.locator(".errorlist, .text-red-600").first).to_be_visible()
    assert Employee.objects.get(pk=staff.pk).check_password("pw-for-tests-1")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.locator("#id_reason").fill("Locked out, asked in person")
    shot("03-staff-password-form")
    page.get_by_test_id("confirm-reset-password").click()
    expect(page.get_by_text("was reset; their sessions were ended.")).to_be_visible()
    shot("04-staff-password-set")
    assert Employee.objects.get(pk=staff.pk).check_password(NEW_PASSWORD)
    assert Employee.objects.get(pk=boss.pk).check_password("pw-for-tests-1")
    history = Employee.history.filter(id=staff.pk).order_by("-history_date").first()
    assert history.history_change_reason == "Locked out, asked in person"
