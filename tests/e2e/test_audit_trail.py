"""The auditor filters the trail by actor and dates and exports it (POST only); a manager sees
their scope."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from apps.audit.models import TrailExport
from apps.org.services import employee_create, employee_update

pytestmark = pytest.mark.browser

TRAIL = "/admin/audit/auditentry/"


def _on(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def org(org, make_user):
    """The shared tree (conftest), with two HR people and Ines and Otto hired in January."""
    web, fin = org["web"], org["fin"]
    # Roles from January on: the changes below are made "in March".
    with time_machine.travel(_on(datetime.date(2026, 1, 5)), tick=False):
        hr = make_user("hr")
        payroll = make_user("hr", username="payroll")
        inside = employee_create(
            actor=hr, username="ines", first_name="Ines", last_name="Inside", department=web
        )
        outside = employee_create(
            actor=hr, username="otto", first_name="Otto", last_name="Outside", department=fin
        )
    return {
        **org,
        "hr": hr,
        "payroll": payroll,
        "inside": inside,
        "outside": outside,
    }


def test_the_auditor_filters_the_trail_exports_it_and_cannot_edit(
    page: Page, shot, log_in, make_user, org
):
    early = datetime.date(2026, 3, 2)
    late = datetime.date(2026, 3, 20)
    with time_machine.travel(_on(early), tick=False):
        employee_update(
            employee=org["inside"],
            actor=org["payroll"],
            position="Analyst",
            reason="Quarterly review",
        )
        employee_update(employee=org["outside"], actor=org["hr"], position="Clerk")
    with time_machine.travel(_on(late), tick=False):
        employee_update(employee=org["outside"], actor=org["payroll"], position="Controller")
    make_user("auditor")
    log_in(page, "auditor")

    page.locator("#nav-sidebar-inner").get_by_role("link", name="Audit trail").click()
    expect(page).to_have_url(re.compile(r"/admin/audit/auditentry/$"))
    expect(page.get_by_test_id("trail-seal")).to_contain_text("Sealed up to")
    expect(page.get_by_test_id("trail-verification")).to_contain_text("Never verified")
    expect(page.get_by_test_id("trail-row").first).to_be_visible()
    shot("01-trail")

    # The actor link in a row filters by that person.
    page.get_by_test_id("trail-actor").filter(has_text="payroll").first.click()
    expect(page).to_have_url(re.compile(r"[?&]actor=payroll"))
    rows = page.get_by_test_id("trail-row")
    expect(rows).to_have_count(2)

    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_label("To", exact=True).fill("2026-03-05")
    page.get_by_test_id("trail-submit").click()
    expect(page).to_have_url(re.compile(r"date_to=2026-03-05"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ines Inside")
    expect(rows.first).to_contain_text("Position")
    expect(rows.first).to_contain_text("Quarterly review")
    expect(page.locator("#content")).not_to_contain_text("Otto Outside")
    expect(page.get_by_test_id("trail-pages")).to_contain_text("1 shown")
    shot("02-filtered")

    # An export is a background job: the button leads to the job's page and its file.
    page.get_by_test_id("export-csv").click()
    expect(page).to_have_url(re.compile(r"/admin/jobs/job/[0-9a-f-]+/change/$"))
    with page.expect_download() as info:
        page.get_by_test_id("job-download").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:3] == ["Time", "Actor", "Action"]
    assert [(r[1], r[5], r[6], r[7], r[8]) for r in lines[1:]] == [
        ("payroll", str(org["inside"]), "Position", "Position: — → Analyst", "Quarterly review")
    ]
    assert info.value.suggested_filename.endswith(".csv")

    page.go_back()
    page.get_by_test_id("export-xlsx").click()
    with page.expect_download() as info:
        page.get_by_test_id("job-download").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0][:3] == ["Time", "Actor", "Action"]
    assert [(r[1], r[6], r[7]) for r in table[1:]] == [
        ("payroll", "Position", "Position: — → Analyst")
    ]
    assert table[1][0] == _on(early).replace(tzinfo=None)  # Excel has no time zones
    page.go_back()  # to the filtered trail

    exports = list(TrailExport.objects.order_by("at").values_list("format", "rows", "filters"))
    assert [(fmt, rows) for fmt, rows, _filters in exports] == [("csv", 1), ("xlsx", 1)]
    assert exports[0][2]["actor"] == "payroll"
    # Exports are POSTs with the CSRF token: a link (here followed by the auditor's own
    # browser, as a cross-site one would be) makes no file and no log row.
    response = page.request.get(f"{TRAIL}export/csv/?actor=payroll")
    assert response.status == 405
    assert TrailExport.objects.count() == 2
    response = page.request.post(f"{TRAIL}export/csv/", form={"actor": "payroll"})
    assert response.status == 403  # no CSRF token
    assert TrailExport.objects.count() == 2

    # Read-only: no add, change or delete anywhere on the trail or an object's history.
    expect(page.get_by_role("link", name=re.compile("^Add"))).to_have_count(0)
    expect(page.locator("input[type=submit][name=_save], button[name=_save]")).to_have_count(0)
    rows.first.get_by_test_id("trail-object").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/admin/org/employee/{org['inside'].pk}/history/$"))
    expect(page.locator("#content")).to_contain_text("Analyst")
    expect(page.get_by_role("button", name=re.compile("Revert", re.I))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Revert", re.I))).to_have_count(0)
    shot("03-object-history")


def test_a_manager_sees_only_the_changes_in_their_subtree(page: Page, shot, log_in, make_user, org):
    employee_update(employee=org["inside"], actor=org["hr"], position="Team lead")
    employee_update(employee=org["outside"], actor=org["hr"], position="Accountant")
    make_user("manager", department=org["eng"])
    log_in(page, "manager")

    page.locator("#nav-sidebar-inner").get_by_role("link", name="Audit trail").click()
    expect(page).to_have_url(re.compile(r"/admin/audit/auditentry/$"))
    table = page.get_by_test_id("trail-table")
    expect(table).to_contain_text("Ines Inside")
    expect(table).to_contain_text("Web Platform")
    expect(page.locator("#content")).not_to_contain_text("Otto")
    expect(page.locator("#content")).not_to_contain_text("Finance")
    expect(page.get_by_test_id("trail-exports")).to_have_count(0)
    shot("01-manager-trail")

    response = page.goto(f"{TRAIL}export/csv/")
    assert response is not None
    assert response.status == 403
