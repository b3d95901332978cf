"""Comparing two versions side by side (auditor) and reverting with a reason (hr)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.org.models import Department
from apps.org.services import department_create, department_update, employee_create, employee_update

pytestmark = pytest.mark.browser


@pytest.fixture
def eng(root_department):
    return department_create(actor=None, name="Engineering", code="ENG", parent=root_department)


def _history_row(page: Page, index: int):
    return page.get_by_test_id("history-row").nth(index)


def test_auditor_compares_two_versions_of_an_employee_and_cannot_revert(
    page: Page, shot, log_in, make_user, eng
):
    make_user("auditor")
    hr = make_user("hr")
    person = employee_create(
        actor=None,
        username="ines",
        first_name="Ines",
        last_name="Inside",
        department=eng,
        position="Engineer",
        salary=Decimal("5000"),
    )
    employee_update(employee=person, actor=hr, reason="Promotion", position="Lead engineer")
    employee_update(employee=person, actor=hr, salary=Decimal("6500"), phone="+8613800138000")

    log_in(page, "auditor")
    page.goto(f"/admin/org/employee/{person.pk}/change/")
    page.get_by_role("link", name="History").click()
    expect(page).to_have_url(re.compile(rf"/admin/org/employee/{person.pk}/history/$"))
    expect(page.get_by_test_id("history-row")).to_have_count(3)
    expect(page.get_by_test_id("revert-link")).to_have_count(0)

    # The oldest version as A, the newest as B.
    _history_row(page, 2).get_by_test_id("pick-a").check()
    _history_row(page, 0).get_by_test_id("pick-b").check()
    shot("01-history-picked")
    page.get_by_test_id("compare-submit").click()

    expect(page).to_have_url(re.compile(r"/history/compare/\?[ab]=\d+&[ab]=\d+$"))
    position = page.locator('[data-testid=field-changed][data-field="position"]')
    expect(position).to_contain_text("Engineer")
    expect(position).to_contain_text("Lead engineer")
    expect(page.locator('[data-testid=field-changed][data-field="phone"]')).to_be_visible()
    # No salary for the auditor, changed or not.
    expect(page.locator('[data-field="salary"]')).to_have_count(0)
    expect(page.get_by_test_id("version-header").nth(0)).to_contain_text("created")
    expect(page.get_by_test_id("version-header").nth(1)).to_contain_text("hr")
    expect(page.get_by_test_id("revert-link")).to_have_count(0)
    unchanged = page.get_by_test_id("unchanged-fields")
    expect(unchanged.get_by_test_id("field-unchanged").first).to_be_hidden()
    unchanged.locator("summary").click()
    expect(unchanged.locator('[data-field="first_name"]')).to_be_visible()
    shot("02-compared")


def test_hr_reverts_a_department_to_an_earlier_version_with_a_reason(
    page: Page, shot, log_in, make_user, eng
):
    hr = make_user("hr")
    department_update(
        department=eng,
        actor=hr,
        name="Engineering & Data",
        description="Builds the product.\nRuns the platform.",
    )
    department_update(
        department=eng, actor=hr, description="Builds the product.\nOwns the data warehouse."
    )

    log_in(page, "hr")
    page.goto(f"/admin/org/department/{eng.pk}/history/")
    expect(page.get_by_test_id("history-row")).to_have_count(3)
    # The two edits compared first: the description is diffed line by line.
    page.get_by_test_id("compare-submit").click()
    description = page.locator('[data-testid=field-changed][data-field="description"]')
    expect(description.locator("[data-line=removed]")).to_have_text("− Runs the platform.")
    expect(description.locator("[data-line=added]")).to_have_text("+ Owns the data warehouse.")
    shot("00-compared-description")
    page.get_by_test_id("back-to-history").click()
    # The current version has no revert link; the oldest one does.
    expect(_history_row(page, 0).get_by_test_id("revert-link")).to_have_count(0)
    _history_row(page, 2).get_by_test_id("revert-link").click()

    expect(page.get_by_test_id("revert-form")).to_be_visible()
    name = page.locator('[data-testid=field-changed][data-field="name"]')
    expect(name.locator("[data-side=old]")).to_contain_text("Engineering & Data")
    expect(name.locator("[data-side=new]")).to_contain_text("Engineering")
    expect(page.get_by_test_id("reverted-fields")).to_contain_text("Not reverted: the username")
    shot("01-revert-preview")

    page.get_by_label("Reason").fill("The rename was not approved")
    page.get_by_test_id("confirm-revert").click()

    expect(page).to_have_url(re.compile(rf"/admin/org/department/{eng.pk}/history/$"))
    expect(page.get_by_text("Engineering (ENG): reverted to the version of")).to_be_visible()
    newest = _history_row(page, 0)
    expect(newest.get_by_test_id("history-action")).to_have_text("reverted")
    expect(newest.get_by_test_id("history-reason")).to_contain_text("The rename was not approved")
    expect(newest.get_by_test_id("history-reason")).to_contain_text("Revert to version of")
    expect(page.get_by_test_id("history-row")).to_have_count(4)
    shot("02-reverted-history")

    page.goto(f"/admin/org/department/{eng.pk}/change/")
    expect(page.get_by_label("Name")).to_have_value("Engineering")
    expect(page.get_by_label("Description")).to_have_value("")
    reverted = Department.objects.get(pk=eng.pk)
    assert (reverted.name, reverted.description) == ("Engineering", "")


def test_hr_sees_why_a_revert_is_refused(page: Page, shot, log_in, make_user, eng, root_department):
    hr = make_user("hr")
    department_update(department=eng, actor=hr, code="ENGX")
    department_create(actor=None, name="Engines", code="ENG", parent=root_department)

    log_in(page, "hr")
    page.goto(f"/admin/org/department/{eng.pk}/history/")
    _history_row(page, 1).get_by_test_id("revert-link").click()
    page.get_by_label("Reason").fill("Back to the old code")
    page.get_by_test_id("confirm-revert").click()

    expect(page.get_by_test_id("revert-error")).to_contain_text(
        "The code ENG of that version is now used by Engines (ENG)."
    )
    shot("01-refused")
    assert Department.objects.get(pk=eng.pk).code == "ENGX"
