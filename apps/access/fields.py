"""Which protected fields (salary) a user may see or change: the questions every surface asks.

A model's protected fields and their permissions are registered with the model
(``apps.core.registry``). The permissions are scoped like any other, so the answers are
per object: someone may see salaries in one subtree while they see more people. The
lists, forms, dashboard, trail, exports, history and compare pages ask here; the rule is
written nowhere else.
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from apps.access import scope
from apps.core.registry import ProtectedField, policy_for
from apps.org.models import Department, Employee

_ModelT = TypeVar("_ModelT", bound=Model)


def fields_never_visible(*, user: Employee | AnonymousUser, model: type[Model]) -> frozenset[str]:
    """Protected fields of ``model`` the user may see nowhere (no view permission anywhere)."""
    protected = policy_for(model).protected
    if not protected:  # most models: no need to read the user's rights
        return frozenset()
    snap = scope.snapshot(user)
    return frozenset(f.name for f in protected if not (snap.superuser or f.view_perm in snap.perms))


def fields_hidden(*, user: Employee | AnonymousUser, obj: Model) -> frozenset[str]:
    """Protected fields of ``obj`` the user may not see on it."""
    return _refused(user, obj, lambda f: f.view_perm)


def fields_locked(*, user: Employee | AnonymousUser, obj: Model) -> frozenset[str]:
    """Protected fields of ``obj`` the user may not change on it (hidden ones included)."""
    return _refused(user, obj, lambda f: f.change_perm or f.view_perm)


def _refused(
    user: Employee | AnonymousUser, obj: Model, perm: Callable[[ProtectedField], str]
) -> frozenset[str]:
    protected = policy_for(type(obj)).protected
    if not protected:
        return frozenset()
    snap = scope.snapshot(user)
    return frozenset(f.name for f in protected if not scope.allows_in(snap, perm(f), obj))


def fields_hidden_as_of(
    *,
    user: Employee | AnonymousUser,
    model: type[Model],
    object_id: str,
    departments: Iterable[Department | None],
) -> frozenset[str]:
    """Protected fields of an object as it was (a version, an audit entry) hidden from the user.

    ``departments`` are the object's departments at that time; a grant on the object
    itself counts too. No query when the departments are loaded.
    """
    protected = policy_for(model).protected
    if not protected:
        return frozenset()
    snap = scope.snapshot(user)
    key = (ContentType.objects.get_for_model(model).pk, str(object_id))
    places = [d for d in departments if d is not None]

    def sees(perm: str) -> bool:
        if snap.is_everywhere(perm) or key in snap.objects.get(perm, ()):
            return True
        ranges = snap.ranges.get(perm, ())
        return bool(ranges) and any(scope.within(ranges, d) for d in places)

    return frozenset(f.name for f in protected if not sees(f.view_perm))


def field_visible_q(*, user: Employee | AnonymousUser, model: type[Model], field: str) -> Q | None:
    """The rows of ``model`` where the user sees ``field``: a filter, None for every row.

    An unprotected field is visible wherever the row is.
    """
    protected = policy_for(model).protected_field(field)
    if protected is None:
        return None
    return scope.scope_q(scope.snapshot(user), protected.view_perm, model)


def rows_with_field_visible(
    *, user: Employee | AnonymousUser, queryset: QuerySet[_ModelT], field: str
) -> QuerySet[_ModelT]:
    """``queryset`` limited to the rows where the user sees ``field``."""
    q = field_visible_q(user=user, model=queryset.model, field=field)
    return queryset if q is None else queryset.filter(q)


def field_visible_everywhere(
    *, user: Employee | AnonymousUser, model: type[Model], field: str
) -> bool:
    """Does the user see ``field`` on every row of ``model`` (so sorting by it reveals nothing)?"""
    return field_visible_q(user=user, model=model, field=field) is None
