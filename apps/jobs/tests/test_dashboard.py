"""The Tasks page: its figures from a known set of jobs, the periodic tasks' rows, what it
says when jobs run in threads, and who may open it."""

import datetime
import os

import pytest
import time_machine
from celery import Celery
from celery.schedules import crontab
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from apps.jobs import dashboard
from apps.jobs.models import Job

pytestmark = pytest.mark.django_db

State = Job.State
NOON = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)
PAGE = reverse("jobs_task_dashboard")
PROBES = reverse("jobs_task_dashboard_probes")


def _ended(kind, state, seconds, *, ago=datetime.timedelta(hours=1)):
    finished = NOON - ago
    return Job.objects.create(
        kind=kind,
        state=state,
        started_at=finished - datetime.timedelta(seconds=seconds),
        finished_at=finished,
    )


@pytest.fixture
def jobs():
    for seconds in (1, 2, 3, 4, 5, 6, 7, 8, 9, 100):
        _ended("test.count", State.SUCCEEDED, seconds)
    _ended("test.count", State.FAILED, 50)
    _ended("test.boom", State.FAILED, 3)
    _ended("test.boom", State.CANCELLED, 1)
    # Ended more than a day ago: not counted.
    _ended("test.count", State.SUCCEEDED, 1000, ago=datetime.timedelta(hours=25))
    Job.objects.create(kind="test.count", state=State.RUNNING, started_at=NOON)
    Job.objects.create(kind="test.count", state=State.QUEUED)
    Job.objects.create(kind="test.boom", state=State.QUEUED)


def _by_kind(rows):
    return {row.kind: row for row in rows}


def test_percentiles_are_nearest_rank():
    assert dashboard.percentile([], 0.5) is None
    assert dashboard.percentile([3.0], 0.95) == 3.0
    assert dashboard.percentile([float(n) for n in range(1, 11)], 0.5) == 5.0
    assert dashboard.percentile([float(n) for n in range(1, 21)], 0.95) == 19.0


def test_jobs_per_kind_counts_the_last_24_hours_with_their_durations(jobs):
    rows = _by_kind(dashboard.jobs_per_kind(now=NOON))
    count, boom = rows["test.count"], rows["test.boom"]
    assert (count.succeeded, count.failed, count.cancelled) == (10, 1, 0)
    assert (boom.succeeded, boom.failed, boom.cancelled) == (0, 1, 1)
    # 1..9, 50, 100 seconds: the median is 6, the 95th percentile 100.
    assert (count.p50, count.p95) == (6.0, 100.0)
    assert (boom.p50, boom.p95) == (1.0, 3.0)
    assert count.label == "Counting"


def test_a_registered_kind_without_jobs_has_a_row_of_zeros_and_no_durations(jobs):
    refuse = _by_kind(dashboard.jobs_per_kind(now=NOON))["test.refuse"]
    assert (refuse.succeeded, refuse.failed, refuse.cancelled) == (0, 0, 0)
    assert refuse.p50 is None
    assert refuse.p95 is None


def test_running_and_queued_are_counted_now(jobs):
    assert dashboard.job_counts() == {"running": 1, "queued": 2}


def test_the_snapshot_is_the_live_event_of_the_page(jobs):
    event = dashboard.jobs_snapshot(now=NOON)
    assert event["kind"] == "tasks"
    assert event["coalesce"] == "tasks"
    assert (event["running"], event["queued"]) == (1, 2)
    count = next(row for row in event["kinds"] if row["kind"] == "test.count")
    assert count == {
        "kind": "test.count",
        "succeeded": 10,
        "failed": 1,
        "cancelled": 0,
        "p50": 6.0,
        "p95": 100.0,
    }


# --- periodic tasks ------------------------------------------------------------------

SCHEDULE = {
    "every-minute": {"task": "apps.jobs.tasks.reap_jobs", "schedule": 60.0},
    "nightly": {
        "task": "apps.audit.tasks.verify_audit_chain",
        "schedule": crontab(hour=2, minute=30),
    },
    "never": {"task": "apps.jobs.tasks.expire_job_results", "schedule": 60.0},
}


def _stored(name, last_run_at, *, enabled=True):
    every, _ = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.SECONDS)
    return PeriodicTask.objects.create(
        name=name,
        task=SCHEDULE[name]["task"],
        interval=every,
        last_run_at=last_run_at,
        enabled=enabled,
    )


def _rows():
    return {row.name: row for row in dashboard.periodic_rows(beat_schedule=SCHEDULE)}


@time_machine.travel(NOON, tick=False)
def test_a_periodic_task_beat_never_ran_shows_never_run():
    row = _rows()["never"]
    assert row.last_run is None
    assert row.on_time is None
    assert row.next_run == NOON + datetime.timedelta(seconds=60)


@time_machine.travel(NOON, tick=False)
def test_a_periodic_task_that_ran_within_its_period_is_on_time():
    _stored("every-minute", NOON - datetime.timedelta(seconds=90))
    _stored("nightly", NOON.replace(hour=2, minute=30, second=4))
    rows = _rows()
    assert rows["every-minute"].on_time is True
    assert rows["nightly"].on_time is True
    assert rows["nightly"].next_run == NOON.replace(hour=2, minute=30) + datetime.timedelta(days=1)


@time_machine.travel(NOON, tick=False)
def test_a_periodic_task_whose_due_run_is_overdue_is_late():
    _stored("every-minute", NOON - datetime.timedelta(hours=1))
    _stored("nightly", NOON.replace(hour=2, minute=30) - datetime.timedelta(days=2))
    rows = _rows()
    assert rows["every-minute"].on_time is False
    assert rows["nightly"].on_time is False
    # Overdue: it is due now.
    assert rows["every-minute"].next_run == NOON


@time_machine.travel(NOON, tick=False)
def test_a_disabled_periodic_task_is_neither_on_time_nor_late():
    _stored("every-minute", NOON - datetime.timedelta(hours=1), enabled=False)
    row = _rows()["every-minute"]
    assert row.on_time is None
    assert row.next_run is None


def test_every_entry_of_the_beat_schedule_has_a_row(settings):
    names = [row.name for row in dashboard.periodic_rows()]
    assert names == list(settings.CELERY_BEAT_SCHEDULE)
    assert {"seal-audit-chain", "reap-jobs", "apply-due-transfers"} <= set(names)


# --- probes --------------------------------------------------------------------------


def test_a_dead_broker_makes_the_probes_unavailable_not_zero(settings):
    settings.JOBS_RUNNER = "celery"
    app = Celery(broker="redis://127.0.0.1:1/0", set_as_current=False)  # not the tasks' app
    workers, depth = dashboard.workers_online(app, timeout=0.1), dashboard.queue_depth(app)
    assert workers.value is None
    assert "did not answer" in workers.reason
    assert depth.value is None
    assert "did not answer" in depth.reason


def test_no_probe_is_made_when_jobs_run_in_threads(settings):
    settings.JOBS_RUNNER = "thread"
    app = Celery(broker="redis://127.0.0.1:1/0", set_as_current=False)  # not the tasks' app
    assert not dashboard.workers_online(app).measured
    assert not dashboard.queue_depth(app).measured


# --- the page ------------------------------------------------------------------------


@pytest.fixture
def as_(client, make_user):
    def sign_in(persona):
        client.force_login(make_user(persona))
        return client

    return sign_in


@pytest.mark.parametrize("persona", ["admin", "security"])
def test_administrators_and_security_officers_see_the_page(as_, persona):
    client = as_(persona)
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="tasks-kinds"' in html
    assert 'data-testid="tasks-periodic"' in html
    assert f'href="{PAGE}"' in html  # the sidebar entry
    assert client.get(PROBES).status_code == 200


@pytest.mark.parametrize("persona", ["staff", "hr", "manager", "auditor"])
def test_everyone_else_is_refused(as_, persona):
    client = as_(persona)
    assert client.get(PAGE).status_code == 403
    assert client.get(PROBES).status_code == 403
    assert f'href="{PAGE}"' not in client.get(reverse("admin:index")).content.decode()


def test_the_probes_answer_carries_the_jobs_snapshot_when_asked(as_, jobs, settings):
    settings.JOBS_RUNNER = "thread"
    client = as_("admin")
    assert client.get(PROBES).json() == {"workers": None, "queue": None}
    snapshot = client.get(PROBES, {"jobs": "1"}).json()["jobs"]
    assert snapshot["kind"] == "tasks"
    assert (snapshot["running"], snapshot["queued"]) == (1, 2)


def test_signed_out_goes_to_the_sign_in(client):
    assert client.get(PAGE).status_code == 302


def test_the_page_says_jobs_run_in_threads_and_what_runs_without_beat(as_, settings):
    settings.JOBS_RUNNER, settings.JOBS_THREADS = "thread", 3
    settings.AUDIT_SEAL_ON_COMMIT = True
    html = as_("admin").get(PAGE).content.decode()
    assert "pool of 3 threads of the web server" in html
    assert "do not run by themselves" in html
    assert "sealed after each commit" in html
    assert 'data-testid="figure-workers"' not in html
    assert "never run" in html


def test_the_page_shows_counts_linked_to_the_jobs_list(as_, jobs):
    with time_machine.travel(NOON + datetime.timedelta(minutes=1), tick=False):
        html = as_("security").get(PAGE).content.decode()
    jobs_list = reverse("admin:jobs_job_changelist")
    assert f'href="{jobs_list}?kind=test.count&amp;state__exact=succeeded&amp;within=24h"' in html
    assert f'href="{jobs_list}?state__exact=running"' in html
    assert ">10</a>" in html
    assert "6.0 s" in html
    assert "100.0 s" in html


def test_the_filtered_jobs_list_the_counts_link_to_answers(as_, jobs):
    client = as_("admin")
    with time_machine.travel(NOON + datetime.timedelta(minutes=1), tick=False):
        page = client.get(
            reverse("admin:jobs_job_changelist"),
            {"kind": "test.boom", "state__exact": "failed", "within": "24h"},
        )
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1


def test_the_page_costs_the_same_queries_for_many_jobs(as_):
    client = as_("admin")
    client.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE).status_code == 200
    for seconds in range(30):
        _ended("test.count", State.SUCCEEDED, seconds, ago=datetime.timedelta(minutes=5))
        _ended("test.boom", State.FAILED, seconds, ago=datetime.timedelta(minutes=5))
    Job.objects.create(kind="test.count", state=State.RUNNING)
    with CaptureQueriesContext(connection) as many:
        assert client.get(PAGE).status_code == 200
    assert len(many) == len(few)


# --- beat's admin --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("security", 403), ("hr", 403), ("auditor", 403), ("staff", 403)],
)
def test_the_periodic_tasks_admin_is_for_administrators_only(as_, persona, status):
    client = as_(persona)
    assert (
        client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code
        == status
    )
    assert client.get(reverse("admin:django_celery_beat_periodictask_add")).status_code == status


def test_an_administrator_edits_a_periodic_task(as_):
    client = as_("admin")
    task = _stored("every-minute", None)
    url = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    assert client.get(url).status_code == 200
    # No simple-history on beat's models: Django's log of the admin's edits.
    history = reverse("admin:django_celery_beat_periodictask_history", args=[task.pk])
    assert client.get(history).status_code == 200


@pytest.mark.services
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_a_real_broker_is_measured(settings):
    """Against Redis: the ping is answered (by no worker, or some), and the queue's depth is
    a count, or unavailable when no worker ever declared the queue: never a made-up 0."""
    settings.JOBS_RUNNER = "celery"
    app = Celery(broker=os.environ["REDIS_URL"], set_as_current=False)
    workers = dashboard.workers_online(app, timeout=0.2)
    assert workers.measured
    assert isinstance(workers.value, list)
    depth = dashboard.queue_depth(app, queue="bo-dash-never-declared")
    assert depth.value is None
    assert "declared" in depth.reason
