"""Staff open their own profile from the user menu and change their phone number."""

import pytest
from playwright.sync_api import Page, expect

from apps.org.models import Employee

pytestmark = pytest.mark.browser


def test_staff_changes_their_phone_on_my_profile(page: Page, shot, log_in, make_user):
    staff = make_user("staff")
    log_in(page, "staff")
    page.get_by_text("Staff Tester").first.click()
    page.get_by_role("link", name="My profile", exact=True).click()  # the user menu's
    expect(page.get_by_test_id("profile-details")).to_contain_text(staff.employee_id)
    page.get_by_label("Phone").fill("not a number")
    page.get_by_test_id("profile-save").click()
    expect(page.get_by_test_id("profile-form")).to_contain_text("phone")
    page.get_by_label("Phone").fill("+44 20 7946 0000")
    page.get_by_test_id("profile-save").click()
    expect(page.locator("body")).to_contain_text("Your profile was saved.")
    expect(page.get_by_label("Phone")).to_have_value("+442079460000")
    shot("01-my-profile")
    assert Employee.objects.get(pk=staff.pk).phone == "+442079460000"
