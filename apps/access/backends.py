"""The auth backend: ``user.has_perm(perm, obj)`` answers from the scope module.

A permission check is pure: it reads and never writes. Refusals are logged by the entry
points (admin, views) once the transaction has ended, through
``apps.access.services.refusal_record``; a row written here would be rolled back with
the service that asked.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model

from apps.access import ranks, scope
from apps.core.history import is_system_account
from apps.org.models import ACCOUNT_PERM, Employee, Organisation


class AccessBackend(ModelBackend):
    """Password authentication as Django's; permissions from ``apps.access.scope``.

    Without an object: held anywhere (enough to open a list that is then filtered).
    With an object: held organisation-wide, on a department subtree containing it, or
    granted on the object itself. No side effects: logging a refusal is the caller's
    (see the module docstring).
    """

    def user_can_authenticate(self, user: Employee | AnonymousUser | None) -> bool:
        """Django's rule (active accounts), and never the system account: nobody signs in
        as it, whatever its password or flags say."""
        return not (isinstance(user, Employee) and is_system_account(user)) and (
            super().user_can_authenticate(user)
        )

    def get_user_permissions(
        self, user_obj: Employee | AnonymousUser, obj: Model | None = None
    ) -> set[str]:
        return set()

    def get_group_permissions(
        self, user_obj: Employee | AnonymousUser, obj: Model | None = None
    ) -> set[str]:
        return set()

    def get_all_permissions(
        self, user_obj: Employee | AnonymousUser, obj: Model | None = None
    ) -> set[str]:
        snap = scope.snapshot(user_obj)
        if obj is None:
            return set(snap.perms)
        if isinstance(obj, Organisation):
            return {perm for perm in snap.perms if snap.is_everywhere(perm)}
        return {perm for perm in snap.perms if scope.allows_in(snap, perm, obj)}

    def has_perm(
        self, user_obj: Employee | AnonymousUser, perm: str, obj: Model | None = None
    ) -> bool:
        if not getattr(user_obj, "is_active", False):
            return False
        if perm == ACCOUNT_PERM:
            # Not a stored permission: rank, not scope (apps.access.ranks).
            return isinstance(obj, Employee) and ranks.may_manage_account(user_obj, obj)
        snap = scope.snapshot(user_obj)
        if obj is None:
            return snap.superuser or perm in snap.perms
        if isinstance(obj, Organisation):
            return snap.is_everywhere(perm)
        return scope.allows_in(snap, perm, obj)

    def has_module_perms(self, user_obj: Employee | AnonymousUser, app_label: str) -> bool:
        if not getattr(user_obj, "is_active", False):
            return False
        snap = scope.snapshot(user_obj)
        return snap.superuser or any(p.startswith(f"{app_label}.") for p in snap.perms)

    def with_perm(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("Ask apps.access.scope; group membership does not give rights.")
