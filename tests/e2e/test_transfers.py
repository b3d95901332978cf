"""HR transfers an employee from the employee list; the daily run applies it on its date."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from apps.org.models import Department, Employee, Transfer
from apps.org.services import department_create, department_update, employee_create
from tests.e2e.pages import ConsoleErrors, choose_autocomplete, in_chinese, result_row, run_action

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
    errors = ConsoleErrors(page)
    log_in(page, "hr")

    page.locator("#nav-sidebar-inner").get_by_role("link", name="Employees").click()
    run_action(page, result_row(page, "Alice Archer"), "transfer_selected")
    expect(page.get_by_text("Transfer these employees to another department:")).to_be_visible()
    choose_autocomplete(page, "to_department", "Fin", "Finance (FIN)")
    page.get_by_label("Effective date").fill(tomorrow.isoformat())
    page.get_by_label("Reason").fill("Joins the budgeting team")
    shot("01-transfer-form")
    page.get_by_test_id("confirm-transfer").click()
    expect(
        page.get_by_text(
            "Requested the transfer of Alice Archer to Finance (FIN), "
            f"effective {date_format(tomorrow)}."
        )
    ).to_be_visible()
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
    # The action page (its actions.js needs Django's JavaScript catalogue) and the lists.
    assert not errors.found, errors


@pytest.fixture
def managed(root_department):
    """Ada manages Research, where Bob works; Finance is elsewhere."""
    research = department_create(actor=None, name="Research", code="RES", parent=root_department)
    finance = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    ada = employee_create(
        actor=None, username="ada", first_name="Ada", last_name="Lovelace", department=research
    )
    bob = employee_create(
        actor=None, username="bob", first_name="Bob", last_name="Babbage", department=research
    )
    department_update(department=research, actor=None, manager=ada)
    return {"research": research, "finance": finance, "ada": ada, "bob": bob}


def test_moving_a_manager_out_warns_and_takes_a_successor(
    page: Page, shot, log_in, make_user, managed
):
    make_user("hr")
    errors = ConsoleErrors(page)
    log_in(page, "hr")
    page.goto("/admin/org/employee/")
    run_action(page, result_row(page, "Ada Lovelace"), "transfer_selected")
    warning = page.get_by_test_id("transfer-manager-warning")
    expect(warning).to_contain_text("Ada Lovelace manages Research (RES) and leaves it.")
    choose_autocomplete(page, "to_department", "Fin", "Finance (FIN)")
    choose_autocomplete(page, "new_manager", "Bob", "Bob Babbage")
    page.get_by_label("Reason").fill("Ada leads Finance now")
    shot("01-manager-warning")
    page.get_by_test_id("confirm-transfer").click()
    expect(page.get_by_text("Moved Ada Lovelace to Finance (FIN).")).to_be_visible()
    expect(page.get_by_text("still manages")).to_have_count(0)
    shot("02-moved-with-successor")
    assert Department.objects.get(pk=managed["research"].pk).manager == managed["bob"]
    assert not errors.found, errors


def test_without_a_successor_the_message_says_who_still_manages(
    page: Page, shot, log_in, make_user, managed
):
    make_user("hr")
    log_in(page, "hr")
    in_chinese(page)
    page.goto("/admin/org/employee/")
    errors = ConsoleErrors(page)
    result_row(page, "Ada Lovelace").locator("input.action-select").check()
    page.locator("select[name=action]").select_option("transfer_selected")
    page.locator("#changelist-actions button[type=submit], button[name=index]").first.click()
    expect(page.get_by_test_id("transfer-manager-warning")).to_be_visible()
    choose_autocomplete(page, "to_department", "Fin", "Finance (FIN)")
    page.locator("#id_reason").fill("调往财务部")
    shot("01-manager-warning-zh")
    page.get_by_test_id("confirm-transfer").click()
    expect(page.get_by_text("已将 Ada Lovelace 调至 Finance (FIN)。")).to_be_visible()
    expect(page.get_by_text("Ada Lovelace 仍是 Research (RES) 的负责人")).to_be_visible()
    shot("02-still-manages-zh")
    assert not errors.found, errors
