"""The Jobs list and each job's page: everyone sees their own jobs, administrators all.

Cancel, retry and download are POSTs (download a GET) to URLs under the job; another
person's job is a 404 on each of them, as on its page.
"""

import json
import uuid
from typing import Any, cast

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from unfold.decorators import display

from apps.core.admin import ReadOnlyLogAdmin
from apps.core.jobs import UnknownJobKind, job_kind, job_kinds
from apps.core.types import signed_in
from apps.jobs import services
from apps.jobs.models import Job
from apps.jobs.progress import eta_seconds
from apps.jobs.selectors import jobs_visible, sees_all_jobs
from apps.security.times import moment_shown

State = Job.State
STATE_LABELS = {
    State.QUEUED: "info",
    State.RUNNING: "warning",
    State.SUCCEEDED: "success",
    State.FAILED: "danger",
    State.CANCELLED: "info",
}


def _job_or_404(request: HttpRequest, object_id: Any) -> Job:
    """The job, when the reader may see it; a 404 for a malformed id and for other people's."""
    try:
        pk = uuid.UUID(str(object_id))
    except ValueError as exc:
        raise Http404(_("No such job.")) from exc
    job = jobs_visible(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such job."))
    return job


# Also handed to static/jobs/jobs.js (data attributes), which fills the same placeholders.
ETA_SECONDS = _("about %(seconds)s s left")
ETA_MINUTES = _("about %(minutes)s min %(seconds)s s left")


def eta_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(seconds, 60)
    if minutes:
        return str(ETA_MINUTES) % {"minutes": minutes, "seconds": secs}
    return str(ETA_SECONDS) % {"seconds": secs}


def live_context(topic: str) -> dict[str, Any]:
    """What templates/admin/jobs/live_data.html hands to jobs.js."""
    return {"live_topic": topic, "eta_seconds_text": ETA_SECONDS, "eta_minutes_text": ETA_MINUTES}


def params_shown(job: Job) -> list[tuple[str, str]]:
    try:
        return job_kind(job.kind).describe(job.params)
    except UnknownJobKind:
        return [(str(key), json.dumps(value)) for key, value in job.params.items()]


class KindFilter(admin.SimpleListFilter):
    """By kind of job (the Tasks page links each count to its kind)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(kind.name, str(kind.label)) for kind in job_kinds()]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(kind=self.value()) if self.value() else queryset


class EndedWithinFilter(admin.SimpleListFilter):
    """Ended in the last 24 hours (the window of the Tasks page's counts)."""

    title = _("ended")
    parameter_name = "within"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("24h", str(_("in the last 24 hours")))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() != "24h":
            return queryset
        from apps.jobs.dashboard import WINDOW

        return queryset.filter(finished_at__gt=timezone.now() - WINDOW)


@admin.register(Job)
class JobAdmin(ReadOnlyLogAdmin[Job]):
    """Background jobs with their live progress (static/jobs/jobs.js keeps the bars moving)."""

    list_display = ("what", "state_badge", "progress", "requested", "started", "finished", "acts")
    list_filter = ("state", KindFilter, EndedWithinFilter)
    list_select_related = ("requested_by",)
    ordering = ("-created_at", "-id")
    list_per_page = 50
    actions = None
    list_before_template = "admin/jobs/job_list_before.html"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Everyone signed in has jobs of their own; the queryset keeps them to those.
        return bool(request.user.is_authenticated and request.user.is_active)

    def get_queryset(self, request: HttpRequest) -> Any:
        return jobs_visible(request.user).order_by("-created_at", "-id")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> Any:
        if settings.JOBS_REAP_ON_LIST:
            # No beat in the embedded default: the list is where a dead job is noticed.
            services.jobs_reap()
        extra = {
            **(extra_context or {}),
            "sees_all": sees_all_jobs(request.user),
            **live_context(f"user:{request.user.pk}"),
        }
        return super().changelist_view(request, extra)

    @display(description=_("what"))
    def what(self, obj: Job) -> str:
        return format_html(
            '<a class="font-medium underline" href="{}" data-testid="job-link">{}</a>',
            services.job_url(obj),
            str(obj),
        )

    @display(description=_("state"), label=STATE_LABELS)
    def state_badge(self, obj: Job) -> tuple[str, str]:
        return obj.state, str(obj.get_state_display())

    @display(description=_("progress"))
    def progress(self, obj: Job) -> str:
        return bar_html(obj)

    @display(description=_("requested by"))
    def requested(self, obj: Job) -> str:
        return obj.requested_by.get_username() if obj.requested_by else gettext("the system")

    @display(description=_("started"), ordering="started_at")
    def started(self, obj: Job) -> str:
        return moment_shown(obj.started_at) if obj.started_at else "—"

    @display(description=_("finished"), ordering="finished_at")
    def finished(self, obj: Job) -> str:
        return moment_shown(obj.finished_at) if obj.finished_at else "—"

    @display(description=_("actions"))
    def acts(self, obj: Job) -> str:
        # Submit buttons of the list's own form (it carries the CSRF token), sent to the
        # job's cancel or retry URL.
        parts = []
        if obj.state == State.SUCCEEDED and obj.result:
            parts.append(
                format_html(
                    '<a class="bo-job-act" href="{}" data-testid="job-download">{}</a>',
                    reverse("admin:jobs_job_download", args=[obj.pk]),
                    gettext("Download"),
                )
            )
        if not obj.ended:
            parts.append(
                format_html(
                    '<button type="submit" class="bo-job-act" formaction="{}" data-testid="job-cancel">{}</button>',
                    reverse("admin:jobs_job_cancel", args=[obj.pk]),
                    gettext("Cancel"),
                )
            )
        if obj.state in (State.FAILED, State.CANCELLED):
            parts.append(
                format_html(
                    '<button type="submit" class="bo-job-act" formaction="{}" data-testid="job-retry">{}</button>',
                    reverse("admin:jobs_job_retry", args=[obj.pk]),
                    gettext("Retry"),
                )
            )
        # Each part is escaped by format_html above.
        return mark_safe("".join(parts))  # noqa: S308

    # --- the job's page and its actions ---------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        site = self.admin_site
        return [
            path(
                "<str:object_id>/download/",
                site.admin_view(require_GET(self.download_view)),
                name="jobs_job_download",
            ),
            path(
                "<str:object_id>/status/",
                site.admin_view(require_GET(self.status_view)),
                name="jobs_job_status",
            ),
            path(
                "<str:object_id>/cancel/",
                site.admin_view(require_POST(self.cancel_view)),
                name="jobs_job_cancel",
            ),
            path(
                "<str:object_id>/retry/",
                site.admin_view(require_POST(self.retry_view)),
                name="jobs_job_retry",
            ),
            *cast(list[URLPattern], super().get_urls()),  # type: ignore[no-untyped-call]
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied  # a job's page is no form: jobs change by their actions
        job = _job_or_404(request, object_id)
        if settings.JOBS_REAP_ON_LIST and job.state == State.RUNNING:
            services.jobs_reap()
            job.refresh_from_db()
        user = signed_in(request)
        context = {
            **self.admin_site.each_context(request),
            "title": str(job),
            "opts": self.model._meta,
            "job": job,
            "params": params_shown(job),
            "bar": bar_html(job),
            "may_act": services.job_may_act(job=job, user=user),
            "download_url": services.job_download_url(job),
            "show_traceback": bool(job.traceback) and sees_all_jobs(user),
            **live_context(f"job:{job.pk}"),
        }
        return TemplateResponse(request, "admin/jobs/job.html", context)

    def status_view(self, request: HttpRequest, object_id: str) -> JsonResponse:
        """The job's event as JSON: the page's fallback when the live socket is missing."""
        job = _job_or_404(request, object_id)
        return JsonResponse(services.job_event(job))

    def download_view(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        job = _job_or_404(request, object_id)
        if job.state != State.SUCCEEDED or not job.result or job.result_expired:
            raise Http404(_("This job has no file (any more)."))
        try:
            handle = job.result.open("rb")
        except FileNotFoundError as exc:
            raise Http404(_("This job has no file (any more).")) from exc
        # FileResponse writes the name as an RFC 6266 filename* (quotes and non-ASCII safe).
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=job.result_name or "result",
            content_type=job.result_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def cancel_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        job = _job_or_404(request, object_id)
        try:
            services.job_cancel(job=job, actor=signed_in(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("The job was asked to stop."))
        return HttpResponseRedirect(_back(request, job))

    def retry_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        job = _job_or_404(request, object_id)
        try:
            retried = services.job_retry(job=job, actor=signed_in(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(_back(request, job))
        except PermissionDenied:
            messages.error(request, gettext("You may not start this job any more."))
            return HttpResponseRedirect(_back(request, job))
        messages.success(request, gettext("The job was started again."))
        return HttpResponseRedirect(services.job_url(retried))


def _back(request: HttpRequest, job: Job) -> str:
    """Back to the list when the action was taken from it, else to the job's page."""
    if request.POST.get("from") == "page":
        return services.job_url(job)
    return reverse("admin:jobs_job_changelist")


def bar_html(job: Job) -> str:
    """The progress bar with done/total and the ETA; jobs.js moves it from the live events."""
    total = job.total or 0
    done = min(job.done, total) if total else job.done
    percent = round(100 * done / total) if total else (100 if job.state == State.SUCCEEDED else 0)
    count = f"{job.done:,} / {total:,}" if total else (f"{job.done:,}" if job.done else "")
    eta = eta_text(
        eta_seconds(started=job.started_at, done=job.done, total=job.total, now=timezone.now())
        if job.state == State.RUNNING
        else None
    )
    return format_html(
        '<div class="bo-job" data-job="{}" data-state="{}" data-status-url="{}" data-testid="job-progress">'
        '<progress class="bo-job-bar" max="100" value="{}" data-testid="job-bar">{}%</progress>'
        '<span class="bo-job-count" data-testid="job-count">{}</span>'
        '<span class="bo-job-percent" data-testid="job-percent">{}%</span>'
        '<span class="bo-job-eta" data-testid="job-eta">{}</span>'
        "</div>",
        job.pk,
        job.state,
        reverse("admin:jobs_job_status", args=[job.pk]),
        percent,
        percent,
        count,
        percent,
        eta,
    )
