"""HR asks why a manager may change an employee and sees the scoped assignment behind it."""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from apps.org.services import employee_create
from tests.e2e.pages import choose_autocomplete

pytestmark = pytest.mark.browser


@pytest.fixture
def org(org):
    """The shared tree (conftest), with Ines in Web."""
    inside = employee_create(
        actor=None, username="ines", first_name="Ines", last_name="Inside", department=org["web"]
    )
    return {**org, "inside": inside}


def test_hr_explains_a_managers_access_to_an_employee_in_their_scope(
    page: Page, shot, log_in, make_user, org
):
    make_user("hr")
    make_user("manager", department=org["eng"])
    log_in(page, "hr")

    page.locator("#nav-sidebar-inner").get_by_role("link", name="Explain access").click()
    expect(page).to_have_url(re.compile(r"/admin/access/roleassignment/explain/$"))
    expect(page.get_by_test_id("explain-form")).to_be_visible()

    choose_autocomplete(page, "user", "Manager", "Manager Tester")
    page.get_by_label("Model").select_option(label="Employee")
    page.get_by_label("Record id").fill(str(org["inside"].pk))
    page.get_by_test_id("explain-submit").click()

    expect(page.get_by_test_id("explain-subject")).to_contain_text("Ines Inside")
    change = page.locator('[data-testid=explain-row][data-perm="org.change_employee"]')
    expect(change).to_contain_text("allowed")
    granting = change.locator("[data-testid=explain-path][data-grants=true]")
    expect(granting).to_contain_text("Role assignment: Manager, scoped on Engineering (ENG)")
    expect(granting).to_contain_text("Engineering (ENG) contains this record")
    salary = page.locator('[data-testid=explain-row][data-perm="org.view_salary"]')
    expect(salary).to_contain_text("refused")
    expect(salary).to_contain_text("Nothing grants this")
    shot("01-explained")

    # An id that finds nothing (or nothing HR may see) is a form error, not a page error.
    page.get_by_label("Record id").fill(str(uuid.uuid4()))
    page.get_by_test_id("explain-submit").click()
    expect(page.get_by_test_id("explain-form")).to_contain_text("No such record.")
    expect(page.get_by_test_id("explain-table")).to_have_count(0)
    shot("02-no-such-record")
