"""HR's employee list holds people only: the inactive ``system`` account (seeds and jobs
act as it) is neither listed nor counted, not even among the inactive ones."""

import pytest
from playwright.sync_api import Page, expect

from apps.core.history import system_actor
from apps.org.services import employee_create, employee_deactivate
from tests.e2e.pages import in_chinese, search_changelist

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
def test_hr_s_inactive_list_shows_only_people_who_left(
    page: Page, shot, log_in, make_user, org, chinese
):
    system_actor()
    make_user("hr")
    mei = employee_create(
        actor=None, username="mei", first_name="Mei", last_name="Lin", department=org["fin"]
    )
    employee_deactivate(employee=mei, actor=None)
    log_in(page, "hr")
    if chinese:
        in_chinese(page)
    lang = "zh" if chinese else "en"

    page.goto("/admin/org/employee/?is_active__exact=0")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Mei Lin")
    expect(page.locator("#result_list")).not_to_contain_text("System")
    shot(f"01-inactive-people-only-{lang}")

    page.goto("/admin/org/employee/")
    search_changelist(page, "system")
    expect(page.locator("#result_list tbody tr")).to_have_count(0)
    shot(f"02-no-system-row-in-search-{lang}")
