"""``/ws/live/``: one socket per page, many topics (docs/live.md has the wire protocol).

The sign-in gate runs first (``AsyncGatedJsonWebsocketConsumer``). Each join is decided by
``apps.core.live.may_join`` (the owning app's rule); a refusal reads the same for an unknown,
malformed, nonexistent or forbidden topic. The socket also joins its session's and its
user's close groups, so ending the session or deactivating the account closes it.
"""

import asyncio
import contextlib
import time
from typing import Any, ClassVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from apps.core import live
from apps.live import frames
from apps.security import ws_gate
from apps.security.consumers import AsyncGatedJsonWebsocketConsumer

CLOSE_TOO_MANY_MESSAGES = 4429


def _language(scope: dict[str, Any]) -> str:
    """The reader's language for error messages: their language cookie, else the site's."""
    code = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        with contextlib.suppress(LookupError):
            return translation.get_supported_language_variant(code)
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            for accepted, _q in parse_accept_lang_header(value.decode("latin-1")):
                with contextlib.suppress(LookupError):
                    return translation.get_supported_language_variant(accepted)
    return settings.LANGUAGE_CODE


class LiveConsumer(AsyncGatedJsonWebsocketConsumer):
    """Subscriptions to topics, events pushed as they are published."""

    # Class attributes, so a test can tune them on a subclass.
    max_subscriptions: ClassVar[int] = 100
    rate: ClassVar[float] = 20.0  # messages a second, on average
    burst: ClassVar[float] = 40.0
    heartbeat_seconds: ClassVar[float] = 25.0
    recheck_seconds: ClassVar[float] = 60.0  # the gate asked again, at a heartbeat
    flush_interval: ClassVar[float] = 0.1  # coalesced events: at most 10 pushes a second

    @staticmethod
    def clock() -> float:
        """Seconds on a monotonic clock (a test moves its own)."""
        return time.monotonic()

    async def connected(self) -> None:
        self.language = _language(self.scope)
        self.topics: dict[str, str] = {}  # topic -> its group
        self.close_groups = [live.user_group(self.scope["user"])]
        session_key = getattr(self.scope.get("session"), "session_key", None)
        if session_key:
            self.close_groups.append(live.session_group(session_key))
        for group in self.close_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.bucket = frames.TokenBucket(rate=self.rate, burst=self.burst, clock=self.clock)
        self.strikes = 0  # messages refused in a row by the rate limit
        self.coalescer = frames.Coalescer(interval=self.flush_interval)
        self.flush_task: asyncio.Task[None] | None = None
        self.heartbeat_task = asyncio.create_task(self._heartbeat())

    async def disconnect(self, code: int) -> None:
        for task in (getattr(self, "heartbeat_task", None), getattr(self, "flush_task", None)):
            if task is not None:
                task.cancel()
        groups = [*getattr(self, "close_groups", ()), *getattr(self, "topics", {}).values()]
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.topics = {}

    # --- client frames --------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.bucket.take():
            self.strikes += 1
            if self.strikes >= self.burst:  # kept on sending through the errors
                await self.close(code=CLOSE_TOO_MANY_MESSAGES)
                return
            await self._error(_("Too many messages: slow down."))
            return
        self.strikes = 0
        try:
            with translation.override(self.language):
                content = frames.frame_parse(text_data, bytes_data)
        except frames.FrameError as error:
            await self.send_json({"type": "error", "message": str(error)})
            return
        handler = getattr(self, f"_on_{content['type']}")
        await handler(content)

    async def _on_ping(self, content: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    async def _on_subscribe(self, content: dict[str, Any]) -> None:
        topic: str = content["topic"]
        ref = {"ref": content["ref"]} if "ref" in content else {}
        if topic in self.topics:
            await self.send_json({"type": "subscribed", "topic": topic, **ref})
            return
        if len(self.topics) >= self.max_subscriptions:
            await self.send_json({"type": "refused", "topic": topic, **ref})
            await self._error(
                _("At most %(limit)d subscriptions per connection.")
                % {"limit": self.max_subscriptions}
            )
            return
        if not await database_sync_to_async(live.may_join)(self.scope["user"], topic):
            await self.send_json({"type": "refused", "topic": topic, **ref})
            return
        group = live.group_name(topic)
        await self.channel_layer.group_add(group, self.channel_name)
        self.topics[topic] = group
        await self.send_json({"type": "subscribed", "topic": topic, **ref})

    async def _on_unsubscribe(self, content: dict[str, Any]) -> None:
        group = self.topics.pop(content["topic"], None)
        if group is not None:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _error(self, message: str) -> None:
        with translation.override(self.language):
            await self.send_json({"type": "error", "message": str(message)})

    # --- channel-layer messages -------------------------------------------------------

    async def live_event(self, message: dict[str, Any]) -> None:
        """A published event (``apps.core.live.publish``)."""
        topic, event = message["topic"], message["event"]
        if topic not in self.topics:
            return  # unsubscribed while it was on its way
        key = event.get("coalesce") if isinstance(event, dict) else None
        if not isinstance(key, str):
            await self.send_json({"type": "event", "topic": topic, "event": event})
            return
        self.coalescer.add(topic, key, event)
        if self.flush_task is None:
            wait = self.coalescer.wait(self.clock())
            if wait == 0:
                await self._flush()
            else:
                self.flush_task = asyncio.create_task(self._flush_after(wait))

    async def _flush_after(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self.flush_task = None
        with contextlib.suppress(OSError):  # the client left meanwhile
            await self._flush()

    async def _flush(self) -> None:
        for topic, event in self.coalescer.take(self.clock()):
            if topic in self.topics:
                await self.send_json({"type": "event", "topic": topic, "event": event})

    async def live_close(self, message: dict[str, Any]) -> None:
        """Its session ended or its account was deactivated (``apps.core.live.sockets_close``)."""
        await self.close(code=message["code"])

    async def _heartbeat(self) -> None:
        """A heartbeat every ``heartbeat_seconds``; at the first one ``recheck_seconds``
        after the last check, the sign-in gate again: a socket it would refuse now closes.
        """
        checked = self.clock()
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            if self.clock() - checked >= self.recheck_seconds:
                checked = self.clock()
                code = await ws_gate.arecheck(self.scope)
                if code is not None:
                    await self.close(code=code)
                    return
            try:
                await self.send_json({"type": "heartbeat"})
            except OSError:  # the client left; its disconnect is on its way and ends this
                return
