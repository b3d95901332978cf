"""The audit trail, its exports, verifications and archives in the admin: all read-only.

Nobody edits the trail here, superusers included: entries are written with the
changes they record and sealed into the hash chain.
"""

import json
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import display

from apps.audit.admin_versions import VersionsExtension
from apps.audit.changes import entries_changes
from apps.audit.job_kinds import ARCHIVE as ARCHIVE_JOB
from apps.audit.job_kinds import ARCHIVE_PERM
from apps.audit.job_kinds import VERIFY as VERIFY_JOB
from apps.audit.models import AuditEntry, ChainArchive, TrailExport, VerificationRun
from apps.audit.selectors import field_label, trail_for, visible_fields
from apps.audit.services import VERIFY_PERM
from apps.audit.trail_views import trail_urls, trail_view
from apps.core.admin import ReadOnlyLogAdmin
from apps.core.admin_extensions import history_extension_register
from apps.core.jobs import job_start
from apps.core.texts import text_shown
from apps.core.types import signed_in

# Every domain admin's history pages: a version picker, compare, and revert.
history_extension_register(VersionsExtension())


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyLogAdmin[AuditEntry]):
    """The list is the trail page (filters, keyset pages, chain status, exports)."""

    actions = None
    fields = (
        "at",
        "actor_shown",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "changed",
        "shown_reason",
        "seq",
        "hash",
    )
    readonly_fields = fields

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        """The changelist is the trail page, after the base refused NUL characters."""
        self.refuse_hostile_query(request)
        if not self.has_view_permission(request):
            raise PermissionDenied
        return trail_view(self)(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return trail_for(request.user).select_related(
            "content_type", "department", "department_other"
        )

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # What the viewer may see of it (salary is left out for those without the right).
            obj.visible_fields = visible_fields(request.user, obj)
            obj.changes = entries_changes(request.user, [obj]).get(obj.pk, [])
        return obj

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        # Refuse before looking the entry up: without the right the scoped list is empty,
        # and "not found" would hide that the page exists but is not theirs.
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def get_urls(self) -> list[URLPattern]:
        # Before the inherited ones: their "<path:object_id>/" would swallow "export/".
        return [*trail_urls(self), *super().get_urls()]

    @display(description=pgettext_lazy("history", "Changes"))
    def changed(self, obj: AuditEntry) -> str:
        changes = getattr(obj, "changes", None)
        if changes:
            return format_html_join(mark_safe("<br>"), "{}", ((c.text(),) for c in changes))
        model = obj.content_type.model_class()
        return ", ".join(field_label(model, name) for name in getattr(obj, "visible_fields", ()))

    @display(description=_("actor"))
    def actor_shown(self, obj: AuditEntry) -> str:
        # The username they had then; the system account as "system", translated.
        return obj.actor_label

    @display(description=_("reason"))
    def shown_reason(self, obj: AuditEntry) -> str:
        return text_shown(obj.reason)


@admin.register(TrailExport)
class TrailExportAdmin(ReadOnlyLogAdmin[TrailExport]):
    """Who exported the trail, when, with which filters: written by every export."""

    list_display = ("at", "user", "format", "rows", "truncated", "filters")
    list_filter = ("format", ("at", RangeDateTimeFilter))
    list_filter_submit = True
    list_select_related = ("user",)
    ordering = ("-at", "-id")
    list_per_page = 50
    fields = ("at", "user", "format", "rows", "truncated", "filters_shown")
    readonly_fields = fields

    @display(description=_("filters"))
    def filters_shown(self, obj: TrailExport) -> str:
        # Plain JSON: unfold colours a JSONField with Pygments' inline styles (when Pygments
        # is installed), which the Content-Security-Policy refuses.
        text = json.dumps(obj.filters, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html('<pre class="bo-pre-wrap">{}</pre>', text)


@admin.register(VerificationRun)
class VerificationRunAdmin(ReadOnlyLogAdmin[VerificationRun]):
    """Each walk of the hash chain and the first broken link it found, if any."""

    list_display = (
        "started_at",
        "intact",
        "records",
        "unsealed",
        "first_broken_link",
        "triggered_by",
    )
    list_filter = ("intact", ("started_at", RangeDateTimeFilter))
    list_filter_submit = True
    ordering = ("-started_at", "-id")
    list_per_page = 50

    # The "Verify now" button (a POST form, for holders of audit.verify_chain).
    list_before_template = "admin/audit/verify_now.html"

    @display(description=_("first broken link"))
    def first_broken_link(self, obj: VerificationRun) -> str:
        return obj.problem_shown

    def has_verify_chain_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VERIFY_PERM)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(require_POST(self.verify_now_view))
        return [path("verify/", view, name="audit_verificationrun_verify"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra = {**(extra_context or {}), "can_verify": self.has_verify_chain_permission(request)}
        return super().changelist_view(request, extra)

    def verify_now_view(self, request: HttpRequest) -> HttpResponse:
        """POST (CSRF-checked): walk the chain as a background job; its page shows the walk."""
        if not self.has_verify_chain_permission(request):
            raise PermissionDenied
        started = job_start(VERIFY_JOB, user=signed_in(request), params={})
        return HttpResponseRedirect(started.url)


@admin.register(ChainArchive)
class ChainArchiveAdmin(ReadOnlyLogAdmin[ChainArchive]):
    """Cuts of the chain moved to compressed files; the live chain continues from each."""

    list_display = (
        "created_at",
        "cutoff",
        "records",
        "first_seq",
        "last_seq",
        "path",
        "actor_name",
    )
    ordering = ("-last_seq",)
    list_per_page = 50
    # "Archive now" (a POST form, for administrators): runs as a background job.
    list_before_template = "admin/audit/archive_now.html"

    def has_archive_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ARCHIVE_PERM)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(require_POST(self.archive_now_view))
        return [path("archive/", view, name="audit_chainarchive_archive"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra = {
            **(extra_context or {}),
            "can_archive": self.has_archive_permission(request),
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        }
        return super().changelist_view(request, extra)

    def archive_now_view(self, request: HttpRequest) -> HttpResponse:
        """POST (CSRF-checked) with the age in days: archive as a background job."""
        if not self.has_archive_permission(request):
            raise PermissionDenied
        params = {"older_than_days": request.POST.get("older_than_days", "")}
        try:
            started = job_start(ARCHIVE_JOB, user=signed_in(request), params=params)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("admin:audit_chainarchive_changelist"))
        return HttpResponseRedirect(started.url)
