"""Compare any two versions on an object's history page, and revert where allowed."""

from typing import Any

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext

from apps.access.fields import fields_hidden
from apps.audit import reverts, version_views
from apps.audit.models import AuditEntry


class VersionsAdminMixin:
    """History pages with a version picker, a compare page and (departments, employees) revert.

    Put it first among the bases: its URLs must precede simple-history's
    ``<id>/history/<version>/``, which would otherwise take "compare" for a version.
    """

    object_history_template = "admin/audit/object_history.html"
    object_history_list_template = "admin/audit/object_history_list.html"
    object_history_form_template = "admin/audit/object_history_form.html"

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        info = f"{opts.app_label}_{opts.model_name}"
        site = self.admin_site
        return [
            path(
                "<path:object_id>/history/compare/",
                site.admin_view(self.history_compare_view),
                name=f"{info}_history_compare",
            ),
            path(
                "<path:object_id>/history/<str:version_id>/revert/",
                site.admin_view(self.history_revert_view),
                name=f"{info}_history_revert",
            ),
            *super().get_urls(),
        ]

    def history_compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return version_views.compare_view(self, request, object_id)

    def history_revert_view(
        self, request: HttpRequest, object_id: str, version_id: str
    ) -> HttpResponse:
        return version_views.revert_view(self, request, object_id, version_id)

    def hidden_versions(self, request: HttpRequest, object_id: str) -> QuerySet | None:
        """The version ids of this object whose every change the reader may not see.

        A salary-only change is not listed to someone who may not see that salary (the
        audit trail leaves out its entry the same way), so neither its reason nor its
        existence tells that the salary moved. None when nothing is hidden from them.
        """
        obj = self.model._default_manager.filter(pk=object_id).first()
        if obj is None or not fields_hidden(user=request.user, obj=obj):
            return None
        return AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=str(obj.pk),
            sensitive=True,
        ).values_list("history_id", flat=True)

    def get_history_queryset(
        self, request: HttpRequest, history_manager: Any, pk_name: str, object_id: Any
    ) -> QuerySet:
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        hidden = self.hidden_versions(request, object_id)
        return queryset if hidden is None else queryset.exclude(history_id__in=hidden)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        self._require_valid_pk(object_id)
        hidden = self.hidden_versions(request, object_id)
        if hidden is not None and str(version_id) in {str(pk) for pk in hidden}:
            raise Http404(gettext("No such version of this record."))
        extra = {**(extra_context or {}), "version_id": version_id}
        return super().history_form_view(request, object_id, version_id, extra)

    def _can_revert(self, request: HttpRequest, obj: Any) -> bool:
        return reverts.revertible(self.model) and self.has_change_permission(request, obj)

    def _latest_version_id(self, obj: Any) -> int | None:
        history = self.model.history.filter(**{self.model._meta.pk.attname: obj.pk})
        return history.values_list("history_id", flat=True).first()

    def render_history_view(
        self, request: HttpRequest, template: str, context: dict, **kwargs: Any
    ) -> HttpResponse:
        """Tell the history templates whether (and to which versions) the reader may revert."""
        if template == self.object_history_template and context.get("object") is not None:
            context["can_revert"] = self._can_revert(request, context["object"])
            context["latest_history_id"] = self._latest_version_id(context["object"])
        obj = context.get("original")
        if template == self.object_history_form_template and obj is not None:
            version = str(context.get("version_id", ""))
            if self._can_revert(request, obj) and version != str(self._latest_version_id(obj)):
                opts = self.model._meta
                context["revert_url"] = reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history_revert",
                    args=[quote(obj.pk), version],
                )
        return super().render_history_view(request, template, context, **kwargs)

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        """Also give each row of the page its audit entry (action, reason): one query."""
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        entries = {
            e.history_id: e
            for e in AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model),
                history_id__in=[r.history_id for r in records],
            )
        }
        for record in records:
            record.audit_entry = entries.get(record.history_id)
