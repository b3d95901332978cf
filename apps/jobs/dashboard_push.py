"""The Tasks page's live feed: a fresh snapshot to topic ``tasks`` when a job changes
state, at most about twice a second per process.

A burst of state changes (a hundred jobs queued at once) must not cost a hundred snapshot
queries and pushes: the first change is sent at once (after commit), later ones within
``INTERVAL`` are folded into one trailing send when the interval is over, so the last
state always arrives. The event carries ``"coalesce": "tasks"``, so the socket merges any
that still pile up.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connections, transaction

from apps.core import live

log = logging.getLogger(__name__)

TOPIC = "tasks"
INTERVAL = 0.5  # seconds between two snapshots: at most ~2 a second


class Throttle:
    """Call ``send`` at most once per ``interval``; a call inside it is deferred, not lost.

    ``clock`` (monotonic seconds) and ``later(delay, fn)`` are the test's to replace.
    """

    def __init__(
        self,
        send: Callable[[], None],
        *,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        later: Callable[[float, Callable[[], None]], None] | None = None,
    ) -> None:
        self.send, self.interval, self.clock = send, interval, clock
        self.later = later or _timer
        self.last: float | None = None
        self.pending = False
        self.lock = threading.Lock()

    def __call__(self) -> None:
        with self.lock:
            now = self.clock()
            if self.pending:
                return  # the trailing send will carry this change too
            if self.last is None or now - self.last >= self.interval:
                self.last = now
                fire = True
            else:
                self.pending = True
                fire = False
                delay = self.interval - (now - self.last)
        if fire:
            self.send()
        else:
            self.later(delay, self._trailing)

    def _trailing(self) -> None:
        with self.lock:
            self.pending = False
            self.last = self.clock()
        self.send()


def _timer(delay: float, fn: Callable[[], None]) -> None:
    from apps.jobs import runners

    loop = runners._server_loop()

    def run() -> None:
        runners._adopt(loop)  # the in-memory layer's consumers wait on the server's loop
        close_old_connections()
        try:
            fn()
        except Exception:  # noqa: BLE001 - a missed snapshot must not kill the thread quietly
            log.exception("tasks page: the deferred snapshot failed")
        finally:
            connections.close_all()

    timer = threading.Timer(delay, run)
    timer.daemon = True
    timer.start()


def _send_snapshot() -> None:
    from apps.jobs.dashboard import jobs_snapshot

    event: dict[str, Any] = jobs_snapshot()
    live.publish(TOPIC, event)


_throttle = Throttle(_send_snapshot)


def tasks_changed() -> None:
    """A job changed state: once the transaction commits, push the snapshot (throttled)."""
    transaction.on_commit(_throttle, robust=True)


def tasks_may_join(user: Any, key: str | None) -> bool:
    """The ``tasks`` topic: holders of the dashboard permission; no key."""
    from apps.jobs.dashboard import may_see

    return key is None and may_see(user)
