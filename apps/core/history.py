"""Who is acting and why: the user and reason recorded on history rows.

Request paths pass both explicitly. Every service that writes history takes ``actor``
and ``reason`` keyword arguments and marks the instance it saves (``mark_change``:
simple-history reads ``_history_user`` and ``_change_reason``); admin ``save_model``
overrides, actions, views and forms hand the service ``request.user`` and the posted
reason. A service called to do something the trail names apart (a revert) is given the
``action`` too, and marks it the same way (``_history_action``, read by the audit app
with ``marked_action``). Nothing on a request path or inside a service sets a context
variable.

The context variables below are for the paths that have no request and no single
instance to mark:

- bulk paths (``bulk_create_with_history``, the demo seed, ``history_bulk_notify``):
  ``acting_as`` names the actor of rows written without a per-row save, ``recording``
  names what the changes are ("imported") for the audit trail;
- system paths (beat tasks, management commands): they pass the system account
  (``system_actor``) as ``actor``, and anything they write without one falls back to it.

One net remains on request paths, for writes made by code we do not call ourselves
(guardian's object-permission screen, Django's own password page, m2m form saves):
simple-history's ``HistoryRequestMiddleware`` request, read by ``current_actor``.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.dispatch import Signal
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:  # core never imports org at runtime
    from apps.org.models import Employee

_actor: ContextVar["Employee | None"] = ContextVar("backoffice_actor", default=None)
_action: ContextVar[str | None] = ContextVar("backoffice_history_action", default=None)

# The username the system account is created with: a label, never how it is found
# (``Employee.is_system`` is).
SYSTEM_USERNAME = "system"

# Sent by every path that writes history rows without simple-history's per-row signal
# (bulk inserts): ``sender`` is the historical model, ``rows`` a queryset of the new rows.
history_bulk_written = Signal()


@contextmanager
def acting_as(user: "Employee") -> Iterator[None]:
    """Record ``user`` as the actor of every history row written inside the block."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def recording(action: str) -> Iterator[None]:
    """Name what the changes inside the block are ("imported") in the audit trail.

    For bulk and system paths only: a service that saves an instance is given the
    action (``mark_change(action=...)``), which wins over this. Without either the trail
    tells the kind of change from the change itself.
    """
    token = _action.set(action)
    try:
        yield
    finally:
        _action.reset(token)


class _Records(HistoricalRecords):
    """simple-history, minus versions of saves that touch only untracked columns.

    Django saves ``last_login`` alone at every sign-in: with it excluded from history,
    each sign-in would add a version identical to the one before.
    """

    def post_save(
        self, instance: Model, created: bool, using: str | None = None, **kwargs: Any
    ) -> None:
        update_fields = kwargs.get("update_fields")
        if not created and update_fields:
            untracked = {*self.excluded_fields, "updated_at"}
            if set(update_fields) <= untracked:
                return
        super().post_save(instance, created, using=using, **kwargs)


def current_action() -> str | None:
    """The action set by ``recording``, if any."""
    return _action.get()


def system_actor() -> "Employee":
    """The system account (created on first use); it cannot sign in.

    Found by its flag, never by its username: a person renamed "system" is a person.
    """
    model = get_user_model()
    system = model._default_manager.filter(is_system=True).first()
    if system is not None:
        return system
    username = SYSTEM_USERNAME
    if model._default_manager.filter(username=username).exists():
        username = f"{SYSTEM_USERNAME}-{uuid.uuid4().hex[:8]}"  # someone took the name
    try:
        with transaction.atomic():
            return model._default_manager.create(
                username=username,
                first_name="Backoffice",
                last_name="System",
                employee_id="SYSTEM",
                is_active=False,
                is_system=True,
                password=make_password(None),
            )
    except IntegrityError:
        # Created meanwhile by a concurrent first use (one flagged account: a constraint).
        return model._default_manager.get(is_system=True)


def is_system_account(user: "Employee | None") -> bool:
    """Whether ``user`` is the system account (by its flag)."""
    return bool(getattr(user, "is_system", False))


def current_actor() -> "Employee | None":
    """Return the user set by ``acting_as``, else the request's user, else None."""
    actor = _actor.get()
    if actor is not None:
        return actor
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def history_user_getter(instance: Model | None = None, **kwargs: Any) -> "Employee":
    """simple-history ``get_user`` hook: explicit ``_history_user`` wins, then the context.

    With neither, the change is the system's: history never has a blank actor.
    """
    explicit = getattr(instance, "_history_user", None)
    if explicit is not None:
        return explicit
    return current_actor() or system_actor()


def history(**kwargs: Any) -> HistoricalRecords:
    """Build the HistoricalRecords every domain model uses, with our actor lookup."""
    kwargs.setdefault("get_user", history_user_getter)
    return _Records(**kwargs)


def history_bulk_notify(history_model: type[Model], rows: QuerySet) -> None:
    """Tell the audit trail about history rows a bulk path wrote (no per-row signal)."""
    history_bulk_written.send(sender=history_model, rows=rows)


def mark_change(
    instance: Model, *, actor: "Employee | None", reason: str = "", action: str | None = None
) -> None:
    """Attach the actor (when known), a change reason and the action to the next history
    row of ``instance``.

    Services call it with the ``actor``, ``reason`` and ``action`` their caller passed;
    with no actor (``None``), the row falls back to ``acting_as``, the request's user,
    then the system account (``history_user_getter``). With no action the trail names
    the change from what it did; the action is set (or cleared) at every mark, so an
    instance saved again does not carry an earlier one.
    """
    # simple-history reads these two attributes off any tracked instance; Model declares neither.
    if actor is not None:
        instance._history_user = actor  # type: ignore[attr-defined]
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]
    instance._history_action = action  # type: ignore[attr-defined]  # read by marked_action


def marked_action(instance: Model | None) -> str | None:
    """The action ``mark_change`` named for the next history row of ``instance``, if any."""
    action = getattr(instance, "_history_action", None)
    return action if isinstance(action, str) and action else None
