"""The trail with old → new values and a record search, history with "—", Verify now, and
the reason box with its border: in English and in Chinese."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.audit.chain import seal
from apps.org.services import department_update, employee_create, employee_update

pytestmark = pytest.mark.browser

TRAIL = "/admin/audit/auditentry/"


def _in_chinese(page: Page) -> None:
    origin = page.url.split("/admin/", 1)[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])


@pytest.fixture
def people(org, make_user):
    hr = make_user("hr")
    ines = employee_create(
        actor=hr, username="ines", first_name="Ines", last_name="Inside", department=org["web"]
    )
    otto = employee_create(
        actor=hr, username="otto", first_name="Otto", last_name="Outside", department=org["fin"]
    )
    employee_update(employee=ines, actor=hr, position="Analyst", reason="New role")
    employee_update(
        employee=ines, actor=hr, position="Lead", salary=Decimal("6000"), reason="Promotion"
    )
    employee_update(employee=otto, actor=hr, position="Clerk", reason="Hired as clerk")
    department_update(department=org["eng"], actor=hr, manager=ines, reason="New head")
    return {"hr": hr, "ines": ines, "otto": otto}


def test_the_trail_shows_old_and_new_values_and_finds_a_record_by_name(
    page: Page, shot, log_in, org, people
):
    log_in(page, "hr")
    page.goto(TRAIL)
    row = page.get_by_test_id("trail-row").filter(has_text="Promotion")
    expect(row.get_by_test_id("trail-change").filter(has_text="Position")).to_contain_text(
        "Analyst"
    )
    expect(row.get_by_test_id("trail-change").filter(has_text="Salary")).to_contain_text(
        "¥6,000.00"
    )
    shot("01-trail-values")

    # Suggestions while typing: each leads to that one record's trail.
    page.get_by_label("Record").press_sequentially("Ott")
    suggestion = page.get_by_test_id("trail-suggestion").filter(has_text="Employee")
    expect(suggestion).to_contain_text("Otto Outside")
    shot("02-trail-suggestions")
    suggestion.click()
    expect(page).to_have_url(re.compile(r"[?&]object=" + str(people["otto"].pk)))
    expect(page.get_by_test_id("trail-one-record")).to_be_visible()
    for text in page.get_by_test_id("trail-row").all_inner_texts():
        assert "Otto" in text

    page.goto(TRAIL)
    page.get_by_label("Record").fill("Otto")
    page.get_by_test_id("trail-submit").click()
    expect(page).to_have_url(re.compile(r"[?&]name=Otto"))
    rows = page.get_by_test_id("trail-row")
    expect(rows.first).to_be_visible()
    for text in rows.all_inner_texts():
        assert "Otto" in text
        assert "Ines" not in text
    expect(page.get_by_test_id("trail-change").filter(has_text="Clerk").first).to_be_visible()
    shot("03-trail-search")

    # The department's manager was nobody before: a dash, never "Deleted employee".
    page.goto(TRAIL + "?name=ENG&model=org.department")
    manager = page.get_by_test_id("trail-change").filter(has_text="Manager").first
    expect(manager.locator("[data-side=old]")).to_have_text("—")
    expect(manager.locator("[data-side=new]")).to_contain_text("Ines")

    _in_chinese(page)
    page.goto(TRAIL + "?name=Ines")
    expect(page.get_by_test_id("trail-change").filter(has_text="职位").first).to_be_visible()
    expect(page.get_by_label("记录")).to_have_value("Ines")
    shot("04-trail-values-zh")


def test_the_history_reads_a_dash_and_field_names(page: Page, shot, log_in, org, people):
    log_in(page, "hr")
    page.goto(f"/admin/org/department/{org['eng'].pk}/history/")
    change = page.get_by_test_id("history-change").filter(has_text="Manager").first
    expect(change.locator("[data-side=old]")).to_have_text("—")
    expect(page.locator("#change-history")).not_to_contain_text("pk=None")
    shot("01-history")
    _in_chinese(page)
    page.reload()
    expect(page.get_by_test_id("history-change").filter(has_text="负责人").first).to_be_visible()
    shot("02-history-zh")


def test_an_officer_verifies_the_chain_now(page: Page, shot, log_in, make_user, org, people):
    seal()
    make_user("security")
    log_in(page, "security")
    page.goto("/admin/audit/verificationrun/")
    button = page.get_by_test_id("verify-now")
    expect(button).to_be_visible()
    shot("01-before")
    button.click()
    # A background job: its page shows the walk and what it found.
    expect(page.get_by_test_id("job-message")).to_contain_text("The chain is intact")
    page.goto("/admin/audit/verificationrun/")
    expect(page.locator("#result_list")).to_contain_text("security")
    shot("02-verified")
    _in_chinese(page)
    page.reload()
    page.get_by_test_id("verify-now").click()
    expect(page.get_by_test_id("job-message")).to_contain_text("哈希链完好")
    shot("03-verified-zh")


def _border(page: Page, selector: str) -> tuple[str, str]:
    return page.locator(selector).evaluate(
        "e => { const s = getComputedStyle(e); return [s.borderTopWidth, s.borderTopColor]; }"
    )


def test_the_reason_box_has_a_border(page: Page, shot, log_in, org, people):
    log_in(page, "hr")
    page.goto(f"/admin/org/employee/{people['otto'].pk}/change/")
    box = page.locator("textarea[name=change_reason]")
    box.scroll_into_view_if_needed()
    expect(box).to_be_visible()
    width, color = _border(page, "textarea[name=change_reason]")
    assert width == "1px"
    assert color not in ("rgba(0, 0, 0, 0)", "transparent")
    box.fill("Corrected the position")
    box.evaluate("e => e.blur()")
    shot("01-reason-box")
    _in_chinese(page)
    page.reload()
    expect(page.locator("textarea[name=change_reason]")).to_be_visible()
    page.locator("textarea[name=change_reason]").scroll_into_view_if_needed()
    shot("02-reason-box-zh")
