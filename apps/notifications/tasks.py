"""Beat task: warn people whose role assignment ends within a week (once each)."""

from celery import shared_task

from apps.notifications.services import role_expiry_warnings_send


@shared_task  # type: ignore[untyped-decorator]  # celery ships no types
def warn_expiring_roles() -> int:
    return role_expiry_warnings_send()
