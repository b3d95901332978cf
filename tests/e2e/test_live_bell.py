"""A security officer's bell hears a lockout live: in another browser, somebody fails the
sign-in for an account until it locks; the officer's count goes up and the item appears in
the open menu without a reload (the event reaches the officer's user topic through the
channel layer: the in-memory one of the embedded default, or Redis)."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from apps.notifications import services
from apps.notifications.models import Kind, Notification
from tests.e2e.pages import in_chinese

pytestmark = pytest.mark.browser

# Resolves once the server confirmed the bell's topic (user:<pk>) on the page's socket: a
# second subscriber to a joined topic hears the join too. From then on events flow.
BELL_TOPIC_JOINED = """() => new Promise(resolve => {
    const topic = document.querySelector("[data-bell]").dataset.topic;
    window.BackofficeLive.subscribe(topic, () => {}, { subscribed: resolve });
})"""
NOT_RELOADED = "() => window.bellMarker === 'set before the lockout'"


@pytest.fixture
def officer(make_user):
    """A security officer with a quiet bell, and the account somebody will try."""
    officer = make_user("security")
    make_user("staff")
    services.notifications_mark_all_read(user=officer)
    Notification.objects.filter(recipient=officer).delete()
    return officer


def _watch_the_bell(page: Page) -> None:
    """The officer's page: live, the bell's menu open (so arrivals go into its list), and a
    marker that a reload would wipe."""
    expect(page.get_by_test_id("live-status")).to_have_attribute("data-state", "live")
    assert page.evaluate(BELL_TOPIC_JOINED).startswith("user:")
    expect(page.get_by_test_id("bell-count")).to_be_hidden()
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("bell-menu")).to_be_visible()
    expect(page.get_by_test_id("bell-menu").locator(".bo-bell-empty")).to_be_visible()
    page.evaluate("() => { window.bellMarker = 'set before the lockout'; }")


def _fail_until_locked(page: Page, username: str, *, locked: str) -> None:
    """Wrong passwords from one address until the sign-in page says the account is locked.

    Bounded: a lock that never comes fails the test instead of trying for ever."""
    page.goto("/admin/login/")
    for _ in range(10):
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill("not-the-password")
        page.locator("form button[type=submit]").first.click()
        expect(page.locator("#id_username, [data-testid=locked-out]").first).to_be_visible()
        if page.get_by_test_id("locked-out").count():
            expect(page.get_by_test_id("locked-out")).to_contain_text(locked)
            return
    raise AssertionError(f"{username} was not locked out after 10 wrong passwords")


def test_the_officers_bell_hears_a_lockout_without_a_reload(
    new_page: Callable[[], Page], log_in, officer, shot
):
    watcher, stranger = new_page(), new_page()
    log_in(watcher, "security")
    _watch_the_bell(watcher)

    _fail_until_locked(stranger, "staff", locked="Too many failed sign-in attempts")

    expect(watcher.get_by_test_id("bell-count")).to_have_text("1")
    item = watcher.get_by_test_id("bell-menu").get_by_test_id("bell-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Locked out: staff from 127.0.0.1.")
    notification = Notification.objects.get(recipient=officer)
    assert notification.kind == Kind.LOCKOUT
    assert notification.read_at is None
    # The list was refreshed from the feed: the item opens through the bell (read on click).
    expect(item.locator("a")).to_have_attribute(
        "href", f"/admin/notifications/{notification.pk}/open/"
    )
    assert watcher.evaluate(NOT_RELOADED), "the officer's page was reloaded"
    shot("01-bell-lockout", on=watcher)

    item.locator("a").click()
    expect(watcher).to_have_url(re.compile(r"/admin/security/lockout/$"))
    expect(watcher.locator("#result_list")).to_contain_text("staff")
    expect(watcher.get_by_test_id("bell-count")).to_be_hidden()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_the_officers_bell_hears_a_lockout_in_chinese(
    new_page: Callable[[], Page], log_in, officer, shot
):
    watcher, stranger = new_page(), new_page()
    log_in(watcher, "security")
    in_chinese(watcher)
    watcher.goto("/admin/")
    expect(watcher.get_by_test_id("bell")).to_be_visible()
    _watch_the_bell(watcher)
    expect(watcher.get_by_test_id("bell-menu")).to_contain_text("全部标记为已读")

    _fail_until_locked(stranger, "staff", locked="Too many failed sign-in attempts")

    expect(watcher.get_by_test_id("bell-count")).to_have_text("1")
    item = watcher.get_by_test_id("bell-menu").get_by_test_id("bell-item")
    expect(item).to_contain_text("已锁定：staff，来自 127.0.0.1。")
    assert watcher.evaluate(NOT_RELOADED), "the officer's page was reloaded"
    shot("01-bell-lockout-zh", on=watcher)
