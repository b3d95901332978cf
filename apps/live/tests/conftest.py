"""Sockets on ``/ws/live/`` through the project's real ASGI stack (origin check, auth, gate)."""

import contextlib
from collections.abc import AsyncIterator

import pytest
from channels.auth import AuthMiddlewareStack
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from apps.core import live
from apps.live.consumers import LiveConsumer
from tests.otp import code_for, device_for

PASSWORD = "pw-for-tests-1"
ORIGIN = (b"origin", b"http://testserver")


def headers(client: Client | None, origin: tuple[bytes, bytes] | None = ORIGIN) -> list:
    found = [origin] if origin else []
    if client is not None:
        cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        cookies[settings.SESSION_COOKIE_NAME] = client.session.session_key
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        found.append((b"cookie", cookie.encode()))
    return found


def signed_in(user, *, verified=True) -> Client:
    client = Client()
    client.force_login(user, verified=verified)
    return client


def signed_in_for_real(user) -> Client:
    """Through the sign-in pages, so the session has its mirror row, start and limits."""
    client = Client()
    client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    device = device_for(user, create=False)
    if device is not None:
        client.post("/admin/verify/", {"code": code_for(device)})
    return client


@contextlib.asynccontextmanager
async def socket(
    client: Client | None, consumer: type[LiveConsumer] | None = None, origin=ORIGIN
) -> AsyncIterator[WebsocketCommunicator]:
    """An accepted socket (the project's application, or ``consumer`` behind the auth stack)."""
    if consumer is None:
        from backoffice.asgi import application
    else:
        application = AuthMiddlewareStack(consumer.as_asgi())
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers(client, origin))
    connected, code = await communicator.connect(timeout=10)
    assert connected, f"refused with {code}"
    try:
        yield communicator
    finally:
        await communicator.disconnect()


async def refusal(client: Client | None, origin=ORIGIN) -> int | None:
    """The handshake's close code (None if it was accepted)."""
    from backoffice.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers(client, origin))
    connected, code = await communicator.connect(timeout=10)
    if connected:
        await communicator.disconnect()
        return None
    return code


async def send(communicator: WebsocketCommunicator, frame: dict) -> dict:
    await communicator.send_json_to(frame)
    return await communicator.receive_json_from(timeout=10)


async def subscribe(communicator: WebsocketCommunicator, topic: str, ref: int = 1) -> dict:
    return await send(communicator, {"type": "subscribe", "topic": topic, "ref": ref})


def channels_in_groups() -> dict[str, set[str]]:
    """In-memory layer: group -> channels still in it."""
    layer = get_channel_layer()
    return {name: set(members) for name, members in layer.groups.items() if members}


@pytest.fixture(autouse=True)
def _fresh_layer(settings):
    """Each test starts with an empty in-memory layer (no groups left by another test).

    The consumer's rules are tested on the in-memory layer on both stacks (they read its
    groups); the Redis layer is exercised by the cross-process browser test and the bench.
    """
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    layer.groups.clear()
    layer.channels.clear()


@pytest.fixture
def counting_kind(monkeypatch):
    """A ``probe`` topic kind that lets everyone in and counts how often it was asked."""
    asked: list[str | None] = []

    def may_join(user, key):
        asked.append(key)
        return True

    monkeypatch.setitem(live._KINDS, "probe", live.TopicKind("probe", may_join))
    return asked
