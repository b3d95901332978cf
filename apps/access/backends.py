"""The auth backend: ``user.has_perm(perm, obj)`` answers from the scope module."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Model

from apps.access import ranks, scope, services
from apps.org.models import ACCOUNT_PERM, Organisation


class AccessBackend(ModelBackend):
    """Password authentication as Django's; permissions from ``apps.access.scope``.

    Without an object: held anywhere (enough to open a list that is then filtered).
    With an object: held organisation-wide, on a department subtree containing it, or
    granted on the object itself. A refusal of a permission the user holds elsewhere is
    logged (rate-limited): that is someone reaching outside their scope.
    """

    def get_user_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        snap = scope.snapshot(user_obj)
        if obj is None:
            return set(snap.perms)
        if isinstance(obj, Organisation):
            return {perm for perm in snap.perms if snap.is_everywhere(perm)}
        return {perm for perm in snap.perms if scope.allows_in(snap, perm, obj)}

    def has_perm(self, user_obj: Any, perm: str, obj: Model | None = None) -> bool:
        if not getattr(user_obj, "is_active", False):
            return False
        if perm == ACCOUNT_PERM:
            # Not a stored permission: rank, not scope (apps.access.ranks).
            return obj is not None and ranks.may_manage_account(user_obj, obj)
        snap = scope.snapshot(user_obj)
        if obj is None:
            return snap.superuser or perm in snap.perms
        if isinstance(obj, Organisation):
            return snap.is_everywhere(perm)
        if scope.allows_in(snap, perm, obj):
            return True
        if perm in snap.perms:
            services.denial_record(user=user_obj, perm=perm, obj=obj, where="has_perm")
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if not getattr(user_obj, "is_active", False):
            return False
        snap = scope.snapshot(user_obj)
        return snap.superuser or any(p.startswith(f"{app_label}.") for p in snap.perms)

    def with_perm(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("Ask apps.access.scope; group membership does not give rights.")
