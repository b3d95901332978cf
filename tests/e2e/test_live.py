"""The header's live indicator, an event reaching a page's subscription, and a socket an
officer's ending of the session closes."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from apps.core import live
from apps.security import sessions
from tests.e2e.pages import in_chinese

pytestmark = pytest.mark.browser

SUBSCRIBE = """topic => new Promise(resolve => {
    window.liveEvents = [];
    window.BackofficeLive.subscribe(topic, event => window.liveEvents.push(event), {
        subscribed: resolve,
    });
})"""


@pytest.fixture
def on_the_servers_loop(monkeypatch):
    """Publish on the live server's event loop: its in-memory channel layer (one process,
    as in the embedded default) wakes sockets only from their own loop."""
    from channels.layers import get_channel_layer

    def runner(coroutine_function):
        def call(*args, **kwargs):
            layer = get_channel_layer()
            if hasattr(layer, "channels"):  # in-memory: the server's own loop
                queues = layer.channels.values()
                loop = next(q._loop for q in queues if getattr(q, "_loop", None) is not None)
                coroutine = coroutine_function(*args, **kwargs)
                return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=10)
            # Redis reaches every process from any loop: a thread of its own, since this one
            # runs Playwright's loop.
            with ThreadPoolExecutor(max_workers=1) as pool:
                return pool.submit(asyncio.run, coroutine_function(*args, **kwargs)).result(10)

        return call

    monkeypatch.setattr(live, "async_to_sync", runner)


def test_a_signed_in_person_sees_live_and_hears_their_events(
    page: Page, shot, log_in, make_user, on_the_servers_loop
):
    hr = make_user("hr")
    log_in(page, "hr")
    indicator = page.get_by_test_id("live-status")
    expect(indicator).to_have_text("Live")
    expect(indicator).to_have_attribute("data-state", "live")
    shot("01-live")

    topic = live.topic_user(hr)
    assert page.evaluate(SUBSCRIBE, topic) == topic  # the server confirmed the join
    with transaction.atomic():
        live.publish(topic, {"kind": "notification", "text": "hello"})
    page.wait_for_function("() => window.liveEvents.length > 0")
    assert page.evaluate("window.liveEvents") == [{"kind": "notification", "text": "hello"}]


def test_the_indicator_speaks_chinese(page: Page, shot, log_in, make_user):
    make_user("hr")
    log_in(page, "hr")
    in_chinese(page)
    page.reload()
    expect(page.get_by_test_id("live-status")).to_have_text("实时")
    shot("01-live-zh")


def test_ending_the_session_closes_the_socket_and_the_indicator_says_so(
    page: Page, shot, log_in, make_user, on_the_servers_loop
):
    officer, staff = make_user("security"), make_user("staff")
    log_in(page, "staff")
    indicator = page.get_by_test_id("live-status")
    expect(indicator).to_have_attribute("data-state", "live")
    sessions.sessions_end_for(actor=officer, user=staff, reason="lost phone")
    expect(indicator).to_have_attribute("data-state", "refused")
    expect(indicator).to_have_text("Not live: reload the page")
    shot("01-refused")


def test_signed_out_pages_have_no_indicator(page: Page):
    page.goto("/admin/login/")
    expect(page.get_by_test_id("live-status")).to_have_count(0)
    assert page.evaluate("typeof window.BackofficeLive") == "object"


RECORD = """topic => new Promise(resolve => {
    window.liveLog = [];
    window.BackofficeLive.onStatus(status => window.liveLog.push(status));
    window.BackofficeLive.subscribe(topic, event => window.liveLog.push(event.kind), {
        resume: () => window.liveLog.push("resume"),
        subscribed: resolve,
    });
})"""


def test_a_dropped_socket_reconnects_resubscribes_and_calls_resume(
    page: Page, shot, log_in, make_user, on_the_servers_loop
):
    hr = make_user("hr")
    log_in(page, "hr")
    topic = live.topic_user(hr)
    page.evaluate(RECORD, topic)
    live.sockets_close(users=[hr], code=4000)  # not a final code: the client comes back
    indicator = page.get_by_test_id("live-status")
    page.wait_for_function("() => window.liveLog.includes('resume')")
    expect(indicator).to_have_text("Live")
    with transaction.atomic():
        live.publish(topic, {"kind": "after"})
    page.wait_for_function("() => window.liveLog.includes('after')")
    # In this order; a loaded machine may add a retry ("reconnecting" twice) on the way.
    steps = iter(page.evaluate("window.liveLog"))
    assert all(step in steps for step in ["live", "reconnecting", "live", "resume", "after"])
