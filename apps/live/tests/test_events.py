"""Events reach subscribers after commit, never after a rollback; coalesced bursts."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from apps.core import live
from apps.live import frames
from apps.live.tests.conftest import signed_in, socket, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def _publish(topic, event, *, commit=True):
    try:
        with transaction.atomic():
            live.publish(topic, event)
            if not commit:
                raise Rollback
    except Rollback:
        pass


def test_an_event_arrives_after_commit_and_a_rolled_back_one_never(make_user):
    hr = make_user("hr")
    client = signed_in(hr)
    topic = live.topic_user(hr)

    async def run():
        async with socket(client) as ws:
            await subscribe(ws, topic)
            await database_sync_to_async(_publish)(topic, {"kind": "test", "n": 1}, commit=False)
            await database_sync_to_async(_publish)(topic, {"kind": "test", "n": 2})
            return await ws.receive_json_from(timeout=10)

    assert async_to_sync(run)() == {
        "type": "event",
        "topic": topic,
        "event": {"kind": "test", "n": 2},
    }


def test_nothing_arrives_while_the_transaction_is_open(make_user):
    hr = make_user("hr")
    client = signed_in(hr)
    topic = live.topic_user(hr)

    async def run():
        async with socket(client) as ws:
            await subscribe(ws, topic)

            def publish_and_look():
                with transaction.atomic():
                    live.publish(topic, {"kind": "test"})
                    return async_to_sync(ws.receive_nothing)(timeout=0.2)

            silent = await database_sync_to_async(publish_and_look)()
            return silent, await ws.receive_json_from(timeout=10)

    silent, frame = async_to_sync(run)()
    assert silent
    assert frame["event"] == {"kind": "test"}


def test_events_of_other_topics_and_unsubscribed_ones_do_not_arrive(make_user):
    hr, other = make_user("hr"), make_user("staff")
    client = signed_in(hr)

    async def run():
        async with socket(client) as ws:
            await subscribe(ws, live.GLOBAL)
            await subscribe(ws, live.topic_user(hr))
            await ws.send_json_to({"type": "unsubscribe", "topic": live.GLOBAL})
            await ws.send_json_to({"type": "ping"})
            assert await ws.receive_json_from(timeout=10) == {"type": "pong"}
            await database_sync_to_async(_publish)(live.GLOBAL, {"kind": "a"})
            await database_sync_to_async(_publish)(live.topic_user(other), {"kind": "b"})
            await database_sync_to_async(_publish)(live.topic_user(hr), {"kind": "c"})
            return await ws.receive_json_from(timeout=10)

    assert async_to_sync(run)()["event"] == {"kind": "c"}


def test_a_burst_of_coalesced_events_arrives_as_few_frames_ending_with_the_last(
    make_user, monkeypatch
):
    # Room for the whole burst: the in-memory layer drops what overflows a socket's queue
    # (100 by default) when the sender never yields long enough for the socket to read.
    monkeypatch.setattr(get_channel_layer(), "capacity", 2000)
    hr = make_user("hr")
    client = signed_in(hr)
    topic = live.topic_user(hr)

    async def run():
        async with socket(client) as ws:
            await subscribe(ws, topic)
            layer = get_channel_layer()
            for done in range(1, 1001):
                event = {"kind": "job", "done": done, "total": 1000, "coalesce": "job:1"}
                await layer.group_send(
                    live.group_name(topic),
                    {"type": live.MESSAGE_TYPE, "topic": topic, "event": event},
                )
                await asyncio.sleep(0)  # as separate publishes would: the socket reads along
            received = []
            while not received or received[-1]["event"]["done"] != 1000:
                received.append(await ws.receive_json_from(timeout=10))
            assert await ws.receive_nothing(timeout=0.3)
            return received

    received = async_to_sync(run)()
    done = [frame["event"]["done"] for frame in received]
    assert len(done) < 100
    assert done == sorted(done)
    assert done[-1] == 1000


def test_the_coalescer_releases_at_most_ten_times_a_second_and_keeps_the_newest():
    coalescer = frames.Coalescer(interval=0.1)
    released = []
    for ms in range(1000):  # one event a millisecond for one second
        now = ms / 1000
        coalescer.add("job:1", "job:1", {"done": ms + 1})
        if coalescer.wait(now) == 0:
            released.append((now, coalescer.take(now)))
    if coalescer.pending:  # the flush the socket has scheduled for the rest
        last = coalescer.last_flush + coalescer.interval
        released.append((last, coalescer.take(last)))
    assert len(released) <= 11
    gaps = [
        later - earlier for (earlier, _), (later, _) in zip(released, released[1:], strict=False)
    ]
    assert min(gaps) >= 0.1 - 1e-9
    assert released[-1][1] == [("job:1", {"done": 1000})]


def test_coalescing_keeps_one_event_per_topic_and_key():
    coalescer = frames.Coalescer()
    coalescer.add("job:1", "a", {"n": 1})
    coalescer.add("job:2", "a", {"n": 2})
    coalescer.add("job:1", "a", {"n": 3})
    coalescer.add("job:1", "b", {"n": 4})
    assert coalescer.take(0) == [("job:1", {"n": 3}), ("job:2", {"n": 2}), ("job:1", {"n": 4})]
    assert coalescer.take(1) == []
