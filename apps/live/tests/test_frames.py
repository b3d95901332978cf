"""Client frames: text JSON under 64 KB matching its type's schema; the rate limit; heartbeat."""

import json

import pytest
from asgiref.sync import async_to_sync

from apps.live import frames
from apps.live.consumers import LiveConsumer
from apps.live.tests.conftest import send, signed_in, socket

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = frames.MAX_FRAME_BYTES


@pytest.fixture
def client(make_user):
    return signed_in(make_user("hr"))


def _error_then_ping(client, *, text=None, data=None, consumer=None):
    async def run():
        async with socket(client, consumer) as ws:
            await ws.send_to(text_data=text, bytes_data=data)
            error = await ws.receive_json_from(timeout=10)
            return error, await send(ws, {"type": "ping"})

    return async_to_sync(run)()


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        " ",
        "null",
        "42",
        json.dumps(["subscribe"]),
        "[" * (LIMIT - 1),  # nested past the parser's recursion limit
        '{"a":' * 5000 + "1" + "}" * 5000,  # deep, but parses: the schema refuses it
        "\ud800",
        '{"type": "ping", "x": "\ud800"}',
        json.dumps({"type": "ping", "pad": "x" * LIMIT}),  # over 64 KB
        json.dumps({"type": "ping", "pad": "界" * (LIMIT // 3)}),  # under 64 K characters
        json.dumps({"type": "drop tables"}),
        json.dumps({"type": None}),
        json.dumps({"topic": "global"}),
        json.dumps({"type": "subscribe"}),
        json.dumps({"type": "subscribe", "topic": 1}),
        json.dumps({"type": "subscribe", "topic": ["global"]}),
        json.dumps({"type": "subscribe", "topic": ""}),
        json.dumps({"type": "subscribe", "topic": "global", "ref": -1}),
        json.dumps({"type": "subscribe", "topic": "global", "ref": "1"}),
        json.dumps({"type": "subscribe", "topic": "global", "ref": True}),
        json.dumps({"type": "subscribe", "topic": "global", "ref": 2**60}),
        json.dumps({"type": "subscribe", "topic": "global", "extra": 1}),
        json.dumps({"type": "unsubscribe"}),
        json.dumps({"type": "ping", "topic": "global"}),
    ],
)
def test_junk_gets_an_error_and_keeps_the_socket(client, payload):
    error, after = _error_then_ping(client, text=payload)
    assert error["type"] == "error"
    assert set(error) == {"type", "message"}
    assert error["message"]
    assert after == {"type": "pong"}


def test_binary_frames_get_an_error(client):
    error, after = _error_then_ping(client, data=b"\x00\x01")
    assert error == {"type": "error", "message": "Only text frames are accepted."}
    assert after == {"type": "pong"}


def test_the_size_is_measured_in_bytes():
    just = json.dumps({"type": "ping", "p": ""})
    fits = json.dumps({"type": "ping", "p": "é" * ((LIMIT - len(just)) // 2)}, ensure_ascii=False)
    assert len(fits.encode()) <= LIMIT
    with pytest.raises(frames.FrameError, match="schema"):
        frames.frame_parse(fits)  # not too large: refused for its extra member
    with pytest.raises(frames.FrameError, match="too large"):
        frames.frame_parse(fits + "é" * 2)


def test_unknown_types_are_named_as_such(client):
    error, _pong = _error_then_ping(client, text=json.dumps({"type": "shutdown"}))
    assert error == {"type": "error", "message": "Unknown message type."}


def test_errors_speak_the_readers_language(make_user):
    client = signed_in(make_user("hr"))
    client.cookies["django_language"] = "zh-hans"

    async def run():
        async with socket(client) as ws:
            return await send(ws, {"type": "shutdown"})

    assert async_to_sync(run)()["message"] == "未知的消息类型。"


class Clocked(LiveConsumer):
    """The default limits on a clock the test moves."""

    now = 0.0
    clock = staticmethod(lambda: Clocked.now)


def test_the_rate_limit_answers_an_error_then_refills():
    now = 0.0
    bucket = frames.TokenBucket(rate=20, burst=40, clock=lambda: now)
    assert all(bucket.take() for _ in range(40))
    assert not bucket.take()
    now = 0.5
    assert sum(bucket.take() for _ in range(40)) == 10


def test_over_the_rate_a_message_gets_an_error_and_later_ones_go_through(client):
    Clocked.now = 0.0

    async def run():
        async with socket(client, Clocked) as ws:
            answers = [await send(ws, {"type": "ping"}) for _ in range(41)]
            Clocked.now = 1.0  # 20 tokens back
            answers += [await send(ws, {"type": "ping"}) for _ in range(20)]
            return answers

    answers = async_to_sync(run)()
    assert answers[:40] == [{"type": "pong"}] * 40
    assert answers[40]["type"] == "error"
    assert "Too many" in answers[40]["message"]
    assert answers[41:] == [{"type": "pong"}] * 20


def test_sustained_abuse_closes_the_socket_with_4429(client):
    Clocked.now = 0.0

    async def run():
        async with socket(client, Clocked) as ws:
            for _ in range(200):
                await ws.send_json_to({"type": "ping"})
            kinds = []
            while True:
                output = await ws.receive_output(timeout=10)
                if output["type"] == "websocket.close":
                    return kinds, output["code"]
                kinds.append(json.loads(output["text"])["type"])

    kinds, code = async_to_sync(run)()
    assert code == 4429
    assert kinds == ["pong"] * 40 + ["error"] * 39


class Beating(LiveConsumer):
    heartbeat_seconds = 0.01


def test_the_server_sends_heartbeats(client):
    async def run():
        async with socket(client, Beating) as ws:
            return [await ws.receive_json_from(timeout=10) for _ in range(2)]

    assert async_to_sync(run)() == [{"type": "heartbeat"}] * 2
