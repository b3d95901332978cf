"""Compare any two versions on an object's history page, and revert where allowed.

Audit contributes this to every domain admin through ``apps.core.admin_extensions``
(registered by ``apps.audit.admin``): the apps below audit never import it.
"""

from typing import Any

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext

from apps.audit import reverts, version_views
from apps.audit.models import AuditEntry
from apps.core.admin_extensions import HistoryExtension
from apps.core.types import AuthedHttpRequest


class VersionsExtension(HistoryExtension):
    """History pages with a version picker, a compare page and (departments, employees) revert."""

    object_history_template = "admin/audit/object_history.html"
    object_history_list_template = "admin/audit/object_history_list.html"
    object_history_form_template = "admin/audit/object_history_form.html"

    def urls(self, model_admin: Any) -> list[URLPattern]:
        opts = model_admin.model._meta
        info = f"{opts.app_label}_{opts.model_name}"
        site = model_admin.admin_site

        def compare(request: HttpRequest, object_id: str) -> HttpResponse:
            return version_views.compare_view(model_admin, request, object_id)

        def revert(request: AuthedHttpRequest, object_id: str, version_id: str) -> HttpResponse:
            return version_views.revert_view(model_admin, request, object_id, version_id)

        return [
            path(
                "<path:object_id>/history/compare/",
                site.admin_view(compare),
                name=f"{info}_history_compare",
            ),
            path(
                "<path:object_id>/history/<str:version_id>/revert/",
                site.admin_view(revert),
                name=f"{info}_history_revert",
            ),
        ]

    def history_queryset(
        self, model_admin: Any, request: HttpRequest, queryset: QuerySet, object_id: Any
    ) -> QuerySet:
        hidden = version_views.hidden_versions(model_admin, request, object_id)
        return queryset if hidden is None else queryset.exclude(history_id__in=hidden)

    def version_context(
        self, model_admin: Any, request: HttpRequest, object_id: str, version_id: str
    ) -> dict[str, Any]:
        hidden = version_views.hidden_versions(model_admin, request, object_id)
        if hidden is not None and str(version_id) in {str(pk) for pk in hidden}:
            raise Http404(gettext("No such version of this record."))
        return {"version_id": version_id}

    def history_context(
        self, model_admin: Any, request: HttpRequest, template: str, context: dict
    ) -> None:
        """Tell the history templates whether (and to which versions) the reader may revert."""
        if template == model_admin.object_history_template and context.get("object") is not None:
            context["can_revert"] = _can_revert(model_admin, request, context["object"])
            context["latest_history_id"] = _latest_version_id(model_admin, context["object"])
        obj = context.get("original")
        if template == model_admin.object_history_form_template and obj is not None:
            version = str(context.get("version_id", ""))
            latest = str(_latest_version_id(model_admin, obj))
            if _can_revert(model_admin, request, obj) and version != latest:
                opts = model_admin.model._meta
                context["revert_url"] = reverse(
                    f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}"
                    "_history_revert",
                    args=[quote(obj.pk), version],
                )

    def history_rows(self, model_admin: Any, request: HttpRequest, records: Any) -> None:
        """Give each row of the page its audit entry (action, reason): one query.

        The changes listed leave out the fields the reader may not see on this object (a
        salary outside their salary scope), as the compare page does.
        """
        records = list(records)
        if not records:
            return
        model = model_admin.model
        pk = getattr(records[0], model._meta.pk.attname)
        obj = model._default_manager.filter(pk=pk).first()
        hidden = version_views.hidden_fields(model_admin, request, obj) if obj else frozenset()
        for record in records:
            changes = getattr(record, "history_delta_changes", None)
            if changes and hidden:
                record.history_delta_changes = [c for c in changes if c["name"] not in hidden]
        entries = {
            e.history_id: e
            for e in AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model_admin.model),
                history_id__in=[r.history_id for r in records],
            )
        }
        for record in records:
            record.audit_entry = entries.get(record.history_id)


def _can_revert(model_admin: Any, request: HttpRequest, obj: Any) -> bool:
    return reverts.revertible(model_admin.model) and model_admin.has_change_permission(request, obj)


def _latest_version_id(model_admin: Any, obj: Any) -> int | None:
    model = model_admin.model
    history = model.history.filter(**{model._meta.pk.attname: obj.pk})
    return history.values_list("history_id", flat=True).first()
