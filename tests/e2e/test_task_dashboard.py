"""An administrator opens Tasks from the sidebar and reads its figures; a job that ends
elsewhere changes them without a reload (the ``tasks`` live topic); the page in Chinese.

The embedded default runs jobs in threads of the web server: the page says so instead of
showing worker and queue figures, and every periodic task reads "never run" (no beat).
"""

import re

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from apps.core import live
from apps.jobs import dashboard_push, services
from tests.e2e.pages import in_chinese
from tests.e2e.test_live import on_the_servers_loop  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser

KIND = "org.apply_due_transfers"


@pytest.fixture
def tasks_feed(monkeypatch):
    """The live feed on (the root conftest turns it off for other tests)."""
    throttle = live.Throttle(dashboard_push._send_snapshot, interval=dashboard_push.INTERVAL)
    monkeypatch.setattr(dashboard_push, "_throttle", throttle)


def _open_tasks(page: Page, name: str = "Tasks") -> None:
    page.locator("#nav-sidebar-inner").get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(r"/admin/tasks/$"))
    expect(page.get_by_test_id("tasks")).to_be_visible()


def test_an_administrator_reads_the_tasks_page_and_sees_a_job_end_live(
    page: Page,
    shot,
    log_in,
    make_user,
    settings,
    tasks_feed,
    on_the_servers_loop,  # noqa: F811 - the fixture imported above
):
    settings.JOBS_RUNNER = "thread"  # the embedded default's
    admin = make_user("admin")
    log_in(page, "admin")
    _open_tasks(page)
    statement = page.get_by_test_id("tasks-statement")
    expect(statement).to_contain_text("threads of the web server")
    expect(statement).to_contain_text("do not run by themselves")
    expect(page.get_by_test_id("figure-running")).to_contain_text("0")
    row = page.locator(f'tr[data-kind="{KIND}"]')
    expect(row.locator('[data-cell="succeeded"]')).to_have_text("0")
    expect(page.locator('tr[data-periodic="seal-audit-chain"]')).to_contain_text("never run")
    expect(page.get_by_test_id("tasks")).to_have_attribute("data-live", "subscribed")
    shot("01-tasks")

    # A job started and ended elsewhere (here, in the test, as it commits): the page hears
    # the snapshot.
    settings.JOBS_RUNNER = "inline"
    with transaction.atomic():
        services.job_create(kind_name=KIND, user=admin, params={})
    expect(row.locator('[data-cell="succeeded"]')).to_have_text("1")
    expect(row.locator('[data-cell="p50"]')).to_have_text(re.compile(r"^\d+\.\d s$"))
    expect(page.get_by_test_id("tasks")).to_have_attribute("data-updated", re.compile(r"\d+"))
    shot("02-after-a-job")

    # The count links to the Jobs list, filtered to it.
    row.locator('[data-cell="succeeded"]').click()
    expect(page).to_have_url(re.compile(r"/admin/jobs/job/\?kind=org\.apply_due_transfers"))
    expect(page.get_by_test_id("job-link")).to_have_count(1)


def test_the_tasks_page_in_chinese(page: Page, shot, log_in, make_user, settings):
    settings.JOBS_RUNNER = "thread"  # the embedded default's
    make_user("security")
    log_in(page, "security")
    in_chinese(page)
    page.goto("/admin/")
    _open_tasks(page, "任务监控")
    expect(page.get_by_test_id("tasks-statement")).to_contain_text("线程")
    expect(page.locator('tr[data-periodic="seal-audit-chain"]')).to_contain_text("从未运行")
    shot("01-tasks-zh")


def test_staff_have_no_tasks_entry(page: Page, log_in, make_user):
    make_user("staff")
    log_in(page, "staff")
    expect(page.locator("#nav-sidebar-inner").get_by_role("link", name="Tasks")).to_have_count(0)
    response = page.goto("/admin/tasks/")
    assert response is not None
    assert response.status == 403


def test_an_administrator_edits_the_periodic_tasks_from_the_page(
    page: Page, shot, log_in, make_user
):
    make_user("admin")
    log_in(page, "admin")
    _open_tasks(page)
    page.get_by_test_id("beat-link").click()
    expect(page).to_have_url(re.compile(r"/admin/django_celery_beat/periodictask/$"))
    shot("01-periodic-tasks")
    page.goto("/admin/django_celery_beat/periodictask/add/")
    expect(page.locator("#id_name")).to_be_visible()
    shot("02-add-periodic-task")
