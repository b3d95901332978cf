"""The audit trail page and its exports: parse the filters, ask the selectors, render."""

import functools
from collections.abc import Iterator
from typing import Any, cast

from asgiref.sync import sync_to_async
from django import forms
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from apps.audit import chain, exports
from apps.audit.changes import entries_changes
from apps.audit.models import AuditEntry, TrailExport, VerificationRun
from apps.audit.selectors import (
    TrailFilterForm,
    field_label,
    trail_filter,
    trail_for,
    trail_page,
    viewable_objects,
    visible_fields,
)
from apps.core.actions import action_kind_of
from apps.core.texts import text_shown
from apps.core.types import AuthedHttpRequest

ACTION_LABELS: dict[str, str] = {
    AuditEntry.Action.CREATED: "success",
    AuditEntry.Action.RESTORED: "success",
    AuditEntry.Action.DEACTIVATED: "danger",
    AuditEntry.Action.DELETED: "danger",
    AuditEntry.Action.REVERTED: "warning",
    AuditEntry.Action.MOVED: "info",
    AuditEntry.Action.IMPORTED: "info",
}


class TrailFilterAdminForm(TrailFilterForm):
    """The filter form in the admin's look."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("model", "action", "field"):
            field = cast(forms.ChoiceField, self.fields[name])
            field.widget = UnfoldAdminSelectWidget(choices=field.choices)
        for name in ("object", "actor"):
            self.fields[name].widget = UnfoldAdminTextInputWidget()
        for name in ("date_from", "date_to"):
            self.fields[name].widget = UnfoldAdminTextInputWidget(attrs={"type": "date"})


def _query(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    query = QueryDict(mutable=True)
    for key, value in merged.items():
        if value:
            query[key] = value
    return f"?{query.urlencode()}" if query else "?"


def _history_url(content_type_id: int, object_id: str, admin_name: str) -> str | None:
    content_type = ContentType.objects.get_for_id(content_type_id)
    try:
        return reverse(
            f"admin:{content_type.app_label}_{content_type.model}_history",
            args=[object_id],
            current_app=admin_name,
        )
    except NoReverseMatch:
        return None


def _rows(request: HttpRequest, entries: list[AuditEntry], params: dict, site: str) -> list[dict]:
    viewable = viewable_objects(request.user, entries)
    changes = entries_changes(request.user, entries)
    rows = []
    for entry in entries:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        key = (entry.content_type_id, entry.object_id)
        rows.append(
            {
                "entry": entry,
                "action_type": ACTION_LABELS.get(entry.action, "info"),
                "actor_url": _query(params, actor=entry.actor_name, cursor=None),
                "model": capfirst(model._meta.verbose_name) if model else "",
                # A logged action's row has no history page of its own.
                "history_url": (
                    _history_url(entry.content_type_id, entry.object_id, site)
                    if key in viewable and action_kind_of(entry.action) is None
                    else None
                ),
                "fields": [
                    (name, field_label(model, name)) for name in visible_fields(request.user, entry)
                ],
                # Old -> new of each field listed (none for a logged action).
                "changes": changes.get(entry.pk, []),
                # Reasons are stored untranslated; shown in the reader's language.
                "reason": text_shown(entry.reason),
            }
        )
    return rows


class AuditTrailView(UnfoldModelAdminViewMixin, TemplateView):
    """GET with the filters (and a page cursor): the chain status and one page of entries."""

    title = _("Audit trail")
    permission_required = ("audit.view_auditentry",)
    template_name = "admin/audit/trail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        if not self.form_valid:
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        form = TrailFilterAdminForm(self.request.GET, user=user)
        self.form_valid = form.is_valid()
        params = form.filters()
        page = None
        rows: list[dict] = []
        if self.form_valid:
            entries = trail_filter(user, trail_for(user), form.cleaned_data)
            page = trail_page(
                entries, form.cleaned_data["cursor"], before=form.cleaned_data["before"]
            )
            rows = _rows(self.request, page.rows, params, self.model_admin.admin_site.name)
        return super().get_context_data(
            **kwargs,
            opts=AuditEntry._meta,
            form=form,
            rows=rows,
            page=page,
            paged=bool(self.request.GET.get("cursor") or self.request.GET.get("before")),
            newest_url=_query(params),
            older_url=_query(params, cursor=page.next_cursor)
            if page and page.next_cursor
            else None,
            newer_url=_query(params, before=page.previous_cursor)
            if page and page.previous_cursor
            else None,
            export_filters=params,
            can_export=user.has_perm("audit.export_auditentry"),
            seal=chain.seal_state(),
            verification=VerificationRun.objects.order_by("-started_at").first(),
            now=timezone.now(),
        )


class TrailExportView(PermissionRequiredMixin, View):
    """POST /export/<csv|xlsx>/ with the page's filters: the file, logged as a TrailExport.

    POST only (CSRF-checked): an export writes a log row in the exporter's name, so a
    cross-site link or image must not be able to make one. A GET is a 405.
    """

    permission_required = ("audit.export_auditentry",)
    http_method_names = ["post"]

    def post(self, request: AuthedHttpRequest, fmt: str) -> HttpResponseBase:
        if fmt not in TrailExport.Format.values:
            raise Http404(_("No such export format."))
        form = TrailFilterForm(request.POST, user=request.user)
        if not form.is_valid():
            messages = [str(m) for errors in form.errors.values() for m in errors]
            return HttpResponseBadRequest(" ".join(messages), content_type="text/plain")
        entries = trail_filter(request.user, trail_for(request.user), form.cleaned_data)
        export = exports.export_record(user=request.user, format=fmt, filters=form.filters())
        rows = exports.rows_for(request.user, entries)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        name = f"audit-trail-{stamp}.{fmt}"
        chunks: Iterator[Any]  # bytes (XLSX) or text (CSV)
        if fmt == TrailExport.Format.XLSX:
            chunks, content_type = exports.xlsx_chunks(rows, export), exports.XLSX_TYPE
        else:
            chunks, content_type = exports.csv_chunks(rows, export), "text/csv; charset=utf-8"
        response = StreamingHttpResponse(
            _async_chunks(chunks) if isinstance(request, ASGIRequest) else chunks,
            content_type=content_type,
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


async def _async_chunks(chunks: Any) -> Any:
    """Serve a sync generator under ASGI chunk by chunk (Django would read it whole first)."""
    done = object()
    step = sync_to_async(functools.partial(next, chunks, done), thread_sensitive=True)
    while (chunk := await step()) is not done:
        yield chunk


def trail_urls(model_admin: Any) -> list[URLPattern]:
    """The export URL, mounted by AuditEntryAdmin.get_urls (before the inherited URLs)."""
    view = model_admin.admin_site.admin_view(TrailExportView.as_view())
    return [path("export/<slug:fmt>/", view, name="audit_auditentry_export")]


def trail_view(model_admin: Any) -> Any:
    """The trail page as a view: the admin's changelist renders it."""
    return AuditTrailView.as_view(model_admin=model_admin)
