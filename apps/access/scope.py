"""Who may see and change what: the one module every surface asks.

A user's rights come from three places, read together in one query (the
*snapshot*, kept on the user object for the rest of the request):

1. role assignments valid at this moment: the role's permissions everywhere
   (no department) or within a department subtree (the MPTT range of the
   assignment's department, so a department moved into or out of it changes
   the scope at once, and no row is stored per employee);
2. permissions given to the user directly (superusers hand these out);
3. per-object grants (django-guardian) for exceptions; a grant on a department
   reaches its subtree like a scoped assignment does.

Group membership is ignored on purpose: it only mirrors the assignments and may
lag behind an expiry until the tidy task has run.

``restrict(user, perm, queryset)`` filters any queryset of a model registered with scope
paths (``apps.core.registry``; other models are all-or-nothing: organisation-wide
permission or an object grant); ``allows(user, perm, obj)`` answers for one object. The auth
backend (``backends.AccessBackend``) makes ``user.has_perm(perm, obj)`` say the same.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, IntegerField, Model, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone
from guardian.models import UserObjectPermission

from apps.access.models import RoleAssignment
from apps.core.registry import policy_for
from apps.org import tree
from apps.org.models import Department, Employee
from apps.org.tree import Subtree

_CACHE_ATTR = "_access_snapshot"


@dataclass(frozen=True)
class Snapshot:
    """Everything one user may do, as read at ``at``."""

    at: datetime
    superuser: bool = False
    everywhere: frozenset[str] = frozenset()
    ranges: dict[str, tuple[Subtree, ...]] = field(default_factory=dict)
    objects: dict[str, frozenset[tuple[int, str]]] = field(default_factory=dict)

    @property
    def perms(self) -> frozenset[str]:
        """Permissions held anywhere: enough to open a list, which ``restrict`` then filters."""
        return self.everywhere | frozenset(self.ranges) | frozenset(self.objects)

    def is_everywhere(self, perm: str) -> bool:
        return self.superuser or perm in self.everywhere


def _rows(user_pk: Any, at: datetime) -> QuerySet[Any, Any]:
    """One UNION ALL over assignments, direct permissions and object grants."""
    # Typed NULLs: PostgreSQL reads a bare NULL in a UNION as text.
    none_int = Cast(Value(None), IntegerField())
    none_str = Cast(Value(None), CharField())
    assignments = (
        RoleAssignment.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=at),
            user_id=user_pk,
            is_active=True,
            valid_from__lte=at,
            role__permissions__isnull=False,
        )
        .order_by()
        .values_list(
            "role__permissions__content_type__app_label",
            "role__permissions__codename",
            *tree.node_fields(prefix="department"),
            none_int,
            none_str,
        )
    )
    direct = (
        Employee.user_permissions.through.objects.filter(employee_id=user_pk)
        .order_by()
        .values_list(
            "permission__content_type__app_label",
            "permission__codename",
            none_int,
            none_int,
            none_int,
            none_int,
            none_str,
        )
    )
    grants = (
        UserObjectPermission.objects.filter(user_id=user_pk)
        .order_by()
        .values_list(
            "permission__content_type__app_label",
            "permission__codename",
            none_int,
            none_int,
            none_int,
            "content_type_id",
            "object_pk",
        )
    )
    return assignments.union(direct, grants, all=True)


def snapshot_read(user: Employee | AnonymousUser, *, at: datetime | None = None) -> Snapshot:
    """Read a user's rights at ``at`` (default now): one query, two with department grants."""
    at = at or timezone.now()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Snapshot(at=at)
    if user.is_superuser:
        return Snapshot(at=at, superuser=True)
    everywhere: set[str] = set()
    ranges: dict[str, set[Subtree]] = defaultdict(set)
    objects: dict[str, set[tuple[int, str]]] = defaultdict(set)
    department_grants: dict[str, set[str]] = defaultdict(set)
    department_ct = ContentType.objects.get_for_model(Department).pk
    for app_label, codename, *position, ct_id, object_pk in _rows(user.pk, at):
        perm = f"{app_label}.{codename}"
        subtree = tree.subtree_from_values(*position)
        if ct_id is not None:
            objects[perm].add((ct_id, object_pk))
            if ct_id == department_ct:
                department_grants[perm].add(object_pk)
        elif subtree is None:
            everywhere.add(perm)
        else:
            ranges[perm].add(subtree)
    if department_grants:
        wanted = {pk for pks in department_grants.values() for pk in pks}
        found = Department.objects.filter(pk__in=wanted).subtrees_by_pk()
        for perm, pks in department_grants.items():
            ranges[perm].update(found[pk] for pk in pks if pk in found)
    return Snapshot(
        at=at,
        everywhere=frozenset(everywhere),
        ranges={perm: tuple(sorted(r)) for perm, r in ranges.items() if perm not in everywhere},
        objects={perm: frozenset(o) for perm, o in objects.items()},
    )


def snapshot(user: Employee | AnonymousUser) -> Snapshot:
    """The user's rights now, read once per user object (that is, once per request)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = snapshot_read(user)
        if getattr(user, "is_authenticated", False):
            setattr(user, _CACHE_ATTR, cached)
    return cached


def snapshot_forget(*users: Employee | None) -> None:
    """Drop cached snapshots after their rights changed (assignments, grants)."""
    for user in users:
        if user is not None and hasattr(user, _CACHE_ATTR):
            delattr(user, _CACHE_ATTR)


# --- Querysets ---------------------------------------------------------------------


def scope_q(snap: Snapshot, perm: str, model: type[Model]) -> Q | None:
    """The filter for ``model`` under ``perm``; None means no restriction."""
    if snap.is_everywhere(perm):
        return None
    q = Q(pk__in=[])
    ranges = snap.ranges.get(perm, ())
    if ranges:
        for path in policy_for(model).scope_paths:
            q |= tree.subtree_q(ranges, prefix=path)
    ct_id = ContentType.objects.get_for_model(model).pk
    pks = [pk for ct, pk in snap.objects.get(perm, ()) if ct == ct_id]
    if pks:
        q |= Q(pk__in=pks)
    return q


_QuerySetT = TypeVar("_QuerySetT", bound=QuerySet[Any])


def restrict(user: Employee | AnonymousUser, perm: str, queryset: _QuerySetT) -> _QuerySetT:
    """``queryset`` limited to the rows ``user`` may use under ``perm``."""
    q = scope_q(snapshot(user), perm, queryset.model)
    return queryset if q is None else queryset.filter(q)


def department_ranges(user: Employee | AnonymousUser, perm: str) -> tuple[Subtree, ...] | None:
    """The subtrees where ``user`` holds ``perm``; None means the whole organisation."""
    snap = snapshot(user)
    if snap.is_everywhere(perm):
        return None
    return snap.ranges.get(perm, ())


def scope_roots_q(user: Employee | AnonymousUser, perm: str) -> Q | None:
    """The topmost departments of the user's subtrees under ``perm``; None: the real roots."""
    ranges = department_ranges(user, perm)
    return None if ranges is None else tree.subtree_tops_q(ranges)


# --- Single objects ----------------------------------------------------------------


def _departments_of(obj: Model) -> Iterator[Department]:
    for path in policy_for(type(obj)).scope_paths:
        target: Any = obj
        for step in path.split("__") if path else ():
            target = getattr(target, step, None)
            if target is None:
                break
        if isinstance(target, Department):
            yield target


def within(ranges: Iterable[Subtree], department: Department) -> bool:
    """Is ``department`` inside one of the subtrees?"""
    return tree.subtree_contains(ranges, department)


def allows_in(snap: Snapshot, perm: str, obj: Model) -> bool:
    """Does the snapshot give ``perm`` on ``obj``? No logging, no query beyond FK loads."""
    if snap.is_everywhere(perm):
        return True
    ct_id = ContentType.objects.get_for_model(type(obj)).pk
    if (ct_id, str(obj.pk)) in snap.objects.get(perm, ()):
        return True
    ranges = snap.ranges.get(perm)
    return ranges is not None and any(within(ranges, d) for d in _departments_of(obj))


def allows(user: Employee | AnonymousUser, perm: str, obj: Model) -> bool:
    return allows_in(snapshot(user), perm, obj)
