"""HR gives a reason in a change form and finds it in the trail; a security officer reads
the chain verifications and the export log from the sidebar."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from apps.audit.chain import seal
from apps.audit.exports import export_record
from apps.org.services import department_create

pytestmark = pytest.mark.browser


def test_hr_gives_a_reason_in_the_change_form_and_finds_it_in_the_trail(
    page: Page, shot, log_in, make_user, root_department
):
    web = department_create(actor=None, name="Web Platform", code="WEB", parent=root_department)
    make_user("hr")
    log_in(page, "hr")

    page.goto(f"/admin/org/department/{web.pk}/change/")
    page.get_by_label("Name").fill("Web Platform Team")
    page.get_by_label("Reason", exact=True).fill("Renamed after the spring re-org")
    shot("01-change-form-with-reason")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    page.locator("#nav-sidebar-inner").get_by_role("link", name="Audit trail").click()
    row = page.get_by_test_id("trail-row").filter(has_text="Web Platform Team").first
    expect(row).to_contain_text("Renamed after the spring re-org")
    expect(row.get_by_test_id("trail-fields")).to_contain_text("Name")
    expect(row).to_contain_text("hr")
    shot("02-trail-shows-the-reason")


def test_a_security_officer_reads_the_verifications_and_the_export_log(
    page: Page, shot, log_in, make_user, root_department
):
    officer = make_user("security")
    department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    seal()
    call_command("verify_audit")
    export_record(user=officer, format="csv", filters={"actor": "hr"})
    log_in(page, "security")

    sidebar = page.locator("#nav-sidebar-inner")
    sidebar.get_by_role("link", name="Chain verifications").click()
    expect(page).to_have_url(re.compile(r"/admin/audit/verificationrun/$"))
    expect(page.locator("#result_list")).to_contain_text(re.compile("intact|True|✓", re.I))
    expect(page.get_by_role("link", name=re.compile("^Add"))).to_have_count(0)
    shot("01-verifications")

    sidebar.get_by_role("link", name="Trail exports").click()
    expect(page).to_have_url(re.compile(r"/admin/audit/trailexport/$"))
    expect(page.locator("#result_list")).to_contain_text("CSV")
    shot("02-exports")
