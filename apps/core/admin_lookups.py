"""What an admin list takes from its query string: the filters it offers, and nothing else.

Django's admin applies any other key as a lookup on the model itself: ``?salary__gt=100000``
filters by a column the list never shows, and answers any salary by bisection in about 30
requests. ``lookup_allowed`` only restricts lookups through relations. Here a list accepts
Django's own parameters and the parameters of the filters ``get_list_filter`` offers, and
refuses any other key with a 400. A key, filter, search field, column or ordering whose path
reaches a field the user may see nowhere (a protected field of the model the path reaches,
as registered with it and answered by access, e.g. ``employee__salary`` from the
transfers) is refused or left out too.
"""

import functools
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.contrib.admin import widgets
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Model, OrderBy
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest
from django.utils.translation import gettext

from apps.core.registry import fields_hidden_everywhere
from apps.core.types import AdminMixinBase, ChangeListMixinBase, ModelT

# Django's own parameter of the change form's "preserved filters": the list does not use
# it, but it is Django's, not a lookup (Django answers it with its "?e=1" page as before).
OWN_PARAMS = frozenset({"_changelist_filters"})
# Search field prefixes: "^name" (starts with), "=name" (exact), "@name" (full text).
SEARCH_PREFIXES = "^=@"

_T = TypeVar("_T")


def protected_fields(model_admin: Any, request: HttpRequest, model: type[Model]) -> frozenset[str]:
    """Fields of ``model`` this user may see nowhere (its registered protected fields)."""
    return fields_hidden_everywhere(user=request.user, model=model)


def touches_protected(model_admin: Any, request: HttpRequest, path: str) -> bool:
    """Whether a lookup path (``employee__salary__gt``) reaches a field the user may not see."""
    model = model_admin.model
    for part in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup or transform (gt, year), or no field at all
        if field.name in protected_fields(model_admin, request, model):
            return True
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


def _name(item: Any) -> str | None:
    """The field path of a column, filter, search field or ordering item, where it has one."""
    if isinstance(item, tuple | list):
        item = item[0]
    if isinstance(item, OrderBy):
        item = item.expression
    if isinstance(item, F):
        return item.name
    if isinstance(item, str):
        return item.lstrip("-").lstrip(SEARCH_PREFIXES)
    return getattr(item, "field_path", None)


def without_protected(model_admin: Any, request: HttpRequest, items: Iterable[_T]) -> list[_T]:
    """``items`` less the ones whose path reaches a field the user may not see."""
    kept = []
    for item in items:
        name = _name(item)
        if name is None or not touches_protected(model_admin, request, name):
            kept.append(item)
    return kept


def _refuse(key: str) -> DisallowedModelAdminLookup:
    # A SuspiciousOperation: a 400, and a line in Django's security log.
    return DisallowedModelAdminLookup(
        gettext("This list cannot be filtered by “%(key)s”.") % {"key": key}
    )


def _limit_choices_lookup(model: type[Model], key: str, values: Sequence[str]) -> bool:
    """A raw-id popup's ``limit_choices_to`` pair, which Django's own check lets through."""
    for fk_lookup in model._meta.related_fkey_lookups:
        pairs = widgets.url_params_from_lookup_dict(
            fk_lookup() if callable(fk_lookup) else fk_lookup
        ).items()
        if all((key, value) in pairs for value in values):
            return True
    return False


class OfferedLookupsChangeList(ChangeListMixinBase):
    """Mixed into the admin's ChangeList class (``offered_lookups_only``)."""

    def get_filters(self, request: HttpRequest) -> tuple[Any, ...]:
        asked = self.get_filters_params()
        for key in asked:
            if touches_protected(self.model_admin, request, key):
                raise _refuse(key)
        result = super().get_filters(request)
        specs, remaining = result[0], result[2]
        # The filters take their own parameters out of ``remaining``; what is left was
        # asked for but offered by no filter (the date hierarchy adds its own bounds).
        offered = {param for spec in specs for param in spec.expected_parameters()}
        for key in remaining:
            if (
                key in asked
                and key not in offered
                and key not in OWN_PARAMS
                and not _limit_choices_lookup(self.model, key, asked[key])
            ):
                raise _refuse(key)
        return result

    def get_ordering(self, request: HttpRequest, queryset: Any) -> list[Any]:
        # ``?o=`` picks columns by index; a column whose ordering reaches a protected field
        # (a display method ordered by salary) sorts nothing.
        return without_protected(self.model_admin, request, super().get_ordering(request, queryset))


@functools.cache
def offered_lookups_only(changelist_class: type) -> type:
    """The admin's ChangeList class, accepting only the lookups its filters offer."""
    return type(
        changelist_class.__name__,
        (OfferedLookupsChangeList, changelist_class),
        {"__module__": __name__},
    )


class OfferedLookupsMixin(AdminMixinBase[ModelT]):
    """A model admin whose list takes only the lookups its filters offer (see above).

    Columns, filters, search fields and orderings whose path reaches a protected field are
    left out as well: a filter on ``employee__salary`` would list every salary in the sidebar.
    """

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type:
        changelist: type = super().get_changelist(request, **kwargs)
        return offered_lookups_only(changelist)

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return without_protected(self, request, super().get_list_display(request))

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        return without_protected(self, request, super().get_list_filter(request))

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return without_protected(self, request, super().get_search_fields(request))

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return without_protected(self, request, super().get_ordering(request) or ())

    def get_sortable_by(self, request: HttpRequest) -> list[Any]:
        return without_protected(self, request, super().get_sortable_by(request))
