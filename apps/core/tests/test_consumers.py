import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from apps.core.consumers import MAX_MESSAGE_BYTES, PingConsumer

pytestmark = pytest.mark.django_db(transaction=True)


class _User:
    is_authenticated = True


def _session(user, steps):
    """Connect as ``user`` and run ``steps(communicator, connected, code)`` in one event loop."""

    async def run():
        communicator = WebsocketCommunicator(PingConsumer.as_asgi(), "/ws/ping/")
        communicator.scope["user"] = user
        connected, code = await communicator.connect()
        try:
            return await steps(communicator, connected, code)
        finally:
            await communicator.disconnect()

    return async_to_sync(run)()


def test_anonymous_connections_are_closed():
    async def steps(communicator, connected, code):
        return connected, code

    assert _session(AnonymousUser(), steps) == (False, 4401)


def test_ping_gets_pong():
    async def steps(communicator, connected, code):
        await communicator.send_json_to({"type": "ping"})
        return await communicator.receive_json_from()

    assert _session(_User(), steps) == {"type": "pong"}


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        json.dumps(["ping"]),
        json.dumps({"type": "drop tables"}),
        json.dumps({"type": "ping", "pad": "x" * MAX_MESSAGE_BYTES}),
        " ",
    ],
)
def test_malformed_or_oversized_messages_get_an_error_and_keep_the_socket(payload):
    async def steps(communicator, connected, code):
        await communicator.send_to(text_data=payload)
        error = await communicator.receive_json_from()
        await communicator.send_json_to({"type": "ping"})
        return error, await communicator.receive_json_from()

    error, after = _session(_User(), steps)
    assert error["type"] == "error"
    assert error["message"]
    assert after == {"type": "pong"}


def test_binary_frames_get_an_error():
    async def steps(communicator, connected, code):
        await communicator.send_to(bytes_data=b"\x00\x01")
        return await communicator.receive_json_from()

    assert _session(_User(), steps)["type"] == "error"
