"""Actions other apps log become audit entries, in the same transaction as their row.

A signal, not a history registration of the stores: simple-history would keep a second
copy of each row and the chain would cover the copy, while the permission log and
security actions lists show the row itself. Access and security never import audit.
"""

from typing import Any

from django.db.models import Model

from apps.audit import services
from apps.audit.signals import seal_after_commit
from apps.core.actions import ActionKind
from apps.core.signals import action_logged
from apps.org.models import Employee


def _action_recorded(
    sender: Any,
    row: Model,
    kind: ActionKind,
    actor: Employee | None,
    subject: Employee | None,
    reason: str,
    **kwargs: Any,
) -> None:
    services.entry_for_action(row=row, kind=kind, actor=actor, subject=subject, reason=reason)
    seal_after_commit()


def connect() -> None:
    action_logged.connect(_action_recorded, dispatch_uid="audit_entry_for_action")
