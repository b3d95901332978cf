"""HR's everyday work on departments and employees, through the admin in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.org.models import Department, Employee
from apps.org.services import department_create, employee_create
from tests.e2e.pages import (
    choose_autocomplete,
    confirm_soft_action,
    error_message,
    result_row,
    run_action,
    search_changelist,
)

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Corr3ct-Horse-Battery"


def test_hr_creates_a_department_and_an_employee_then_deactivates_and_restores_them(
    page: Page, shot, log_in, make_user
):
    make_user("hr")
    log_in(page, "hr")
    shot("01-home")

    # A department, code left blank: the form suggests one from the name.
    page.locator("#nav-sidebar-inner").get_by_role("link", name="Departments").click()
    expect(page).to_have_url(re.compile(r"/admin/org/department/$"))
    shot("02-departments")
    page.get_by_role("link", name="add", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/org/department/add/"))
    page.get_by_label("Name").fill("Quality Assurance")
    expect(page.get_by_label("Code")).to_have_value("")
    choose_autocomplete(page, "parent", "Backoffice", "Backoffice Group (BOG)")
    shot("03-department-add-form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Quality Assurance (QA)” was added successfully")).to_be_visible()
    department = Department.objects.get(name="Quality Assurance")
    assert department.code == "QA"
    assert department.parent.code == "BOG"
    expect(result_row(page, "Quality Assurance")).to_contain_text("QA")
    shot("04-department-added")

    # An employee in it, with a password they can sign in with.
    page.locator("#nav-sidebar-inner").get_by_role("link", name="Employees").click()
    page.get_by_role("link", name="add", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/org/employee/add/"))
    page.get_by_label("Username").fill("mei.lin")
    page.get_by_label("Enabled").check()
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.get_by_label("First name").fill("Mei")
    page.get_by_label("Last name").fill("Lin")
    choose_autocomplete(page, "department", "Quality", "Quality Assurance (QA)")
    page.get_by_label("Position").fill("QA Analyst")
    shot("05-employee-add-form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    employee = Employee.objects.get(username="mei.lin")
    assert employee.department == department
    assert employee.position == "QA Analyst"
    assert re.fullmatch(r"E\d{6}", employee.employee_id)
    assert employee.check_password(NEW_PASSWORD)
    assert employee.is_active
    shot("06-employee-added")

    # Found by the search box, deactivated through the confirmation page.
    page.locator("#nav-sidebar-inner").get_by_role("link", name="Employees").click()
    search_changelist(page, "Lin")
    row = result_row(page, "Mei Lin")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Active")
    shot("07-employee-found")
    run_action(page, row, "deactivate_selected")
    expect(page.get_by_text("Deactivate these employees?")).to_be_visible()
    expect(page.get_by_test_id("soft-delete-objects")).to_contain_text(
        f"Mei Lin ({employee.employee_id})"
    )
    shot("08-deactivate-confirmation")
    confirm_soft_action(page)
    expect(page.get_by_text("Deactivated 1 record.")).to_be_visible()
    expect(result_row(page, "Mei Lin")).to_contain_text("Inactive")
    shot("09-employee-inactive")
    employee.refresh_from_db()
    assert not employee.is_active

    # And restored the same way.
    run_action(page, result_row(page, "Mei Lin"), "restore_selected")
    expect(page.get_by_text("Restore these employees to active?")).to_be_visible()
    shot("10-restore-confirmation")
    confirm_soft_action(page)
    expect(page.get_by_text("Restored 1 record.")).to_be_visible()
    row = result_row(page, "Mei Lin")
    expect(row).to_contain_text("Active")
    expect(row).not_to_contain_text("Inactive")
    shot("11-employee-restored")
    employee.refresh_from_db()
    assert employee.is_active


def test_hr_is_told_why_a_department_with_an_active_employee_cannot_be_deactivated(
    page: Page, shot, log_in, make_user, root_department
):
    sales = department_create(actor=None, name="Field Sales", parent=root_department)
    employee_create(actor=None, username="sam.lee", last_name="Lee", department=sales)
    history_before = sales.history.count()
    make_user("hr")

    log_in(page, "hr")
    page.goto("/admin/org/department/")
    search_changelist(page, "Field Sales")
    row = result_row(page, "Field Sales")
    expect(row).to_contain_text("Active")
    run_action(page, row, "deactivate_selected")
    shot("01-deactivate-confirmation")
    confirm_soft_action(page)

    expect(
        error_message(
            page,
            "Field Sales (FS) cannot be deactivated: it still has 1 active employee(s) "
            "and 0 active sub-department(s).",
        )
    ).to_be_visible()
    expect(page.get_by_text("Deactivated 1 record.")).to_have_count(0)
    expect(result_row(page, "Field Sales")).not_to_contain_text("Inactive")
    shot("02-refused")
    sales = Department.objects.get(pk=sales.pk)
    assert sales.is_active
    assert sales.history.count() == history_before


def test_the_history_page_shows_the_position_change_hr_made(
    page: Page, shot, log_in, make_user, root_department
):
    ana = employee_create(
        actor=None,
        username="ana.ruiz",
        first_name="Ana",
        last_name="Ruiz",
        department=root_department,
        position="Support Agent",
    )
    make_user("hr")

    log_in(page, "hr")
    page.goto(f"/admin/org/employee/{ana.pk}/change/")
    expect(page.get_by_label("Position")).to_have_value("Support Agent")
    page.get_by_label("Position").fill("Team Lead")
    shot("01-change-form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    page.goto(f"/admin/org/employee/{ana.pk}/change/")
    page.get_by_role("link", name="History").click()
    expect(page).to_have_url(re.compile(rf"/admin/org/employee/{ana.pk}/history/$"))
    latest = page.locator("#change-history tbody tr").first
    change = latest.locator("li", has_text="Position:")
    expect(change).to_contain_text("Support Agent")
    expect(change).to_contain_text("Team Lead")
    expect(latest).to_contain_text("Hr Tester")
    shot("02-history")


def test_hr_choosing_disabled_password_authentication_creates_an_account_without_a_password(
    page: Page, shot, log_in, make_user
):
    make_user("hr")

    log_in(page, "hr")
    page.goto("/admin/org/employee/add/")
    page.get_by_label("Username").fill("no.password")
    # Typed first, then the choice changed: unfold keeps the fields (and values) visible.
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    page.get_by_label("Disabled").check()
    page.get_by_label("Last name").fill("Nopass")
    choose_autocomplete(page, "department", "Backoffice", "Backoffice Group (BOG)")
    shot("01-add-form-disabled")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    assert not Employee.objects.get(username="no.password").has_usable_password()
