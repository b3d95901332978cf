"""The Tasks page's figures: each one read from real data or a real probe, or not shown.

Pure reads (no writes): the workers and the broker's queue are asked over the broker with
short timeouts; the jobs are counted from the Job table; the periodic tasks are
``CELERY_BEAT_SCHEDULE`` with the last run django-celery-beat's scheduler wrote. A probe
that fails gives ``None`` with the reason, never a made-up 0. Nothing here asks "which
mode": where a figure does not exist (no worker is meant to run when ``JOBS_RUNNER`` is
not ``celery``), the settings say so and the page says why.
"""

import datetime
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from celery.schedules import BaseSchedule
from celery.schedules import schedule as every
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.jobs import UnknownJobKind, job_kind, job_kinds
from apps.jobs.models import Job

log = logging.getLogger(__name__)

State = Job.State
PERMISSION = "jobs.view_task_dashboard"
# Workers answer a ping within this; a slow broker must not hold the page.
PROBE_TIMEOUT = 1.0
WINDOW = datetime.timedelta(hours=24)
# A periodic task is late once the run due after its last recorded one is this much
# overdue. django-celery-beat's scheduler writes last_run_at to the database every 3
# minutes (DatabaseScheduler.sync_every), so its figure may lag that much behind beat.
TOLERANCE = datetime.timedelta(minutes=5)

UNAVAILABLE = _("unavailable")


def may_see(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(PERMISSION))


# --- workers and broker --------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """A measured figure (``value``) or why there is none (``reason``)."""

    value: Any = None
    reason: str = ""

    @property
    def measured(self) -> bool:
        return self.value is not None


def runs_on_workers() -> bool:
    """Do jobs and periodic tasks go to Celery workers here (``JOBS_RUNNER``)?"""
    return bool(settings.JOBS_RUNNER == "celery")


def not_on_workers_statement() -> list[str]:
    """What the page says instead of worker and queue figures when jobs run elsewhere.

    Read from the settings: where jobs run, that beat's periodic tasks do not run by
    themselves, and which of them happen anyway, and how.
    """
    lines = []
    if settings.JOBS_RUNNER == "thread":
        lines.append(
            gettext(
                "Jobs run in a pool of %(threads)d threads of the web server (JOBS_RUNNER=thread), "
                "not on Celery workers: there are no workers or broker queue to measure."
            )
            % {"threads": settings.JOBS_THREADS}
        )
    else:
        lines.append(
            gettext("Jobs run in the process that starts them (JOBS_RUNNER=%(runner)s).")
            % {"runner": settings.JOBS_RUNNER}
        )
    lines.append(
        gettext("No Celery beat runs here, so the periodic tasks below do not run by themselves.")
    )
    if settings.AUDIT_SEAL_ON_COMMIT:
        lines.append(
            gettext("The audit chain is sealed after each commit instead (AUDIT_SEAL_ON_COMMIT).")
        )
    if settings.JOBS_REAP_ON_LIST:
        lines.append(
            gettext(
                "Dead jobs are reaped when the Jobs list or a running job's page opens "
                "(JOBS_REAP_ON_LIST)."
            )
        )
    return lines


def workers_online(app: Celery, *, timeout: float = PROBE_TIMEOUT) -> Probe:
    """How many Celery workers answer a ping (their names too), or why that is unknown."""
    if not runs_on_workers():
        return Probe(reason=gettext("Jobs do not run on Celery workers here."))
    try:
        with app.connection_for_write() as conn:
            # Once, not kombu's default of retrying for ever: the page must answer.
            conn.ensure_connection(max_retries=1)
            answers = app.control.inspect(timeout=timeout, connection=conn).ping() or {}
    except Exception as exc:  # noqa: BLE001 - any broker failure: the figure is unavailable
        log.warning("tasks page: the worker ping failed: %s", exc)
        return Probe(reason=gettext("The broker did not answer: %(error)s") % {"error": exc})
    return Probe(value=sorted(answers))


def queue_depth(app: Celery, *, queue: str | None = None) -> Probe:
    """Messages waiting in the broker's default queue, or why that is unknown."""
    if not runs_on_workers():
        return Probe(reason=gettext("Jobs do not go through a broker queue here."))
    name = queue or app.conf.task_default_queue
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1)
            declared = conn.default_channel.queue_declare(queue=name, passive=True)
    except Exception as exc:  # noqa: BLE001 - a missing queue or a dead broker alike
        log.warning("tasks page: the queue probe failed: %s", exc)
        if getattr(exc, "code", None) == 404:
            return Probe(
                reason=gettext("No worker has declared the queue “%(queue)s” yet.")
                % {"queue": name}
            )
        return Probe(reason=gettext("The broker did not answer: %(error)s") % {"error": exc})
    return Probe(value=int(declared.message_count))


# --- jobs ----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of ``values`` (``share`` in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class KindRow:
    kind: str
    label: str
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    durations: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float | None:
        return percentile(self.durations, 0.50)

    @property
    def p95(self) -> float | None:
        return percentile(self.durations, 0.95)

    def as_event(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "p50": _rounded(self.p50),
            "p95": _rounded(self.p95),
        }


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def _label(kind: str) -> str:
    try:
        return str(job_kind(kind).label)
    except UnknownJobKind:
        return kind


def job_counts() -> dict[str, int]:
    """Jobs running and queued now (one query)."""
    found = Job.objects.aggregate(
        running=Count("pk", filter=Q(state=State.RUNNING)),
        queued=Count("pk", filter=Q(state=State.QUEUED)),
    )
    return {"running": found["running"], "queued": found["queued"]}


def jobs_per_kind(*, now: datetime.datetime | None = None) -> list[KindRow]:
    """Jobs ended in the last 24 h, per kind: counts by end state and p50/p95 duration.

    Every registered kind has a row (zero is a count too), then any other kind that ended.
    Durations (finished - started, for jobs that started) are computed here, in Python,
    from one query: the same on SQLite and PostgreSQL, and a day of jobs is small.
    """
    now = now or timezone.now()
    rows = {kind.name: KindRow(kind.name, str(kind.label)) for kind in job_kinds()}
    ended = Job.objects.filter(state__in=Job.ENDED, finished_at__gt=now - WINDOW).values_list(
        "kind", "state", "started_at", "finished_at"
    )
    for kind, state, started, finished in ended:
        row = rows.get(kind) or rows.setdefault(kind, KindRow(kind, _label(kind)))
        setattr(row, state, getattr(row, state) + 1)
        if started is not None and finished is not None:
            row.durations.append((finished - started).total_seconds())
    return sorted(rows.values(), key=lambda r: r.label.lower())


def jobs_snapshot(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The live event of the Tasks page (topic ``tasks``): the figures of the jobs."""
    return {
        "kind": "tasks",
        **job_counts(),
        "kinds": [row.as_event() for row in jobs_per_kind(now=now)],
        "coalesce": "tasks",
    }


# --- periodic tasks ------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicRow:
    name: str
    task: str
    schedule: str
    last_run: datetime.datetime | None
    next_run: datetime.datetime | None
    enabled: bool
    # None: never ran (or disabled), so neither on time nor late.
    on_time: bool | None


def _as_schedule(raw: Any) -> BaseSchedule:
    if isinstance(raw, BaseSchedule):
        return raw
    if isinstance(raw, datetime.timedelta):
        return every(raw)
    return every(datetime.timedelta(seconds=float(raw)))


def describe_schedule(schedule: BaseSchedule) -> str:
    if isinstance(schedule, every):
        seconds = int(schedule.run_every.total_seconds())
        return gettext("every %(seconds)d s") % {"seconds": seconds}
    # celery's crontab: "<crontab: 5 0 * * * (m/h/dM/MY/d)>"
    fields = [
        getattr(schedule, "_orig_minute", "*"),
        getattr(schedule, "_orig_hour", "*"),
        getattr(schedule, "_orig_day_of_month", "*"),
        getattr(schedule, "_orig_month_of_year", "*"),
        getattr(schedule, "_orig_day_of_week", "*"),
    ]
    return f"cron {' '.join(str(f) for f in fields)} ({settings.CELERY_TIMEZONE})"


def next_run_after(
    schedule: BaseSchedule, last_run: datetime.datetime | None, now: datetime.datetime
) -> datetime.datetime:
    """When the schedule is next due after ``last_run`` (from now, when it never ran).

    ``remaining_estimate`` answers "how long from now", negative when overdue.
    """
    remaining: datetime.timedelta = schedule.remaining_estimate(last_run or now)
    following = now + remaining
    if not isinstance(schedule, every):
        # A crontab's estimate lands a fraction before the minute it names (00:04:59.6
        # for 00:05): crontabs are by the minute, so is their next run.
        following = (following + datetime.timedelta(seconds=30)).replace(second=0, microsecond=0)
    return following


def periodic_rows(
    *,
    now: datetime.datetime | None = None,
    beat_schedule: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[PeriodicRow]:
    """Every entry of ``CELERY_BEAT_SCHEDULE`` with its last run (django-celery-beat's
    ``PeriodicTask.last_run_at``; "never run" when beat never wrote it), its next run, and
    whether it ran on time: the run due after the last one is not overdue by more than
    ``TOLERANCE``. One query."""
    from django_celery_beat.models import PeriodicTask

    now = now or timezone.now()
    entries = settings.CELERY_BEAT_SCHEDULE if beat_schedule is None else beat_schedule
    stored = {
        task.name: task
        for task in PeriodicTask.objects.filter(name__in=list(entries)).only(
            "name", "last_run_at", "enabled"
        )
    }
    rows = []
    for name, entry in entries.items():
        schedule = _as_schedule(entry["schedule"])
        task = stored.get(name)
        last = task.last_run_at if task else None
        enabled = task.enabled if task else True
        following = next_run_after(schedule, last, now)
        on_time = None if last is None or not enabled else following + TOLERANCE >= now
        rows.append(
            PeriodicRow(
                name=name,
                task=str(entry["task"]),
                schedule=describe_schedule(schedule),
                last_run=last,
                next_run=max(following, now) if enabled else None,
                enabled=enabled,
                on_time=on_time,
            )
        )
    return rows
