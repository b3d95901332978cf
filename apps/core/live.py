"""The one way the product pushes to browsers: ``publish(topic, event)`` after commit.

Topics are strings of the form ``kind`` or ``kind:key``:

- ``user:<pk>``        one person (their notifications, their jobs' ends);
- ``department:<pk>``  a department's subtree (its ancestors' topics are the publisher's to
                       add, through the org app's tree API);
- ``role:<name>``      the holders of a role (security officers' alerts); spaces in the
                       name become underscores (``role:Security_officer``);
- ``job:<pk>``         one background job's progress;
- ``global``           everyone signed in (announcements to all);
- further kinds an app registers (a dashboard's feed).

Who may join a topic is not decided here: each kind registers a ``may_join(user, key)``
(``topic_kind_register``, in the owning app's ``AppConfig.ready()``), and the live
consumer (``apps.live``) asks it. Core is the lowest layer, so any app can publish and
register without importing the layers above it.

Events are published when the surrounding transaction commits (``transaction.on_commit``;
at once outside a transaction), so nobody sees a change that was rolled back. A failure
to reach the channel layer is logged and swallowed: the write it reports stands.

A publisher of a changing state (a progress bar, a dashboard's figures) sends it through a
``Throttle``: the channel layer holds at most 100 messages per socket and drops the rest,
so a burst published as it happens would lose its last state on the way, whatever the
socket coalesces (docs/benchmarks.md, the live burst).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import close_old_connections, connections, transaction

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.org.models import Employee

log = logging.getLogger(__name__)

GLOBAL = "global"
# The message type consumers handle (``LiveConsumer.live_event``).
MESSAGE_TYPE = "live.event"
# A topic's shape: a kind, and an optional key of printable characters without spaces.
TOPIC_RE = re.compile(r"^[a-z][a-z_]{0,31}(?::[A-Za-z0-9_.@+\-]{1,100})?$")


class UnknownTopicKind(Exception):
    """A topic whose kind no app registered."""


class AlreadyRegistered(Exception):
    """A topic kind registered a second time."""


@dataclass(frozen=True)
class TopicKind:
    """A kind of topic and who may join one of its topics.

    ``may_join(user, key)`` gets the signed-in user and the part after the colon (None for
    a topic without one) and answers yes or no; it must not say why, so a refusal reads
    the same whether the topic's object exists or not.
    """

    name: str
    may_join: Callable[[Employee, str | None], bool]


_KINDS: dict[str, TopicKind] = {}


def topic_kind_register(name: str, may_join: Callable[[Employee, str | None], bool]) -> None:
    if name in _KINDS:
        raise AlreadyRegistered(name)
    _KINDS[name] = TopicKind(name=name, may_join=may_join)


def topic_kind(name: str) -> TopicKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownTopicKind(name) from None


def topic_kinds() -> list[str]:
    return sorted(_KINDS)


def topic_split(topic: str) -> tuple[str, str | None]:
    """``"job:42"`` -> ``("job", "42")``; ``"global"`` -> ``("global", None)``."""
    kind, _, key = topic.partition(":")
    return kind, (key or None)


def topic_valid(topic: object) -> bool:
    return isinstance(topic, str) and TOPIC_RE.match(topic) is not None


def may_join(user: Employee | AnonymousUser, topic: str) -> bool:
    """May this signed-in user hear ``topic``? False for malformed and unknown topics."""
    if not topic_valid(topic) or not user.is_authenticated:
        return False
    kind, key = topic_split(topic)
    registered = _KINDS.get(kind)
    if registered is None:
        return False
    try:
        return bool(registered.may_join(user, key))
    except (ValueError, TypeError, LookupError):
        # A key that is not a valid id for the kind ("job:abc"): as if it did not exist.
        return False


def topic_user(user: Employee | Any) -> str:
    return f"user:{getattr(user, 'pk', user)}"


def topic_department(department: Any) -> str:
    return f"department:{getattr(department, 'pk', department)}"


def role_key(name: str) -> str:
    """A role's name as a topic key: spaces become underscores ("Security officer")."""
    return name.replace(" ", "_")


def topic_role(name: str) -> str:
    return f"role:{role_key(name)}"


def topic_job(job: Any) -> str:
    return f"job:{getattr(job, 'pk', job)}"


def group_name(topic: str) -> str:
    """The Channels group of a topic: ASCII, under 100 characters, one per topic."""
    kind, _ = topic_split(topic)
    digest = hashlib.blake2s(topic.encode(), digest_size=12).hexdigest()
    return f"live.{kind}.{digest}"


def _send(topics: list[str], event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for topic in topics:
        try:
            async_to_sync(layer.group_send)(
                group_name(topic), {"type": MESSAGE_TYPE, "topic": topic, "event": event}
            )
        except Exception:  # noqa: BLE001 - a push that fails must not undo the write it reports
            log.warning("live: could not publish to %s", topic, exc_info=True)


def publish_many(topics: Iterable[str], event: dict[str, Any]) -> None:
    """Send ``event`` (JSON-serialisable) to every topic once the transaction commits."""
    topics = list(dict.fromkeys(topics))
    for topic in topics:
        if not topic_valid(topic):
            raise ValueError(f"not a topic: {topic!r}")
    transaction.on_commit(lambda: _send(topics, event))


def publish(topic: str, event: dict[str, Any]) -> None:
    """Send ``event`` to one topic once the transaction commits."""
    publish_many([topic], event)


# --- Closing open sockets ------------------------------------------------------------
# Every live socket also joins a group for its session and one for its user (not topics:
# nobody subscribes to them). Ending a session or deactivating an account closes the
# sockets it still holds, with the code the sign-in gate would refuse them with.

CLOSE_MESSAGE_TYPE = "live.close"
CLOSE_SESSION_ENDED = 4401  # as apps.security.ws_gate.CLOSE_NOT_SIGNED_IN
CLOSE_DEACTIVATED = 4410  # as apps.security.ws_gate.CLOSE_DEACTIVATED


def session_group(session_key: str) -> str:
    """The group of the sockets opened with one session (the key itself never leaves)."""
    digest = hashlib.blake2s(f"session:{session_key}".encode(), digest_size=12).hexdigest()
    return f"live-close.session.{digest}"


def user_group(user: Employee | Any) -> str:
    """The group of every socket one person holds."""
    digest = hashlib.blake2s(f"user:{getattr(user, 'pk', user)}".encode(), digest_size=12)
    return f"live-close.user.{digest.hexdigest()}"


def _close(groups: list[str], code: int) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, {"type": CLOSE_MESSAGE_TYPE, "code": code})
        except Exception:  # noqa: BLE001 - the session ended all the same; the gate refuses it
            log.warning("live: could not close the sockets of %s", group, exc_info=True)


def sockets_close(
    *,
    session_keys: Iterable[str | None] = (),
    users: Iterable[Employee | Any] = (),
    code: int = CLOSE_SESSION_ENDED,
) -> None:
    """Close the open sockets of these sessions and people once the transaction commits."""
    groups = [session_group(key) for key in session_keys if key]
    groups += [user_group(user) for user in users]
    if groups:
        transaction.on_commit(lambda: _close(list(dict.fromkeys(groups)), code))


# --- Publishing from other threads, throttled ------------------------------------------


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The ASGI server's event loop, when called in a request's thread (else None).

    A sync view runs in a thread asgiref started from the server's loop, and notes that
    loop in a thread-local. A thread this one starts notes it too (``loop_adopt``), so what
    it publishes through ``async_to_sync`` is sent from the server's loop, where the
    in-memory channel layer's consumers wait, not from a new loop of its own, whose puts
    would not wake them.
    """
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(
        SyncToAsync.threadlocal, "main_event_loop", None
    )
    return loop


def loop_adopt(loop: asyncio.AbstractEventLoop | None) -> None:
    """Note the server's loop in this thread, as asgiref notes it in a sync view's."""
    if loop is not None and not loop.is_closed():
        SyncToAsync.threadlocal.main_event_loop = loop
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()


def call_later(delay: float, fn: Callable[[], None]) -> None:
    """Run ``fn`` in a thread after ``delay`` seconds, publishing as this thread would."""
    loop = server_loop()

    def run() -> None:
        loop_adopt(loop)
        close_old_connections()
        try:
            fn()
        except Exception:  # noqa: BLE001 - a missed push must not kill the thread quietly
            log.exception("live: a deferred publish failed")
        finally:
            connections.close_all()  # this thread's own, or one stays open per call

    timer = threading.Timer(delay, run)
    timer.daemon = True
    timer.start()


class Throttle:
    """Call ``send`` at most once per ``interval``; a call inside it is deferred, not lost.

    The first call sends at once; calls within the interval after a send fold into one
    trailing send at the interval's end, so the last state always leaves. ``send`` reads
    the state when it runs (a snapshot, the newest event), not when it was asked for.
    ``clock`` (monotonic seconds) and ``later(delay, fn)`` are a test's to replace.
    """

    def __init__(
        self,
        send: Callable[[], None],
        *,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        later: Callable[[float, Callable[[], None]], None] = call_later,
    ) -> None:
        self.send, self.interval, self.clock, self.later = send, interval, clock, later
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
