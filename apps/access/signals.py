"""Grants made outside the assignment services still land in the permission log.

Per-object grants come from guardian's object-permissions screen and direct user
permissions from the employee form (superusers only); both are logged here with the
acting user from the request or ``acting_as``.
"""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from guardian.models import UserObjectPermission

from apps.access.models import PermissionLog
from apps.access.services import permission_change_record
from apps.org.models import Employee


@receiver(post_save, sender=UserObjectPermission, dispatch_uid="access-object-grant")
def _object_granted(
    sender: Any, instance: UserObjectPermission, created: bool, **kwargs: Any
) -> None:
    if created:
        permission_change_record(
            action=PermissionLog.Action.GRANTED,
            user=instance.user,
            permission=instance.permission,
            target=instance.content_object,
        )


@receiver(post_delete, sender=UserObjectPermission, dispatch_uid="access-object-revoke")
def _object_revoked(sender: Any, instance: UserObjectPermission, **kwargs: Any) -> None:
    permission_change_record(
        action=PermissionLog.Action.REVOKED,
        user=instance.user,
        permission=instance.permission,
        target=instance.content_object,
    )


@receiver(m2m_changed, sender=Employee.user_permissions.through, dispatch_uid="access-direct-perms")
def _direct_changed(
    sender: Any, instance: Any, action: str, pk_set: set[Any] | None, model: Any, **kwargs: Any
) -> None:
    if (
        action not in ("post_add", "post_remove")
        or not pk_set
        or not isinstance(instance, Employee)
    ):
        return
    verdict = PermissionLog.Action.GRANTED if action == "post_add" else PermissionLog.Action.REVOKED
    for permission in model.objects.filter(pk__in=pk_set).select_related("content_type"):
        permission_change_record(action=verdict, user=instance, permission=permission)
