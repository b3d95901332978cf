"""Every history row becomes an audit entry, in the same transaction as the change."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from apps.audit import services
from apps.audit.chain import seal
from apps.core.history import history_bulk_written, marked_action


def seal_after_commit() -> None:
    # Where no beat runs (the embedded default), seal once the change is committed.
    if settings.AUDIT_SEAL_ON_COMMIT:
        transaction.on_commit(seal)


@receiver(post_create_historical_record, dispatch_uid="audit_entry_record")
def _record(sender: Any, history_instance: Any, instance: Any = None, **kwargs: Any) -> None:
    if not type(history_instance).instance_type.__module__.startswith("apps."):
        return
    # The saved instance carries what its service named the change (a revert).
    services.entry_record(history_instance, action=marked_action(instance))
    seal_after_commit()


@receiver(history_bulk_written, dispatch_uid="audit_entries_bulk")
def _record_bulk(sender: Any, rows: Any, **kwargs: Any) -> None:
    services.entries_for_bulk(sender, rows)
    seal_after_commit()
