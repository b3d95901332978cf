"""HR transfers an employee from the employee list; the daily run applies it on its date."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.org.models import Employee, Transfer
from apps.org.services import department_create, employee_create
from tests.e2e.pages import choose_autocomplete, result_row, run_action

pytestmark = pytest.mark.browser


def test_hr_schedules_a_transfer_and_the_daily_run_applies_it(
    page: Page, shot, log_in, make_user, root_department
):
    make_user("hr")
    department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    employee_create(
        actor=None,
        username="alice",
        first_name="Alice",
        last_name="Archer",
        position="Analyst",
        department=root_department,
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    log_in(page, "hr")

    page.locator("#nav-sidebar-inner").get_by_role("link", name="Employees").click()
    run_action(page, result_row(page, "Alice Archer"), "transfer_selected")
    expect(page.get_by_text("Transfer these employees to another department:")).to_be_visible()
    choose_autocomplete(page, "to_department", "Fin", "Finance (FIN)")
    page.get_by_label("Effective date").fill(tomorrow.isoformat())
    page.get_by_label("Reason").fill("Joins the budgeting team")
    shot("01-transfer-form")
    page.get_by_test_id("confirm-transfer").click()
    expect(page.get_by_text("Requested 1 transfer.")).to_be_visible()
    shot("02-requested")

    page.locator("#nav-sidebar-inner").get_by_role("link", name="Transfers").click()
    expect(page).to_have_url(re.compile(r"/admin/org/transfer/$"))
    row = result_row(page, "Alice Archer")
    expect(row).to_contain_text("Finance (FIN)")
    expect(row).to_contain_text(re.compile("scheduled", re.IGNORECASE))
    shot("03-scheduled")
    assert Employee.objects.get(username="alice").department == root_department

    call_command("apply_due_transfers", date=tomorrow.isoformat())

    page.reload()
    expect(result_row(page, "Alice Archer")).to_contain_text(re.compile("applied", re.I))
    shot("04-applied")
    assert Transfer.objects.get().status == Transfer.Status.APPLIED

    page.locator("#nav-sidebar-inner").get_by_role("link", name="Employees").click()
    expect(result_row(page, "Alice Archer")).to_contain_text("Finance (FIN)")
    shot("05-employee-moved")
