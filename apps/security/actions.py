"""The actions security logs: unlocks, device resets, ended sessions, enrolments."""

from django.db import models

from apps.core.actions import ActionStore, action_log, action_store_register
from apps.org.models import Employee
from apps.security.models import SecurityAction


def security_action_store() -> ActionStore:
    """The security actions as an action store (declared once, in ``SecurityConfig.ready``)."""
    return action_store_register(
        model="security.SecurityAction",
        kind_field="kind",
        subject_field="user",
        reason_field="reason",
        target_field="target",
        choices=SecurityAction.Kind,
    )


def security_action_log(
    *, actor: Employee | None, kind: str, user: Employee | None, reason: str, target: str = ""
) -> models.Model:
    """Log a ``SecurityAction.Kind`` about ``user`` through the one action log."""
    return action_log(
        actor=actor,
        kind=security_action_store().kind(kind),
        subject=user,
        reason=reason,
        data={"target": target},
    )
