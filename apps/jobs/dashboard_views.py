"""The Tasks page (``/admin/tasks/``) and its probes' JSON, for holders of the dashboard
permission (administrators and security officers); a 403 for everyone else."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from apps.jobs import dashboard
from apps.jobs.models import Job
from apps.security.times import moment_shown

State = Job.State


def _refuse_unless_allowed(request: HttpRequest) -> None:
    if not dashboard.may_see(request.user):
        raise PermissionDenied


def _probes() -> dict[str, Any]:
    from backoffice.celery import app

    workers = dashboard.workers_online(app)
    depth = dashboard.queue_depth(app)
    return {
        "workers": {
            "count": len(workers.value) if workers.measured else None,
            "names": workers.value if workers.measured else [],
            "reason": workers.reason,
        },
        "queue": {"depth": depth.value, "reason": depth.reason},
    }


def jobs_list_url(**query: str) -> str:
    base = reverse("admin:jobs_job_changelist")
    return f"{base}?{urlencode(query)}" if query else base


@require_GET
def task_dashboard(request: HttpRequest) -> HttpResponse:
    _refuse_unless_allowed(request)
    on_workers = dashboard.runs_on_workers()
    kinds = dashboard.jobs_per_kind()
    counts = dashboard.job_counts()
    periodic = [
        {
            "row": row,
            "last_run": moment_shown(row.last_run) if row.last_run else "",
            "next_run": moment_shown(row.next_run) if row.next_run else "",
        }
        for row in dashboard.periodic_rows()
    ]
    context = {
        **admin.site.each_context(request),
        # "Tasks" alone may also name the work app's tasks: this one is the dashboard.
        "title": pgettext("task dashboard", "Tasks"),
        "on_workers": on_workers,
        "statement": [] if on_workers else dashboard.not_on_workers_statement(),
        "probes": _probes() if on_workers else None,
        "counts": counts,
        "running_url": jobs_list_url(state__exact=State.RUNNING),
        "queued_url": jobs_list_url(state__exact=State.QUEUED),
        "kinds": [
            {
                "row": row,
                "links": {
                    state: jobs_list_url(kind=row.kind, state__exact=state, within="24h")
                    for state in (State.SUCCEEDED, State.FAILED, State.CANCELLED)
                },
            }
            for row in kinds
        ],
        "periodic": periodic,
        "probes_url": reverse("jobs_task_dashboard_probes"),
        "beat_url": reverse("admin:django_celery_beat_periodictask_changelist")
        if request.user.has_perm("django_celery_beat.view_periodictask")
        else "",
    }
    return render(request, "admin/jobs/task_dashboard.html", context)


@require_GET
def task_dashboard_probes(request: HttpRequest) -> JsonResponse:
    """The figures that cannot be pushed (workers, queue), which the page asks every 30 s,
    and, with ``?jobs=1``, the jobs snapshot (the live event), which it asks after its
    socket reconnects (events of the gap are lost)."""
    _refuse_unless_allowed(request)
    answer: dict[str, Any] = (
        _probes() if dashboard.runs_on_workers() else {"workers": None, "queue": None}
    )
    if request.GET.get("jobs") == "1":
        answer["jobs"] = dashboard.jobs_snapshot()
    return JsonResponse(answer)
