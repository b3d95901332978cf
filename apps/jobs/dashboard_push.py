"""The Tasks page's live feed: a fresh snapshot to topic ``tasks`` when a job changes
state, at most about twice a second per process.

A burst of state changes (a hundred jobs queued at once) must not cost a hundred snapshot
queries and pushes: the first change is sent at once (after commit), later ones within
``INTERVAL`` are folded into one trailing send when the interval is over, so the last
state always arrives. The event carries ``"coalesce": "tasks"``, so the socket merges any
that still pile up.
"""

from typing import Any

from django.db import transaction

from apps.core import live

TOPIC = "tasks"
INTERVAL = 0.5  # seconds between two snapshots: at most ~2 a second


def _send_snapshot() -> None:
    from apps.jobs.dashboard import jobs_snapshot

    event: dict[str, Any] = jobs_snapshot()
    live.publish(TOPIC, event)


_throttle = live.Throttle(_send_snapshot, interval=INTERVAL)


def tasks_changed() -> None:
    """A job changed state: once the transaction commits, push the snapshot (throttled)."""
    transaction.on_commit(_throttle, robust=True)


def tasks_may_join(user: Any, key: str | None) -> bool:
    """The ``tasks`` topic: holders of the dashboard permission; no key."""
    from apps.jobs.dashboard import may_see

    return key is None and may_see(user)
