"""What the apps above core add to core's admin bases: history pages, list actions, pages.

Core's bases (``apps.core.admin``) may not import the apps above it (audit, security,
the apps to come). Those apps register their contributions here from their own admin
module; the bases ask at request time, so the order the admin modules load in does not
matter. ``ContributionsMixin`` is the one place the bases ask.
"""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

from apps.core.types import AdminMixinBase, ModelT

if TYPE_CHECKING:
    from django.template.response import _TemplateForResponseT


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

    def get_urls(self) -> list[URLPattern]:
        contributed = [url for extension in _HISTORY for url in extension.urls(self)]
        contributed += [
            url for urls in _PAGES.get(self.model._meta.label, ()) for url in urls(self)
        ]
        own: list[URLPattern] = super().get_urls()  # type: ignore[no-untyped-call]  # guardian's is unannotated
        return [*contributed, *own]

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
