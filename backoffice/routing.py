"""WebSocket routes; each app adds its consumers here."""

from django.urls import path

from apps.live.consumers import LiveConsumer
from apps.security.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/live/", LiveConsumer.as_asgi()),
]
