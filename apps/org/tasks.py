"""Scheduled jobs for the org app; each calls one service and is safe to run twice."""

from celery import shared_task
from django.utils import timezone

from apps.org.services import employee_system_account
from apps.org.transfers import transfers_apply_due


@shared_task
def apply_due_transfers() -> int:
    """Apply the transfers due today (Celery beat runs this daily); return how many."""
    return transfers_apply_due(today=timezone.localdate(), actor=employee_system_account())
