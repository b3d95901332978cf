"""The floor for bench/live.py: a bare Channels consumer that forwards its group's messages.

No sign-in gate, no topics, no frame rules: what Channels, the Redis layer and uvicorn cost
by themselves. Served as ``uvicorn bench.live_floor:application``.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
django_asgi_app = get_asgi_application()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

GROUP = "bench.floor"


class EchoGroupConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def live_event(self, message: dict) -> None:
        await self.send_json(
            {"type": "event", "topic": message["topic"], "event": message["event"]}
        )


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter([path("ws/live/", EchoGroupConsumer.as_asgi())]),
    }
)
