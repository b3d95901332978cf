"""Jobs from start to end: states, throttled events, cancel, retry, the reaper and expiry."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone

from apps.core import live
from apps.core.jobs import UnknownJobKind, job_start
from apps.core.signals import job_finished
from apps.jobs import services
from apps.jobs.models import Job

pytestmark = pytest.mark.django_db

State = Job.State


@pytest.fixture
def events(monkeypatch):
    """What the jobs app publishes (the channel layer is the process boundary)."""
    sent = []
    monkeypatch.setattr(live, "_send", lambda topics, event: sent.append((topics, event)))
    return sent


@pytest.fixture
def finished():
    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)

    job_finished.connect(receiver)
    yield heard
    job_finished.disconnect(receiver)


def _start(user, kind="test.count", capture=None, **params):
    with capture(execute=True):
        job = services.job_create(kind_name=kind, user=user, params=params)
    job.refresh_from_db()
    return job


def test_a_job_runs_to_success_after_commit(
    staff_user, django_capture_on_commit_callbacks, finished
):
    job = _start(staff_user, capture=django_capture_on_commit_callbacks, n=10)
    assert job.state == State.SUCCEEDED
    assert (job.done, job.total, job.message) == (10, 10, "counted 10")
    assert job.started_at <= job.finished_at
    assert job.result.read() == b"a,b\n1,2\n"
    assert (job.result_name, job.result_type) == ("count.csv", "text/csv")
    [heard] = finished
    assert heard["job"] == job
    assert (heard["state"], heard["requested_by"], heard["label"]) == (
        "succeeded",
        staff_user,
        "Counting",
    )
    assert heard["url"] == f"/admin/jobs/job/{job.pk}/change/"


def test_nothing_runs_before_the_commit(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.job_create(kind_name="test.count", user=staff_user, params={"n": 3})
    job.refresh_from_db()
    assert job.state == State.QUEUED
    assert callbacks


def test_job_start_answers_for_the_lower_apps(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        started = job_start("test.count", user=staff_user, params={"n": 2})
    job = Job.objects.get(pk=started.id)
    assert started.url == f"/admin/jobs/job/{job.pk}/change/"
    assert job.state == State.SUCCEEDED


@pytest.mark.parametrize(
    "params",
    [{"n": "10"}, {"n": -1}, {"n": 10**9}, {"n": 1, "evil": "x"}, {}],
)
def test_tampered_parameters_are_refused_and_make_no_job(staff_user, params):
    with pytest.raises(ValidationError):
        services.job_create(kind_name="test.count", user=staff_user, params=params)
    assert not Job.objects.exists()


def test_a_kind_without_parameters_refuses_any(staff_user):
    with pytest.raises(ValidationError):
        services.job_create(kind_name="test.boom", user=staff_user, params={"x": 1})


def test_who_may_start_is_the_kinds_rule(staff_user, hr_user, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        services.job_create(kind_name="test.hr_only", user=staff_user, params={"n": 1})
    assert not Job.objects.exists()
    job = _start(hr_user, "test.hr_only", capture=django_capture_on_commit_callbacks, n=1)
    assert job.state == State.SUCCEEDED


def test_an_unknown_kind_is_refused(staff_user):
    with pytest.raises(UnknownJobKind):
        services.job_create(kind_name="nope", user=staff_user, params={})


def test_an_unexpected_error_fails_the_job_with_a_generic_message(
    staff_user, django_capture_on_commit_callbacks, finished
):
    job = _start(staff_user, "test.boom", capture=django_capture_on_commit_callbacks)
    assert job.state == State.FAILED
    assert "secret internals" not in job.error
    assert "unexpected error" in job.error
    assert "RuntimeError: secret internals" in job.traceback
    assert finished[0]["state"] == "failed"


def test_a_refusal_fails_the_job_with_its_own_message(
    staff_user, django_capture_on_commit_callbacks
):
    job = _start(staff_user, "test.refuse", capture=django_capture_on_commit_callbacks)
    assert (job.state, job.error, job.traceback) == (
        State.FAILED,
        "The thing you asked for is not possible.",
        "",
    )


def test_events_are_throttled_and_the_final_state_is_always_published(
    staff_user, django_capture_on_commit_callbacks, events, clock
):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.job_create(kind_name="test.count", user=staff_user, params={"n": 5000})
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.job_run(job_id=job.pk, clock=clock) == State.SUCCEEDED
    # The job's own events: the notifications app tells its person too, on their topic.
    job_events = [(topics, event) for topics, event in events if event["kind"] == "job"]
    states = [event["state"] for _topics, event in job_events]
    # running (started), one progress write (the clock never moved), the end.
    assert states == ["running", "running", "succeeded"]
    topics, last = job_events[-1]
    assert topics == [f"job:{job.pk}", f"user:{staff_user.pk}"]
    assert last == {
        "kind": "job",
        "id": str(job.pk),
        "state": "succeeded",
        "done": 5000,
        "total": 5000,
        "message": "counted 5000",
        "eta_seconds": None,
        "url": f"/admin/jobs/job/{job.pk}/change/",
        "download_url": f"/admin/jobs/job/{job.pk}/download/",
        "coalesce": f"job:{job.pk}",
    }


def test_running_twice_runs_once(staff_user, django_capture_on_commit_callbacks):
    job = _start(staff_user, capture=django_capture_on_commit_callbacks, n=3)
    finished_at = job.finished_at
    assert services.job_run(job_id=job.pk) == State.SUCCEEDED
    job.refresh_from_db()
    assert job.finished_at == finished_at


# --- cancel ------------------------------------------------------------------------


def test_a_queued_job_is_cancelled_at_once(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.job_create(kind_name="test.count", user=staff_user, params={"n": 3})
    services.job_cancel(job=job, actor=staff_user)
    job.refresh_from_db()
    assert (job.state, job.cancel_requested) == (State.CANCELLED, True)
    # The runner, when it comes, leaves it alone.
    assert services.job_run(job_id=job.pk) == State.CANCELLED


def test_a_running_job_stops_at_its_next_check(
    staff_user, django_capture_on_commit_callbacks, test_kinds, clock
):
    from apps.core.jobs import REGISTRY, JobKind
    from apps.jobs.tests.conftest import _cancelling_run

    REGISTRY.kinds["test.cancelling"] = JobKind(
        name="test.cancelling",
        label="Cancelling",
        run=lambda progress, params, user: _cancelling_run(progress, {"clock": clock}, user),
    )
    try:
        with django_capture_on_commit_callbacks(execute=False):
            job = services.job_create(kind_name="test.cancelling", user=staff_user, params={})
        with django_capture_on_commit_callbacks(execute=True):
            assert services.job_run(job_id=job.pk, clock=clock) == State.CANCELLED
    finally:
        REGISTRY.kinds.pop("test.cancelling")
    job.refresh_from_db()
    assert job.state == State.CANCELLED
    assert 50 <= job.done < 60  # stopped within half a second of the request
    assert not job.result


def test_an_ended_job_cannot_be_cancelled(staff_user, django_capture_on_commit_callbacks):
    job = _start(staff_user, capture=django_capture_on_commit_callbacks, n=1)
    with pytest.raises(ValidationError):
        services.job_cancel(job=job, actor=staff_user)


def test_someone_elses_job_is_not_found_for_cancel_and_retry(
    staff_user, make_user, django_capture_on_commit_callbacks
):
    other = make_user("staff", username="other")
    job = _start(staff_user, "test.boom", capture=django_capture_on_commit_callbacks)
    with pytest.raises(Http404):
        services.job_cancel(job=job, actor=other)
    with pytest.raises(Http404):
        services.job_retry(job=job, actor=other)


def test_the_celery_runner_revokes_a_cancelled_queued_job(
    staff_user, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.JOBS_RUNNER = "celery"
    revoked = []
    monkeypatch.setattr(services, "_revoke", revoked.append)
    with django_capture_on_commit_callbacks(execute=False):
        job = services.job_create(kind_name="test.count", user=staff_user, params={"n": 1})
    with django_capture_on_commit_callbacks(execute=True):
        services.job_cancel(job=job, actor=staff_user)
    assert revoked == [job.celery_task_id]


# --- retry -------------------------------------------------------------------------


def test_a_failed_job_is_retried_as_a_new_job_with_the_same_parameters(
    staff_user, django_capture_on_commit_callbacks
):
    failed = _start(staff_user, "test.refuse", capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        retried = services.job_retry(job=failed, actor=staff_user)
    assert retried.pk != failed.pk
    assert (retried.kind, retried.params, retried.retry_of) == (failed.kind, {}, failed)


def test_an_administrator_may_retry_someone_elses_job(
    staff_user, admin_user_, django_capture_on_commit_callbacks
):
    failed = _start(staff_user, "test.refuse", capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        retried = services.job_retry(job=failed, actor=admin_user_)
    assert retried.requested_by == admin_user_


def test_a_succeeded_job_is_not_retried(staff_user, django_capture_on_commit_callbacks):
    job = _start(staff_user, capture=django_capture_on_commit_callbacks, n=1)
    with pytest.raises(ValidationError):
        services.job_retry(job=job, actor=staff_user)


# --- the reaper and expiry --------------------------------------------------------


def _running(user, heartbeat):
    return Job.objects.create(
        kind="test.count",
        params={"n": 1},
        requested_by=user,
        state=State.RUNNING,
        started_at=heartbeat,
        heartbeat_at=heartbeat,
    )


def test_the_reaper_fails_a_job_whose_worker_died(staff_user, settings, finished):
    settings.JOBS_STALE_SECONDS = 600
    now = timezone.now()
    dead = _running(staff_user, now - datetime.timedelta(minutes=11))
    alive = _running(staff_user, now - datetime.timedelta(minutes=9))
    assert services.jobs_reap(now=now) == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.state == State.FAILED
    assert "stopped answering" in dead.error
    assert alive.state == State.RUNNING


def test_the_reaper_fails_a_job_that_never_started(staff_user, settings):
    settings.JOBS_QUEUED_MAX_SECONDS = 3600
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=2)):
        old = Job.objects.create(kind="test.count", params={"n": 1}, requested_by=staff_user)
    fresh = Job.objects.create(kind="test.count", params={"n": 1}, requested_by=staff_user)
    assert services.jobs_reap() == 1
    assert Job.objects.get(pk=old.pk).state == State.FAILED
    assert Job.objects.get(pk=fresh.pk).state == State.QUEUED


def test_old_result_files_expire(staff_user, settings, django_capture_on_commit_callbacks):
    settings.JOBS_RESULT_DAYS = 7
    job = _start(staff_user, capture=django_capture_on_commit_callbacks, n=1)
    path = job.result.path
    assert services.job_results_expire(now=timezone.now() + datetime.timedelta(days=6)) == 0
    assert services.job_results_expire(now=timezone.now() + datetime.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert (job.result_expired, job.result.name) == (True, "")
    import os

    assert not os.path.exists(path)


def test_a_file_stays_out_of_the_public_media_folder(staff_user, settings):
    job = Job.objects.create(kind="test.count", requested_by=staff_user)
    job.result.save("x.csv", ContentFile(b"x"))
    assert not job.result.path.startswith(str(settings.MEDIA_ROOT or "/nonexistent"))
    assert job.result.storage is not None
    assert "job-results" in job.result.path


def test_the_job_topic_is_for_its_requester_and_those_who_see_all(
    staff_user, make_user, admin_user_
):
    other = make_user("staff", username="other")
    job = Job.objects.create(kind="test.count", requested_by=staff_user)
    assert live.may_join(staff_user, f"job:{job.pk}")
    assert live.may_join(admin_user_, f"job:{job.pk}")
    assert not live.may_join(other, f"job:{job.pk}")
    assert not live.may_join(staff_user, "job:not-a-uuid")
    assert not live.may_join(staff_user, "job:00000000-0000-0000-0000-000000000000")
