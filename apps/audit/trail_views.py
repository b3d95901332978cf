"""The audit trail page and its exports: parse the filters, ask the selectors, render."""

from typing import Any, cast

from django import forms
from django.apps import apps
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from apps.audit import chain
from apps.audit.changes import entries_changes
from apps.audit.exports import EXPORT_JOB
from apps.audit.models import AuditEntry, TrailExport, VerificationRun
from apps.audit.selectors import (
    TrailFilterForm,
    field_label,
    model_choices,
    trail_filter,
    trail_for,
    trail_page,
    viewable_objects,
    visible_fields,
)
from apps.core.actions import action_kind_of
from apps.core.jobs import job_start
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


# A name search keeps this many records per model (the entries of more would not be one
# record's trail): past it, the page asks for a narrower name.
NAME_MATCHES = 200


def records_named(
    model_admin: Any, request: HttpRequest, data: dict[str, Any]
) -> tuple[dict[type[Model], list[Any]], bool]:
    """The records whose name matches the "record" filter, among those the reader may see.

    Each model's own admin search (its ``search_fields``) over its own scoped list: the
    records found are exactly those the reader would find on that list. Returns
    ``(model -> ids, cut)``; ``cut`` when a model had more than ``NAME_MATCHES``.
    """
    term = (data.get("name") or "").strip()
    found: dict[type[Model], list[Any]] = {}
    cut = False
    if not term:
        return found, cut
    wanted = data.get("model") or None
    registry = model_admin.admin_site._registry
    for label, _name in model_choices(request.user):
        if wanted and label != wanted:
            continue
        model = apps.get_model(label)
        admin = registry.get(model)
        if admin is None or not admin.get_search_fields(request):
            continue
        queryset, _duplicates = admin.get_search_results(request, admin.get_queryset(request), term)
        ids = list(queryset.order_by().values_list("pk", flat=True).distinct()[: NAME_MATCHES + 1])
        cut = cut or len(ids) > NAME_MATCHES
        found[model] = ids[:NAME_MATCHES]
    return found, cut


# Suggestions under the record field: this many, from a name this long on.
SUGGESTIONS = 10
SUGGEST_FROM = 2


def record_suggestions(model_admin: Any, request: HttpRequest, data: dict[str, Any]) -> list[dict]:
    """The first records a name finds (``records_named``), each with the link to its trail."""
    if len((data.get("name") or "").strip()) < SUGGEST_FROM:
        return []
    found, _cut = records_named(model_admin, request, data)
    suggestions: list[dict] = []
    for model, ids in found.items():
        wanted = SUGGESTIONS - len(suggestions)
        if wanted <= 0 or not ids:
            continue
        kind = str(capfirst(model._meta.verbose_name))
        for obj in model._default_manager.filter(pk__in=ids[:wanted]):
            query = _query({"model": model._meta.label_lower, "object": str(obj.pk)})
            suggestions.append({"label": str(obj), "kind": kind, "url": query})
    return suggestions


class TrailFilterAdminForm(TrailFilterForm):
    """The filter form in the admin's look."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("model", "action", "field"):
            field = cast(forms.ChoiceField, self.fields[name])
            field.widget = UnfoldAdminSelectWidget(choices=field.choices)
        for name in ("name", "actor"):
            self.fields[name].widget = UnfoldAdminTextInputWidget()
        self.fields["name"].widget.attrs["placeholder"] = _("A name, code or username")
        # Links name one record by id: carried along, not typed.
        self.fields["object"].widget = forms.HiddenInput()
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
        names_cut = False
        if self.form_valid:
            objects, names_cut = records_named(self.model_admin, self.request, form.cleaned_data)
            form.cleaned_data["objects"] = objects
            entries = trail_filter(user, trail_for(user), form.cleaned_data)
            page = trail_page(
                entries, form.cleaned_data["cursor"], before=form.cleaned_data["before"]
            )
            rows = _rows(self.request, page.rows, params, self.model_admin.admin_site.name)
        return super().get_context_data(
            **kwargs,
            opts=AuditEntry._meta,
            form=form,
            names_cut=names_cut,
            name_limit=NAME_MATCHES,
            rows=rows,
            page=page,
            paged=bool(self.request.GET.get("cursor") or self.request.GET.get("before")),
            newest_url=_query(params),
            all_records_url=_query(params, object=None),
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
    """POST /export/<csv|xlsx>/ with the page's filters: starts the export as a background
    job (``apps.audit.job_kinds``) and sends the exporter to the job's page, where its bar
    moves and its file is downloaded. The job logs the export (a TrailExport).

    POST only (CSRF-checked): an export writes a log row in the exporter's name, so a
    cross-site link or image must not be able to make one. A GET is a 405.
    """

    permission_required = ("audit.export_auditentry",)
    http_method_names = ["post"]
    model_admin: Any = None  # the trail's admin (kept for trail_urls' signature)

    def post(self, request: AuthedHttpRequest, fmt: str) -> HttpResponseBase:
        if fmt not in TrailExport.Format.values:
            raise Http404(_("No such export format."))
        form = TrailFilterForm(request.POST, user=request.user)
        if not form.is_valid():
            messages = [str(m) for errors in form.errors.values() for m in errors]
            return HttpResponseBadRequest(" ".join(messages), content_type="text/plain")
        params = {"format": fmt, "filters": form.filters(), "language": get_language()}
        try:
            started = job_start(EXPORT_JOB, user=request.user, params=params)
        except ValidationError as exc:
            return HttpResponseBadRequest(" ".join(exc.messages), content_type="text/plain")
        return HttpResponseRedirect(started.url)


class TrailRecordsView(PermissionRequiredMixin, View):
    """GET ?name=[&model=]: JSON suggestions for the record field (its own trail link each).

    The same search as the filter (``records_named``): only records the reader may see.
    A bad name (NUL, too long, a lone surrogate) is a 400 with the form's message.
    """

    permission_required = ("audit.view_auditentry",)
    http_method_names = ["get"]
    model_admin: Any = None

    def get(self, request: HttpRequest) -> HttpResponse:
        form = TrailFilterForm(request.GET, user=request.user)
        form.is_valid()
        errors = [str(m) for name in ("name", "model") for m in form.errors.get(name, [])]
        if errors:
            return JsonResponse({"error": " ".join(errors)}, status=400)
        data = {"name": form.cleaned_data.get("name"), "model": form.cleaned_data.get("model")}
        return JsonResponse({"results": record_suggestions(self.model_admin, request, data)})


def trail_urls(model_admin: Any) -> list[URLPattern]:
    """The export and suggestion URLs, mounted by AuditEntryAdmin.get_urls (before the
    inherited URLs)."""
    site = model_admin.admin_site
    export = site.admin_view(TrailExportView.as_view(model_admin=model_admin))
    records = site.admin_view(TrailRecordsView.as_view(model_admin=model_admin))
    return [
        path("export/<slug:fmt>/", export, name="audit_auditentry_export"),
        path("records/", records, name="audit_auditentry_records"),
    ]


def trail_view(model_admin: Any) -> Any:
    """The trail page as a view: the admin's changelist renders it."""
    return AuditTrailView.as_view(model_admin=model_admin)
