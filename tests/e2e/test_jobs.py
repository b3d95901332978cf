"""HR exports the audit trail as a background job: the bar reaches 100% and the file
downloads; the Jobs list shows the job. Run with the thread runner of the embedded default.

The live client (static/live/live.js) may be absent: the page then asks the job's status
every 2 s, and must reach the end state either way.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from apps.jobs import runners
from apps.jobs.models import Job
from apps.org.services import employee_create, employee_update

pytestmark = pytest.mark.browser


@pytest.fixture
def thread_runner(settings):
    settings.JOBS_RUNNER = "thread"
    yield
    runners.thread_jobs_wait()


@pytest.fixture
def hr(make_user, org):
    hr = make_user("hr")
    for n in range(30):
        person = employee_create(
            actor=hr, username=f"p{n}", first_name=f"Person{n}", department=org["web"]
        )
        employee_update(employee=person, actor=hr, position="Analyst", reason="Review")
    return hr


def test_hr_exports_the_trail_as_a_job_and_downloads_the_file(
    page: Page, shot, log_in, hr, thread_runner
):
    log_in(page, "hr")
    page.locator("#nav-sidebar-inner").get_by_role("link", name="Audit trail").click()
    page.get_by_test_id("export-csv").click()

    # The job's page: the bar fills (live events, or the status fallback) and the file
    # appears.
    expect(page).to_have_url(re.compile(r"/admin/jobs/job/[0-9a-f-]+/change/$"))
    expect(page.get_by_test_id("job-state")).to_have_text(re.compile("succeeded", re.I))
    expect(page.get_by_test_id("job-percent")).to_have_text("100%")
    expect(page.get_by_test_id("job-bar")).to_have_attribute("value", "100")
    expect(page.get_by_test_id("job-message")).to_contain_text(re.compile(r"Exported \d+ rows"))
    expect(page.get_by_test_id("job-params")).to_contain_text("CSV")
    shot("01-job-page")

    with page.expect_download() as info:
        page.get_by_test_id("job-download").click()
    assert re.fullmatch(r"audit-trail-\d{8}-\d{6}\.csv", info.value.suggested_filename)
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Time", "Actor", "Action"]
    job = Job.objects.get()
    assert len(rows) - 1 == job.total == job.done
    assert any(row[5].startswith("Person29") for row in rows[1:])

    # The Jobs list, from the sidebar: the job, its state, a full bar and the download.
    page.locator("#nav-sidebar-inner").get_by_role("link", name="Jobs").click()
    expect(page).to_have_url(re.compile(r"/admin/jobs/job/$"))
    expect(page.get_by_test_id("job-link")).to_have_text("Audit trail export")
    expect(page.get_by_test_id("job-percent")).to_have_text("100%")
    expect(page.get_by_test_id("job-download")).to_be_visible()
    shot("02-jobs-list")


def test_the_page_follows_a_job_to_its_end_by_itself(page: Page, log_in, hr):
    """Opened while the job is queued, the page sees it end even when no event reaches it
    (here none is sent; the channel layer drops events under load): it asks the status
    every 5 s beside the live client (every 2 s without it) and shows the end state."""
    job = Job.objects.create(kind="org.apply_due_transfers", requested_by=hr)
    log_in(page, "hr")
    page.goto(f"/admin/jobs/job/{job.pk}/change/")
    expect(page.get_by_test_id("job-state")).to_have_text(re.compile("queued", re.I))
    Job.objects.filter(pk=job.pk).update(state=Job.State.SUCCEEDED, message="Applied 0.")
    expect(page.get_by_test_id("job-state")).to_have_text(re.compile("succeeded", re.I))
    expect(page.get_by_test_id("job-message")).to_have_text("Applied 0.")


def test_the_jobs_pages_in_chinese(page: Page, shot, log_in, hr, thread_runner):
    log_in(page, "hr")
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": page.url}])
    page.goto("/admin/audit/auditentry/")
    page.get_by_test_id("export-xlsx").click()
    expect(page).to_have_url(re.compile(r"/admin/jobs/job/[0-9a-f-]+/change/$"))
    expect(page.get_by_test_id("job-state")).to_have_text("已完成")
    expect(page.get_by_test_id("job-download")).to_contain_text("下载")
    shot("01-job-page-zh")
    page.goto("/admin/jobs/job/")
    expect(page.get_by_test_id("jobs-intro")).to_contain_text("您启动的后台任务")
    shot("02-jobs-list-zh")


def test_hr_applies_the_due_transfers_now_as_a_job(
    page: Page, shot, log_in, hr, thread_runner, make_user
):
    log_in(page, "hr")
    page.locator("#nav-sidebar-inner").get_by_role("link", name="Transfers").click()
    expect(page.get_by_test_id("apply-due-now")).to_be_visible()
    shot("01-transfers")
    page.get_by_test_id("apply-due-now").click()
    expect(page).to_have_url(re.compile(r"/admin/jobs/job/[0-9a-f-]+/change/$"))
    expect(page.get_by_test_id("job-state")).to_have_text(re.compile("succeeded", re.I))
    expect(page.get_by_test_id("job-message")).to_have_text("Applied 0 due transfers.")
    shot("02-job")


def test_an_administrator_sees_archive_now_and_everyones_jobs(
    page: Page, shot, log_in, hr, make_user
):
    Job.objects.create(
        kind="audit.trail_export",
        requested_by=hr,
        state=Job.State.FAILED,
        error="The thing failed.",
        params={"format": "csv", "filters": {}},
    )
    make_user("admin")
    log_in(page, "admin")
    page.goto("/admin/audit/chainarchive/")
    expect(page.get_by_test_id("archive-now")).to_be_visible()
    shot("01-archive-now")
    page.goto("/admin/jobs/job/")
    expect(page.get_by_test_id("jobs-intro")).to_contain_text("Everyone's background jobs")
    expect(page.get_by_test_id("job-retry")).to_be_visible()
    shot("02-everyones-jobs")
