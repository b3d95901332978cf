"""Every write to a job: start, run, cancel, retry, reap the dead, expire old files.

The rules of who may act on a job are ``apps.jobs.selectors`` (see) and the kind's own
``may_start``; a job's events go out after commit through ``apps.core.live``.
"""

import datetime
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from apps.core import live
from apps.core.history import mark_change
from apps.core.jobs import JobCancelled, JobFailed, JobKind, StartedJob, job_kind
from apps.core.signals import job_finished
from apps.jobs import runners
from apps.jobs.dashboard_push import tasks_changed
from apps.jobs.models import Job
from apps.jobs.progress import Reporter, eta_seconds
from apps.jobs.selectors import jobs_visible, sees_all_jobs
from apps.org.models import Employee

log = logging.getLogger(__name__)

State = Job.State

STALE_MESSAGE = _(
    "The job stopped answering (its worker was probably restarted) and was marked failed. "
    "Retry it to run it again."
)
NEVER_STARTED = _("The job waited too long for a worker and was marked failed.")
CRASHED = _("The job stopped on an unexpected error. An administrator can see the details.")


def job_url(job: Job) -> str:
    return reverse("admin:jobs_job_change", args=[job.pk])


def job_download_url(job: Job) -> str | None:
    if job.state != State.SUCCEEDED or not job.result:
        return None
    return reverse("admin:jobs_job_download", args=[job.pk])


def job_event(job: Job, *, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The job's live event (the shared contract): also the JSON of its status endpoint."""
    return {
        "kind": "job",
        "id": str(job.pk),
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "eta_seconds": eta_seconds(
            started=job.started_at,
            done=job.done,
            total=job.total,
            now=now or timezone.now(),
        )
        if job.state == State.RUNNING
        else None,
        "url": job_url(job),
        "download_url": job_download_url(job),
        "coalesce": live.topic_job(job),
    }


def _publish(job: Job) -> None:
    topics = [live.topic_job(job)]
    if job.requested_by_id is not None:
        topics.append(live.topic_user(job.requested_by_id))
    live.publish_many(topics, job_event(job))


def _kind_for(name: str, user: Employee) -> JobKind:
    kind = job_kind(name)
    if not kind.may_start(user):
        raise PermissionDenied(gettext("You may not start this job."))
    return kind


def job_create(
    *,
    kind_name: str,
    user: Employee,
    params: Mapping[str, Any],
    retry_of: Job | None = None,
) -> Job:
    """Create a queued job of a kind ``user`` may start, with the kind's cleaned parameters.

    It is handed to the runner once the transaction commits. PermissionDenied when the
    user may not start it; ValidationError (the kind's) when the parameters do not clean.
    """
    kind = _kind_for(kind_name, user)
    cleaned = kind.clean(params, user)
    with transaction.atomic():
        job = Job(
            kind=kind.name,
            params=cleaned,
            requested_by=user,
            retry_of=retry_of,
            celery_task_id=str(uuid.uuid4()),
            language=(get_language() or settings.LANGUAGE_CODE)[:15],
        )
        mark_change(job, actor=user, reason="")
        job.full_clean(exclude=["result"])
        job.save()
        _publish(job)
        tasks_changed()
        job_id, task_id = str(job.pk), job.celery_task_id
        transaction.on_commit(lambda: runners.submit(job_id, task_id), robust=True)
    return job


def job_start_answer(kind_name: str, *, user: Employee, params: Mapping[str, Any]) -> StartedJob:
    """``apps.core.jobs.job_start``, as the jobs app answers it."""
    job = job_create(kind_name=kind_name, user=user, params=params)
    return StartedJob(id=str(job.pk), url=job_url(job))


# --- running -----------------------------------------------------------------------


def _progress_writer(job: Job) -> Callable[[Reporter], None]:
    """The throttled progress write: numbers and heartbeat (one UPDATE, no history), then
    the event, built from the job in hand."""

    def write(reporter: Reporter) -> None:
        now = timezone.now()
        job.done, job.total, job.message = reporter.done, reporter.total, reporter.message
        job.heartbeat_at = now
        Job.objects.filter(pk=job.pk, state=State.RUNNING).update(
            done=job.done, total=job.total, message=job.message, heartbeat_at=now
        )
        _publish(job)

    return write


def _cancel_asked(job_id: uuid.UUID) -> bool:
    return Job.objects.filter(pk=job_id, cancel_requested=True).exists()


def _begin(job_id: uuid.UUID, task_id: str) -> Job | None:
    """Mark a queued job running; None when it is not queued any more (ran, or cancelled)."""
    with transaction.atomic():
        # Locked: a second delivery of the task (acks_late) must not run the job twice.
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != State.QUEUED:
            return None
        if job.cancel_requested:
            _end(job, State.CANCELLED, message=gettext("Cancelled before it started."))
            return None
        now = timezone.now()
        job.state = State.RUNNING
        job.started_at = job.heartbeat_at = now
        job.celery_task_id = task_id or job.celery_task_id
        job.save(update_fields=["state", "started_at", "heartbeat_at", "celery_task_id"])
        _publish(job)
        tasks_changed()
        return job


def job_run(
    *, job_id: uuid.UUID, task_id: str = "", clock: Callable[[], float] | None = None
) -> str:
    """Run a queued job to its end and return the state it ended in (idempotent).

    ``clock`` (seconds, monotonic) paces the progress writes; tests move it by hand.
    """
    job = _begin(job_id, task_id)
    if job is None:
        found = Job.objects.filter(pk=job_id).values_list("state", flat=True).first()
        return found or ""
    reporter = Reporter(
        job.pk,
        write=_progress_writer(job),
        is_cancelled=_cancel_asked,
        clock=clock or time.monotonic,
    )
    with override(job.language or settings.LANGUAGE_CODE):
        return _run(job, reporter)


def _run(job: Job, reporter: Reporter) -> str:
    try:
        kind = job_kind(job.kind)
        summary = kind.run(reporter, dict(job.params), job.requested_by)
    except JobCancelled:
        return _finish(job, reporter, State.CANCELLED, message=gettext("Cancelled."))
    except JobFailed as exc:
        return _finish(job, reporter, State.FAILED, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure ends the job, told to its person
        log.exception("jobs: job %s (%s) failed", job.pk, job.kind)
        return _finish(
            job,
            reporter,
            State.FAILED,
            error=str(CRASHED),
            details="".join(traceback.format_exception(exc)),
        )
    if reporter.cancelled():
        return _finish(job, reporter, State.CANCELLED, message=gettext("Cancelled."))
    return _finish(job, reporter, State.SUCCEEDED, message=summary or "")


def _finish(
    job: Job,
    reporter: Reporter,
    state: str,
    *,
    message: str = "",
    error: str = "",
    details: str = "",
) -> str:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.ended:  # the reaper got there first; keep its verdict
            return job.state
        job.done, job.total = reporter.done, reporter.total
        if state == State.SUCCEEDED and job.total is not None:
            job.done = job.total
        job.message = (message or reporter.message)[:500]
        if state == State.SUCCEEDED and reporter.file is not None:
            job.result.save(reporter.file_name, reporter.file, save=False)
            job.result_name, job.result_type = reporter.file_name, reporter.file_type
        job.error, job.traceback = error, details
        _end(job, state)
    return state


def _end(job: Job, state: str, *, message: str | None = None) -> None:
    """Save the job as ended and, after commit, publish it and send ``job_finished``."""
    job.state = state
    job.finished_at = timezone.now()
    if message is not None:
        job.message = message
    job.save()
    _publish(job)
    tasks_changed()
    transaction.on_commit(lambda: _finished(job.pk), robust=True)


def _finished(job_id: uuid.UUID) -> None:
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    job_finished.send(
        sender=Job,
        job=job,
        state=job.state,
        requested_by=job.requested_by,
        label=str(job),
        url=job_url(job),
    )


# --- acting on a job ---------------------------------------------------------------


def job_may_act(*, job: Job, user: Employee) -> bool:
    """Cancel and retry: the person who asked, or someone who sees every job."""
    return job.requested_by_id == user.pk or sees_all_jobs(user)


def _mine_or_404(job: Job, actor: Employee) -> Job:
    # Another person's job does not exist for this actor (the views answer 404).
    from django.http import Http404

    if not jobs_visible(actor).filter(pk=job.pk).exists() or not job_may_act(job=job, user=actor):
        raise Http404(gettext("No such job."))
    return job


def job_cancel(*, job: Job, actor: Employee) -> Job:
    """Stop a job: a queued one ends now, a running one is asked to stop (cooperatively)."""
    _mine_or_404(job, actor)
    with transaction.atomic():
        # Locked against the runner starting or ending it at the same moment.
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.ended:
            raise ValidationError(gettext("This job has already ended."))
        mark_change(job, actor=actor, reason="")
        job.cancel_requested = True
        if job.state == State.QUEUED:
            _end(job, State.CANCELLED, message=gettext("Cancelled before it started."))
            task_id = job.celery_task_id
            if settings.JOBS_RUNNER == "celery" and task_id:
                transaction.on_commit(lambda: _revoke(task_id), robust=True)
        else:
            job.save(update_fields=["cancel_requested"])
            job.message = gettext("Stopping…")
            _publish(job)
    return job


def _revoke(task_id: str) -> None:
    from backoffice.celery import app

    app.control.revoke(task_id)


def job_retry(*, job: Job, actor: Employee) -> Job:
    """Run a failed or cancelled job again: a new job, same parameters, in ``actor``'s name.

    The parameters are cleaned again for ``actor`` and the kind's ``may_start`` asked again:
    rights may have changed since.
    """
    _mine_or_404(job, actor)
    if job.state not in (State.FAILED, State.CANCELLED):
        raise ValidationError(gettext("Only a failed or cancelled job can be retried."))
    return job_create(kind_name=job.kind, user=actor, params=job.params, retry_of=job)


# --- housekeeping ------------------------------------------------------------------


def jobs_reap(*, now: datetime.datetime | None = None) -> int:
    """Fail running jobs whose heartbeat is older than ``JOBS_STALE_SECONDS`` (their worker
    died) and queued ones older than ``JOBS_QUEUED_MAX_SECONDS``; return how many."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.JOBS_STALE_SECONDS)
    waited = now - datetime.timedelta(seconds=settings.JOBS_QUEUED_MAX_SECONDS)
    found = list(
        Job.objects.filter(state=State.RUNNING, heartbeat_at__lt=stale).values_list("pk", flat=True)
    )
    found_queued = list(
        Job.objects.filter(state=State.QUEUED, created_at__lt=waited).values_list("pk", flat=True)
    )
    reaped = 0
    for pk, message in [(pk, STALE_MESSAGE) for pk in found] + [
        (pk, NEVER_STARTED) for pk in found_queued
    ]:
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=pk)
            # Re-checked under the lock: the job may have answered or ended meanwhile.
            alive = job.state == State.RUNNING and job.heartbeat_at and job.heartbeat_at >= stale
            if job.ended or alive or (job.state == State.QUEUED and job.created_at >= waited):
                continue
            with override(job.language or settings.LANGUAGE_CODE):
                job.error = str(message)
            _end(job, State.FAILED)
            reaped += 1
    return reaped


def job_results_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete result files of jobs ended more than ``JOBS_RESULT_DAYS`` ago; return how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.JOBS_RESULT_DAYS)
    expired = 0
    for job in Job.objects.filter(finished_at__lt=cutoff, result_expired=False).exclude(result=""):
        job.result.delete(save=False)
        job.result_expired = True
        job.save(update_fields=["result", "result_expired"])
        expired += 1
    return expired
