"""A WebSocket probe: proves the ASGI WebSocket path (proxy, routing, auth) end to end."""

import json

from channels.generic.websocket import JsonWebsocketConsumer
from django.utils.translation import gettext as _

MAX_MESSAGE_BYTES = 4096


class PingConsumer(JsonWebsocketConsumer):
    """Answer {"type": "pong"} to {"type": "ping"}; refuse anonymous users and junk."""

    def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            self.close(code=4401)
            return
        self.accept()

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data.encode()) > MAX_MESSAGE_BYTES:
            self.send_json({"type": "error", "message": _("Message too large or not text.")})
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            self.send_json({"type": "error", "message": _("Message is not valid JSON.")})
            return
        self.receive_json(content)

    def receive_json(self, content: object, **kwargs: object) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            self.send_json({"type": "pong"})
        else:
            self.send_json({"type": "error", "message": _("Unknown message type.")})
