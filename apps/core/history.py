"""Who is acting: the user recorded on history rows for every kind of change.

Admin requests are covered by simple-history's middleware. Services mark the
instance they save with the actor they were given, and commands and Celery
jobs wrap their work in ``acting_as(user)`` so bulk writes and anything without
a request still name who did it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Model
from simple_history.models import HistoricalRecords

_actor: ContextVar[Any] = ContextVar("backoffice_actor", default=None)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Record ``user`` as the actor of every history row written inside the block."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Any:
    """Return the user set by ``acting_as``, else the request's user, else None."""
    actor = _actor.get()
    if actor is not None:
        return actor
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def history_user_getter(instance: Model | None = None, **kwargs: Any) -> Any:
    """simple-history ``get_user`` hook: explicit ``_history_user`` wins, then the context."""
    explicit = getattr(instance, "_history_user", None)
    if explicit is not None:
        return explicit
    return current_actor()


def history(**kwargs: Any) -> HistoricalRecords:
    """Build the HistoricalRecords every domain model uses, with our actor lookup."""
    kwargs.setdefault("get_user", history_user_getter)
    return HistoricalRecords(**kwargs)


def mark_change(instance: Model, *, actor: Any, reason: str = "") -> None:
    """Attach the actor (when known) and a change reason to the next history row of ``instance``.

    With no actor given, the row falls back to ``acting_as`` or the request's user.
    """
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason
