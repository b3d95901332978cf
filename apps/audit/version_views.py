"""The compare and revert pages of an object's history (mounted by ``admin_versions``).

They parse input, check the admin's permissions and scope, call ``versions`` or
``reverts``, and render.
"""

from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.access.fields import fields_hidden
from apps.access.services import refusal_record
from apps.audit import reverts, versions
from apps.audit.chain.canonical import history_model
from apps.audit.models import AuditEntry
from apps.core.admin import ReasonForm
from apps.core.types import AuthedHttpRequest

# history_id is a 64-bit integer: 19 digits at most.
VERSION_ID_DIGITS = 19


class RevertForm(ReasonForm):
    """The revert page's reason (the one reason widget, as every reason form)."""


class BadVersions(Exception):
    """The compare page's query string does not name two versions."""


def version_id(raw: str | None) -> int | None:
    """A version id from user input, or None when it is not a plain positive number."""
    if raw is None or not (0 < len(raw) <= VERSION_ID_DIGITS) or not raw.isascii():
        return None
    if not raw.isdigit():
        return None
    value = int(raw)
    return value if 0 < value < 2**63 else None


def compare_ids(params: Any) -> tuple[int, int]:
    """The two version ids of ``?a=&b=``; BadVersions with the reason otherwise."""
    raw = [params.get("a"), params.get("b")]
    if not all(raw):
        raise BadVersions(_("Pick two versions to compare."))
    first, second = (version_id(value) for value in raw)
    if first is None or second is None:
        raise BadVersions(_("A version is named by its number; these are not version numbers."))
    if first == second:
        raise BadVersions(_("Pick two different versions to compare."))
    return first, second


def object_in_scope(model_admin: Any, request: HttpRequest, object_id: str) -> Model:
    """The object as its history page finds it: 403 without the right, 404 outside scope."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404(gettext("No such record."))
    if not model_admin.has_view_history_or_change_history_permission(request, obj):
        raise PermissionDenied
    return obj


def _verbose_name(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, Field) else name


def _history(obj: Model) -> Any:
    model = type(obj)
    return history_model(model)._default_manager.filter(**{model._meta.pk.attname: obj.pk})


def hidden_fields(model_admin: Any, request: HttpRequest, obj: Model) -> frozenset[str]:
    """Fields this user may not see on ``obj`` (salary outside their salary scope)."""
    return fields_hidden(user=request.user, obj=obj)


def hidden_versions(model_admin: Any, request: HttpRequest, object_id: Any) -> QuerySet | None:
    """The version ids of this object whose every change the reader may not see.

    A salary-only change is not listed to someone who may not see that salary (the
    audit trail leaves out its entry the same way), so neither its reason nor its
    existence tells that the salary moved. None when nothing is hidden from them.
    """
    obj = model_admin.model._default_manager.filter(pk=object_id).first()
    if obj is None or not fields_hidden(user=request.user, obj=obj):
        return None
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model_admin.model),
        object_id=str(obj.pk),
        sensitive=True,
    ).values_list("history_id", flat=True)


def _context(model_admin: Any, request: HttpRequest, obj: Model, **extra: Any) -> dict:
    opts = model_admin.model._meta
    info = (model_admin.admin_site.name, opts.app_label, opts.model_name)
    return {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "object": obj,
        "history_url": reverse("{}:{}_{}_history".format(*info), args=[quote(obj.pk)]),
        "change_url": reverse("{}:{}_{}_change".format(*info), args=[quote(obj.pk)]),
        **extra,
    }


def compare_view(model_admin: Any, request: HttpRequest, object_id: str) -> HttpResponse:
    """GET ?a=<version>&b=<version>: the two versions side by side, in either order."""
    obj = object_in_scope(model_admin, request, object_id)
    title = gettext("Compare versions: %(object)s") % {"object": obj}
    try:
        ids = compare_ids(request.GET)
    except BadVersions as exc:
        context = _context(model_admin, request, obj, title=title, error=exc.args[0])
        return TemplateResponse(request, "admin/audit/compare.html", context, status=400)
    found = list(_history(obj).filter(history_id__in=ids).select_related("history_user"))
    unlisted = hidden_versions(model_admin, request, obj.pk)
    if len(found) != 2 or (unlisted is not None and unlisted.filter(history_id__in=ids).exists()):
        raise Http404(gettext("No such version of this record."))
    hidden = hidden_fields(model_admin, request, obj)
    comparison = versions.versions_compare(type(obj), *found, hidden=hidden)
    can_revert = reverts.revertible(type(obj)) and model_admin.has_change_permission(request, obj)
    context = _context(
        model_admin,
        request,
        obj,
        title=title,
        comparison=comparison,
        headers=[(comparison.old, _("Older version")), (comparison.new, _("Newer version"))],
        can_revert=can_revert,
    )
    return TemplateResponse(request, "admin/audit/compare.html", context)


def revert_view(
    model_admin: Any, request: AuthedHttpRequest, object_id: str, raw_version_id: str
) -> HttpResponse:
    """GET: what the revert would change, and the reason form. POST: revert."""
    model = model_admin.model
    if not reverts.revertible(model):
        raise Http404(gettext("Records of this kind cannot be reverted."))
    obj = object_in_scope(model_admin, request, object_id)
    if not model_admin.has_change_permission(request, obj):
        raise PermissionDenied
    history_id = version_id(raw_version_id)
    version = _history(obj).filter(history_id=history_id).first() if history_id else None
    if version is None:
        raise Http404(gettext("No such version of this record."))
    form = RevertForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reverted = reverts.object_revert(
                obj=obj, version=version, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            refusal_record(error=exc, where=request.path)
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                gettext("%(object)s: reverted to the version of %(date)s")
                % {
                    "object": reverted,
                    "date": formats.localize(timezone.localtime(version.history_date)),
                },
            )
            return HttpResponseRedirect(_context(model_admin, request, obj)["history_url"])
    return TemplateResponse(
        request,
        "admin/audit/revert.html",
        _context(
            model_admin,
            request,
            obj,
            title=gettext("Revert %(object)s") % {"object": obj},
            form=form,
            version=version,
            **_preview(model_admin, request, obj, version),
        ),
    )


def _preview(model_admin: Any, request: HttpRequest, obj: Model, version: Any) -> dict:
    """The current state against the version, over the fields a revert puts back."""
    model = type(obj)
    hidden = hidden_fields(model_admin, request, obj)
    shown = [name for name in reverts.reverted_names(model) if name not in hidden]
    comparison = versions.Comparison(
        old=versions.current_header(),
        new=versions.version_headers(model, [version])[version.history_id],
        fields=versions.fields_compare(model, obj, version, hidden=hidden, only=shown),
    )
    # Fields the reader may not see are not compared: whether they differ is not theirs to
    # learn, and their revert leaves them as they are (reverts.hidden_from).
    differing = reverts.version_differences(obj, version, hidden=hidden)
    return {
        "comparison": comparison,
        "headers": [(comparison.old, _("Now")), (comparison.new, _("After the revert"))],
        "nothing_to_revert": not differing,
        "nothing_to_revert_message": reverts.nothing_to_revert_message(hidden=hidden),
        "reverted_labels": [_verbose_name(model, name) for name in shown],
    }
