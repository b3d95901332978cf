"""What the apps above core add to core's admin bases: history pages, list actions, pages,
and on a record's page its read-only panels (inlines) and its actions.

Core's bases (``apps.core.admin``) may not import the apps above it (audit, security,
the apps to come). Those apps register their contributions here from their own admin
module; the bases ask at request time, so the order the admin modules load in does not
matter. ``ContributionsMixin`` is the one place the bases ask.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IS_POPUP_VAR, InlineModelAdmin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.enums import ActionVariant
from unfold.widgets import UnfoldAdminTextareaWidget

from apps.core.admin_actions import refusal_record
from apps.core.types import AdminMixinBase, ModelT
from apps.core.validators import REASON_MAX, validate_no_surrogates

if TYPE_CHECKING:
    from django.template.response import _TemplateForResponseT
    from django_stubs_ext import StrOrPromise


class HistoryExtension:
    """Hooks on a domain admin's history pages; each default leaves the page as it is.

    ``model_admin`` is the admin whose page it is: an extension reads it (permissions,
    protected fields, its model) and never stores it.
    """

    object_history_template: str | None = None
    object_history_list_template: str | None = None
    object_history_form_template: str | None = None

    def urls(self, model_admin: Any) -> list[URLPattern]:
        """Pages under the object's history, mounted before the admin's own URLs."""
        return []

    def history_queryset(
        self, model_admin: Any, request: HttpRequest, queryset: QuerySet[Any], object_id: Any
    ) -> QuerySet[Any]:
        """The versions listed on the history page."""
        return queryset

    def version_context(
        self, model_admin: Any, request: HttpRequest, object_id: str, version_id: str
    ) -> dict[str, Any]:
        """Refuse (raise Http404) a version the reader may not open; else extra context."""
        return {}

    def history_context(
        self, model_admin: Any, request: HttpRequest, template: str, context: dict[str, Any]
    ) -> None:
        """Add to the context of a history page (list or version) before it renders."""

    def history_rows(self, model_admin: Any, request: HttpRequest, records: Sequence[Any]) -> None:
        """Annotate the rows of the history list once their diffs are set."""


_HISTORY: list[HistoryExtension] = []
_ACTIONS: dict[str, list[Callable[..., HttpResponse | None]]] = {}
_INLINES: "dict[str, list[type[InlineModelAdmin[Any, Any]]]]" = {}
_RECORD_ACTIONS: dict[str, dict[str, "RecordAction"]] = {}
_PAGES: dict[str, list[Callable[[Any], list[URLPattern]]]] = {}


def history_extension_register(extension: HistoryExtension) -> None:
    """Add ``extension`` to every domain admin's history pages (once per class)."""
    if not any(type(known) is type(extension) for known in _HISTORY):
        _HISTORY.append(extension)


def history_extensions() -> tuple[HistoryExtension, ...]:
    return tuple(_HISTORY)


def admin_action_register(*, model: str, action: Callable[..., HttpResponse | None]) -> None:
    """Offer ``action`` on the list of ``model`` ("app_label.ModelName").

    ``action`` is a list action as Django calls it, ``action(model_admin, request,
    queryset)``, usually decorated with unfold's ``@action``; its ``permissions`` are
    dotted permissions or ``has_<name>_permission`` methods of the model admin.
    """
    actions = _ACTIONS.setdefault(model, [])
    if action not in actions:
        actions.append(action)


def admin_pages_register(*, model: str, urls: Callable[[Any], list[URLPattern]]) -> None:
    """Mount ``urls(model_admin)`` under the admin of ``model`` ("app_label.ModelName").

    For pages a higher app owns below a lower app's model (the people directory under
    the employees); mounted before the admin's own URLs, whose ``<path:object_id>/``
    would take them.
    """
    pages = _PAGES.setdefault(model, [])
    if urls not in pages:
        pages.append(urls)


def admin_actions_for(model: type[Model]) -> tuple[Callable[..., HttpResponse | None], ...]:
    return tuple(_ACTIONS.get(model._meta.label, ()))


# --- A record's page: read-only panels and actions -----------------------------------


if TYPE_CHECKING:
    _InlineFormSetBase = BaseInlineFormSet[Any, Any, Any]
else:
    _InlineFormSetBase = BaseInlineFormSet


class ReadOnlyInlineFormSet(_InlineFormSetBase):
    """An inline shown, never submitted: it ignores the POST (a failed save still shows it).

    Bound to nothing, so a change form posted without its rows (or with forged ones) neither
    fails on a missing management form nor writes; it lists at most ``limit`` rows.
    """

    limit = 50

    def __init__(self, data: Any = None, files: Any = None, **kwargs: Any) -> None:
        super().__init__(None, None, **kwargs)
        self.new_objects: list[Model] = []
        self.changed_objects: list[tuple[Model, list[str]]] = []
        self.deleted_objects: list[Model] = []

    def get_queryset(self) -> QuerySet[Any]:
        if not hasattr(self, "_limited"):
            self._limited = super().get_queryset()[: self.limit]
        return self._limited

    def is_valid(self) -> bool:
        return True

    def has_changed(self) -> bool:
        return False

    def save(self, commit: bool = True) -> list[Model]:
        return []


class ReadOnlyInline(TabularInline):  # type: ignore[misc]  # unfold ships no types
    """A read-only table of rows related to the record (its history of transfers, its roles).

    Subclasses name ``model``, ``fk_name``, ``fields`` and, in ``get_queryset``, limit the
    rows to those the reader may see (scope is the contributing app's answer).
    """

    formset = ReadOnlyInlineFormSet
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    tab = True
    hide_title = True  # the row is its columns; its own name repeats them

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return self.get_fields(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def admin_inline_register(*, model: str, inline: "type[InlineModelAdmin[Any, Any]]") -> None:
    """Show ``inline`` on the change form of ``model`` ("app_label.ModelName"), after its own."""
    inlines = _INLINES.setdefault(model, [])
    if inline not in inlines:
        inlines.append(inline)


def admin_inlines_for(model: type[Model]) -> tuple["type[InlineModelAdmin[Any, Any]]", ...]:
    return tuple(_INLINES.get(model._meta.label, ()))


class RecordReasonForm(forms.Form):
    """What every record action asks: why (kept with the action in its log)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text=_("Required; kept in the log with the action."),
        validators=[validate_no_surrogates],
    )


@dataclass(frozen=True)
class RecordAction:
    """An action on one record, from its page: asks a form (a reason), then calls a service.

    ``allowed(request, obj)`` is the whole rule for the button and the page (permission,
    scope, rank), asked of the app that owns the service; ``perform(request, obj, data)``
    calls the service with the form's cleaned data and returns the success message; a
    ``ValidationError`` it raises is a refusal, shown and logged.
    """

    name: str  # unique per model; the page is <object id>/actions/<name>/
    label: "StrOrPromise"
    intro: "StrOrPromise"
    allowed: Callable[[HttpRequest, Any], bool]
    perform: Callable[[HttpRequest, Any, dict[str, Any]], str]
    icon: str = ""
    submit_label: "StrOrPromise" = ""
    # Called as form_class(obj, data) when it takes the record (a password form), else
    # form_class(data); every form asks a reason.
    form_class: type[forms.Form] = RecordReasonForm
    form_takes_record: bool = False
    order: int = 100
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def record_action_register(*, model: str, action: RecordAction) -> None:
    """Offer ``action`` on the record pages of ``model`` ("app_label.ModelName")."""
    _RECORD_ACTIONS.setdefault(model, {})[action.name] = action


def record_actions_for(model: type[Model]) -> tuple[RecordAction, ...]:
    actions = _RECORD_ACTIONS.get(model._meta.label, {}).values()
    return tuple(sorted(actions, key=lambda a: (a.order, a.name)))


def _record_action_for(model: type[Model], name: str) -> RecordAction | None:
    return _RECORD_ACTIONS.get(model._meta.label, {}).get(name)


class ContributionsMixin(AdminMixinBase[ModelT]):
    """A domain admin with what the higher apps registered: history pages, list actions.

    First among a domain admin's bases: the contributed URLs must precede
    simple-history's ``<id>/history/<version>/`` (which would take "compare" for a
    version), and a version is checked here before the scope check reads it.
    """

    def _history_template(self, name: str) -> str | None:
        for extension in reversed(_HISTORY):
            template: str | None = getattr(extension, name)
            if template:
                return template
        return None

    # Properties: the template is the last registered extension's, asked when the page is
    # drawn. Django declares the first a class attribute; it only ever reads it.
    @property
    def object_history_template(  # type: ignore[override]  # read, never assigned, by Django
        self,
    ) -> "_TemplateForResponseT | None":
        return self._history_template("object_history_template") or super().object_history_template

    @property
    def object_history_list_template(self) -> str:
        return (
            self._history_template("object_history_list_template")
            or super().object_history_list_template
        )

    @property
    def object_history_form_template(self) -> str:
        return (
            self._history_template("object_history_form_template")
            or super().object_history_form_template
        )

    record_action_template = "admin/core/record_action.html"

    def get_urls(self) -> list[URLPattern]:
        contributed = [url for extension in _HISTORY for url in extension.urls(self)]
        contributed += [
            url for urls in _PAGES.get(self.model._meta.label, ()) for url in urls(self)
        ]
        opts = self.model._meta
        record = path(
            "<path:object_id>/actions/<str:action_name>/",
            self.admin_site.admin_view(self.record_action_view),
            name=f"{opts.app_label}_{opts.model_name}_record_action",
        )
        own: list[URLPattern] = super().get_urls()  # type: ignore[no-untyped-call]  # guardian's is unannotated
        return [*contributed, record, *own]

    # --- Inlines and record actions contributed by the apps above ---------------------

    def get_inlines(
        self, request: HttpRequest, obj: ModelT | None
    ) -> list["type[InlineModelAdmin[Any, Any]]"]:
        own = list(super().get_inlines(request, obj))
        if obj is None:  # the add form: no record yet, so nothing read-only to show
            return [i for i in own if not issubclass(i, ReadOnlyInline)]
        return [*own, *(i for i in admin_inlines_for(self.model) if i not in own)]

    def record_actions(self, request: HttpRequest, obj: ModelT) -> list[RecordAction]:
        """The record's actions the reader may use on it (each action's own rule)."""
        return [a for a in record_actions_for(self.model) if a.allowed(request, obj)]

    def record_action_url(self, obj: ModelT, name: str) -> str:
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_record_action",
            args=[obj.pk, name],
        )

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: ModelT | None = None,
    ) -> HttpResponse:
        if obj is not None and change:
            # unfold's detail actions menu draws them (its "actions_detail" entries).
            context["actions_detail"] = [
                *context.get("actions_detail", []),
                *(
                    {
                        "title": a.label,
                        "icon": a.icon,
                        "variant": ActionVariant.DEFAULT,
                        "attrs": {"data-testid": f"record-action-{a.name}"},
                        "dialog": None,
                        "path": self.record_action_url(obj, a.name),
                    }
                    for a in self.record_actions(request, obj)
                ),
            ]
        response: HttpResponse = super().render_change_form(
            request, context, add, change, form_url, obj
        )
        return response

    def record_action_view(
        self, request: HttpRequest, object_id: str, action_name: str
    ) -> HttpResponse:
        """A record action's page: its form, then the service; refusals are shown and logged.

        An unknown action or a record the reader may not see is a 404; a record they see
        but may not act on (permission, scope or rank) a 403, on the page and on a POST.
        """
        action = _record_action_for(self.model, action_name)
        if action is None or "\x00" in object_id:
            raise Http404(gettext("No such record."))
        self._require_valid_pk(object_id)
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("No such record."))
        if not action.allowed(request, obj):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form: forms.Form = (
            action.form_class(obj, data)  # type: ignore[arg-type]  # a record-taking form
            if action.form_takes_record
            else action.form_class(data)
        )
        change_url = reverse(
            f"{self.admin_site.name}:{self.model._meta.app_label}_{self.model._meta.model_name}_change",
            args=[obj.pk],
        )
        if data is not None and form.is_valid():
            try:
                done = action.perform(request, obj, form.cleaned_data)
            except ValidationError as exc:
                refusal_record(error=exc, where=request.path)
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, done)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": action.submit_label or action.label,
            "intro": action.intro,
            "submit_label": action.submit_label or action.label,
            "submit_testid": f"confirm-{action.name}",
            "form": form,
            "media": self.media + form.media,
            "object": obj,
            "opts": self.model._meta,
            "change_url": change_url,
            "action": action,
        }
        return TemplateResponse(request, self.record_action_template, context)

    def get_history_queryset(
        self, request: HttpRequest, history_manager: Any, pk_name: str, object_id: Any
    ) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_history_queryset(
            request, history_manager, pk_name, object_id
        )
        for extension in history_extensions():
            queryset = extension.history_queryset(self, request, queryset, object_id)
        return queryset

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        self._require_valid_pk(object_id)  # before any extension reads the object
        extra = dict(extra_context or {})
        for extension in history_extensions():
            extra.update(extension.version_context(self, request, object_id, version_id))
        response: HttpResponse = super().history_form_view(request, object_id, version_id, extra)
        return response

    def render_history_view(
        self, request: HttpRequest, template: str, context: dict[str, Any], **kwargs: Any
    ) -> HttpResponse:
        for extension in history_extensions():
            extension.history_context(self, request, template, context)
        response: HttpResponse = super().render_history_view(request, template, context, **kwargs)
        return response

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for extension in history_extensions():
            extension.history_rows(self, request, historical_records)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """The admin's own actions, then those contributed for its model that the user may use."""
        # Values are (function, name, description); django-stubs types the function as
        # returning str, where an action returns a response or None.
        actions: dict[str, Any] = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        for func in admin_actions_for(self.model):
            if self._may_use(request, func):
                name = func.__name__
                actions[name] = (func, name, self._get_action_description(func, name))
        return actions

    def _may_use(self, request: HttpRequest, func: Callable[..., HttpResponse | None]) -> bool:
        """Django's rule for an action's ``allowed_permissions`` (any), dotted ones included."""
        permissions = getattr(func, "allowed_permissions", None)
        if permissions is None:
            return True
        return any(
            request.user.has_perm(permission)
            if "." in permission
            else getattr(self, f"has_{permission}_permission")(request)
            for permission in permissions
        )
