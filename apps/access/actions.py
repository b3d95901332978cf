"""The actions access logs (the permission log): grants, revocations, expiries, refusals."""

from apps.access.models import PermissionLog
from apps.core.actions import ActionKind, ActionStore, action_store_register


def permission_log_store() -> ActionStore:
    """The permission log as an action store (declared once, in ``AccessConfig.ready``)."""
    return action_store_register(
        model="access.PermissionLog",
        kind_field="action",
        subject_field="user",
        reason_field="detail",
        target_field="target",
        choices=PermissionLog.Action,
    )


def permission_kind(action: str) -> ActionKind:
    """The kind of a ``PermissionLog.Action`` value."""
    return permission_log_store().kind(action)
