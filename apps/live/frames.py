"""The live socket's wire rules, apart from the socket: parsing, limits, coalescing.

Client frames are JSON text of at most ``MAX_FRAME_BYTES`` bytes, each checked against the
JSON Schema of its ``type`` (docs/live.md lists them). Pure functions and small classes
with an injectable clock, so the rules are tested without a socket or a sleep.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

MAX_FRAME_BYTES = 64 * 1024
# A topic is at most a 32-character kind, a colon and a 100-character key (core.live).
MAX_TOPIC_CHARS = 133
MAX_REF = 2**53 - 1  # what a JavaScript number holds exactly

_TOPIC = {"type": "string", "minLength": 1, "maxLength": MAX_TOPIC_CHARS}
_REF = {"type": "integer", "minimum": 0, "maximum": MAX_REF}


def _schema(type_: str, **properties: dict[str, Any]) -> Draft202012Validator:
    required = ["type", *(name for name in properties if name != "ref")]
    schema = {
        "type": "object",
        "properties": {"type": {"const": type_}, **properties},
        "required": required,
        "additionalProperties": False,
    }
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


SCHEMAS: dict[str, Draft202012Validator] = {
    "subscribe": _schema("subscribe", topic=_TOPIC, ref=_REF),
    "unsubscribe": _schema("unsubscribe", topic=_TOPIC),
    "ping": _schema("ping"),
}


class FrameError(Exception):
    """A client frame the server does not act on; ``str()`` is the translated message."""


def frame_parse(text_data: str | None, bytes_data: bytes | None = None) -> dict[str, Any]:
    """The client frame as a dict that passed its type's schema, or ``FrameError``."""
    if text_data is None:
        raise FrameError(_("Only text frames are accepted."))
    # surrogatepass: a lone surrogate is measured here, then refused by the parser below.
    if len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise FrameError(
            _("Message too large: at most %(limit)d bytes.") % {"limit": MAX_FRAME_BYTES}
        )
    try:
        text_data.encode("utf-8")
        content = json.loads(text_data)
    except (ValueError, RecursionError):  # RecursionError: 64 KB of "[" nests too deep
        raise FrameError(_("Message is not valid JSON.")) from None
    if not isinstance(content, dict):
        raise FrameError(_("A message is a JSON object with a type."))
    type_ = content.get("type")
    validator = SCHEMAS.get(type_) if isinstance(type_, str) else None
    if validator is None:
        raise FrameError(_("Unknown message type."))
    if not validator.is_valid(content):
        raise FrameError(_("Message does not match its type's schema (see docs/live.md)."))
    return content


@dataclass
class TokenBucket:
    """``rate`` messages a second on average, ``burst`` at once."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst
        self.updated = self.clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class Coalescer:
    """Newest pending event per (topic, key), released at most once per ``interval`` seconds.

    ``add`` keeps an event; ``wait(now)`` says how long until the pending events may go
    (0: now); ``take(now)`` hands them over in the order their keys first arrived.
    """

    interval: float = 0.1
    pending: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    last_flush: float = float("-inf")

    def add(self, topic: str, key: str, event: dict[str, Any]) -> None:
        self.pending[(topic, key)] = event

    def wait(self, now: float) -> float:
        return max(0.0, self.last_flush + self.interval - now)

    def take(self, now: float) -> list[tuple[str, dict[str, Any]]]:
        taken = [(topic, event) for (topic, _key), event in self.pending.items()]
        self.pending.clear()
        if taken:
            self.last_flush = now
        return taken
