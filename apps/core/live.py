"""The one way the product pushes to browsers: ``publish(topic, event)`` after commit.

Topics are strings of the form ``kind`` or ``kind:key``:

- ``user:<pk>``        one person (their notifications, their jobs' ends);
- ``department:<pk>``  a department's subtree: ``publish_department`` sends an event about
                       a department to it and to every ancestor, so a subscriber to a
                       department hears everything under it;
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
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.org.models import Department, Employee

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


def topic_department(department: Department | Any) -> str:
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


def publish_department(department: Department, event: dict[str, Any]) -> None:
    """Send an event about ``department`` to its topic and every ancestor's topic."""
    chain = department.get_ancestors(include_self=True).values_list("pk", flat=True)
    publish_many([topic_department(pk) for pk in chain], event)


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
