"""Site-wide behaviour: the WebSocket path through ASGI, and the language switcher."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Open a WebSocket from the page, send one ping, report what happened. The watchdog only
# bounds a hung handshake; every normal outcome resolves on a socket event.
PING_SCRIPT = """
(url) => new Promise((resolve) => {
    const result = {opened: false, messages: [], code: null};
    const socket = new WebSocket(url);
    const watchdog = setTimeout(() => { result.code = "timeout"; resolve(result); }, 10000);
    socket.onopen = () => {
        result.opened = true;
        socket.send(JSON.stringify({type: "ping"}));
    };
    socket.onmessage = (event) => {
        result.messages.push(JSON.parse(event.data));
        socket.close(1000);
    };
    socket.onclose = (event) => {
        clearTimeout(watchdog);
        result.code = event.code;
        resolve(result);
    };
})
"""


def test_a_signed_in_page_gets_pong_for_ping_over_the_websocket_and_an_anonymous_one_is_closed(
    page: Page, new_page, shot, log_in, make_user, asgi_server
):
    make_user("staff")
    url = f"{asgi_server.ws_url}/ws/ping/"

    log_in(page, "staff")
    shot("01-signed-in")
    signed_in = page.evaluate(PING_SCRIPT, url)
    assert signed_in == {"opened": True, "messages": [{"type": "pong"}], "code": 1000}

    anonymous = new_page()
    anonymous.goto("/admin/login/")
    shot("02-anonymous", on=anonymous)
    refused = anonymous.evaluate(PING_SCRIPT, url)
    assert refused["opened"] is False
    assert refused["messages"] == []
    # Refused before the handshake completes: the browser reports an abnormal closure.
    assert refused["code"] == 1006


def test_choosing_simplified_chinese_in_the_language_switcher_sets_the_page_language(
    page: Page, shot, log_in, make_user
):
    make_user("hr")

    log_in(page, "hr")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#nav-sidebar-inner").get_by_text("Hr Tester").click()
    switch = page.get_by_role("button", name="简体中文")
    expect(switch).to_be_visible()
    shot("01-language-menu")
    switch.click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("django_language") == "zh-hans"
    shot("02-chinese")

    page.goto("/admin/org/employee/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
