"""The actions security logs: unlocks, device resets, ended sessions, enrolments."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

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


def account_scope_check(*, actor: Employee, perm: str, user: Employee) -> None:
    """Refuse (ValidationError) an officer's action on someone outside the scope in which
    they hold ``perm``: the rank check alone would let a scoped holder reach anyone below
    them. Every path (list action, record action, officer pages) goes through the service,
    so the rule is checked here once."""
    if not actor.has_perm(perm, user):
        raise ValidationError(
            _("%(person)s is outside the people you may do this for.")
            % {"person": user.get_full_name() or user.get_username()}
        )
