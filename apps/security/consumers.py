"""WebSocket consumers: the sign-in gate every socket goes through, and the ping probe.

They live with the gate they apply: security sits above core, org and access, and the
apps to come, above security, subclass them. Every consumer subclasses
``GatedJsonWebsocketConsumer`` (or its async twin): they apply the HTTP gate
(``apps.security.ws_gate``) before anything else and close with its code (4401 not signed
in, 4403 code step not passed, 4410 deactivated).
"""

import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer, JsonWebsocketConsumer
from django.utils.translation import gettext as _

from apps.security import ws_gate

MAX_MESSAGE_BYTES = 4096


class GatedJsonWebsocketConsumer(JsonWebsocketConsumer):
    """A JSON socket for fully signed-in people only; override ``connected`` to start."""

    def connect(self) -> None:
        code = ws_gate.refusal(self.scope)
        if code is not None:
            self.close(code=code)  # before accepting: the handshake is refused
            return
        self.accept()
        self.connected()

    def connected(self) -> None:
        """Called once the gate let the socket in."""


class AsyncGatedJsonWebsocketConsumer(AsyncJsonWebsocketConsumer):
    """``GatedJsonWebsocketConsumer`` for async consumers."""

    async def connect(self) -> None:
        code = await ws_gate.arefusal(self.scope)
        if code is not None:
            await self.close(code=code)
            return
        await self.accept()
        await self.connected()

    async def connected(self) -> None:
        """Called once the gate let the socket in."""


class PingConsumer(GatedJsonWebsocketConsumer):
    """Answer {"type": "pong"} to {"type": "ping"}; refuse those the gate refuses, and junk."""

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # surrogatepass: a lone surrogate is measured, then refused by the parser.
        if text_data is None or len(text_data.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
            self.send_json({"type": "error", "message": _("Message too large or not text.")})
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # 4 KB of "[" nests too deep for the parser
            self.send_json({"type": "error", "message": _("Message is not valid JSON.")})
            return
        self.receive_json(content)

    def receive_json(self, content: object, **kwargs: object) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            self.send_json({"type": "pong"})
        else:
            self.send_json({"type": "error", "message": _("Unknown message type.")})
