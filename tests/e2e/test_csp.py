"""The Content-Security-Policy: every page works under it, and inline scripts and styles are blocked.

Violations are collected from the browser itself: each document reports its
``securitypolicyviolation`` events to the test, and Chromium's console lines about the
policy are kept too. Playwright's own init scripts and bindings are not subject to the
page's policy, so the listener works on every page.
"""

import datetime
import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, Response, expect

from apps.audit.exports import export_record
from apps.audit.services import verification_run
from apps.core.admin_site import ACCOUNT_LINKS
from apps.org.services import department_create, employee_create
from apps.org.transfers import transfer_request
from apps.security.models import Lockout, SecurityAction
from tests.e2e.pages import PASSWORD
from tests.otp import code_for, device_for

pytestmark = pytest.mark.browser

LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspCount = (window.__cspCount || 0) + 1;
    window.__cspViolation({
        page: location.pathname,
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        sample: event.sample,
    });
});
"""
# Same-host WebSocket from the page: 'self' in connect-src must cover ws: (CSP 3).
PING = """
(url) => new Promise((resolve) => {
    const socket = new WebSocket(url);
    const watchdog = setTimeout(() => resolve("timeout"), 10000);
    socket.onopen = () => socket.send(JSON.stringify({type: "ping"}));
    socket.onmessage = (event) => { clearTimeout(watchdog); socket.close(1000); resolve(JSON.parse(event.data)); };
    socket.onerror = () => { clearTimeout(watchdog); resolve("error"); };
})
"""


class Watch:
    """What the browser reported about the policy on ``page``, and the policies received."""

    def __init__(self, page: Page) -> None:
        self.violations: list[dict] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.policies: dict[str, str] = {}
        page.expose_function("__cspViolation", self._violation)
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("response", self._response)

    def _violation(self, report: dict) -> None:
        self.violations.append(report)

    def _console(self, message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(text)

    def _response(self, response: Response) -> None:
        if response.request.resource_type == "document":
            path = re.sub(r"^https?://[^/]+", "", response.url)
            self.policies[path] = response.headers.get("content-security-policy", "")

    def clean(self) -> bool:
        return not (self.violations or self.console or self.errors)

    def report(self) -> str:
        return f"violations={self.violations} console={self.console} errors={self.errors}"


@pytest.fixture
def watched(page: Page) -> tuple[Page, Watch]:
    return page, Watch(page)


def _visit(page: Page, watch: Watch, path: str, ready: Callable[[], None]) -> None:
    page.goto(path)
    ready()
    # Let Alpine, htmx and our scripts finish what they do on load.
    page.wait_for_load_state("networkidle")
    assert watch.clean(), f"{path}: {watch.report()}"


def _assert_no_inline_allowed(watch: Watch) -> None:
    pages = [path for path in watch.policies if path.startswith("/admin/")]
    assert pages
    for path in pages:
        policy = watch.policies[path]
        for directive in ("script-src", "style-src"):
            sources = re.search(rf"{directive} ([^;]*)", policy)
            assert sources, f"{path} has no {directive}: {policy!r}"
            assert "'unsafe-inline'" not in sources.group(1), (path, directive)


def _password_step(page: Page, username: str) -> None:
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_every_main_page_runs_under_the_policy(
    watched, shot, make_user, root_department, asgi_server
):
    page, watch = watched
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    department_create(actor=None, name="研发中心", code="YFZX", parent=eng)
    person = employee_create(
        actor=None, username="ines", first_name="Ines", last_name="Inside", department=eng
    )
    admin = make_user("admin")

    _visit(
        page, watch, "/admin/login/", lambda: expect(page.get_by_label("Username")).to_be_visible()
    )
    _password_step(page, "admin")
    expect(page).to_have_url(re.compile(r"/admin/verify/"))
    page.wait_for_load_state("networkidle")
    assert watch.clean(), watch.report()
    page.get_by_label("Code").fill(code_for(device_for(admin)))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()

    sidebar = lambda: expect(page.locator("#nav-sidebar-inner")).to_be_visible()  # noqa: E731
    _visit(page, watch, "/admin/", sidebar)
    _visit(
        page,
        watch,
        "/admin/org/employee/",
        lambda: expect(page.locator("#result_list")).to_contain_text("Ines"),
    )
    # unfold sizes the action bar with a string x-bind:style: applied through the CSSOM
    # (static/core/admin.js), as the policy blocks the style attribute.
    expect(page.locator("#changelist-actions")).to_have_css(
        "width", re.compile(r"^[1-9]\d*(\.\d+)?px$")
    )
    assert page.evaluate("document.getElementById('changelist-actions').style.width").endswith("px")
    _visit(
        page,
        watch,
        f"/admin/org/employee/{person.pk}/change/",
        lambda: expect(page.locator("#id_first_name")).to_have_value("Ines"),
    )
    _visit(page, watch, "/admin/org/department/", sidebar)
    _visit(
        page,
        watch,
        "/admin/org/department/tree/",
        lambda: expect(page.get_by_test_id("dept-tree")).to_be_visible(),
    )
    _visit(
        page,
        watch,
        "/admin/org/department/chart/",
        lambda: expect(page.get_by_test_id("org-chart-svg")).to_contain_text("Engineering"),
    )
    # The PNG export draws the SVG through a data: image and a canvas.
    with page.expect_download() as png:
        page.get_by_role("button", name="Export PNG").click()
    assert png.value.suggested_filename.endswith(".png")
    _visit(
        page,
        watch,
        "/admin/audit/auditentry/",
        lambda: expect(page.get_by_test_id("trail-row").first).to_be_visible(),
    )
    # An export is a background job: its page (jobs.js, its status fallback) and the file.
    page.get_by_test_id("export-csv").click()
    expect(page.get_by_test_id("job-download")).to_be_visible()
    with page.expect_download() as csv:
        page.get_by_test_id("job-download").click()
    assert csv.value.suggested_filename.endswith(".csv")
    # A select2 autocomplete (jQuery and a fetch of its own), then a same-host WebSocket.
    page.goto(f"/admin/org/employee/{person.pk}/change/")
    page.locator("#id_department + .select2-container .select2-selection").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    assert page.evaluate(PING, f"{asgi_server.ws_url}/ws/ping/") == {"type": "pong"}
    shot("01-change-form")
    assert watch.clean(), watch.report()

    assert len([path for path in watch.policies if path.startswith("/admin/")]) >= 9
    _assert_no_inline_allowed(watch)


def test_enrollment_runs_under_the_policy(watched, shot, make_user):
    page, watch = watched
    hr = make_user("hr")
    device_for(hr).delete()  # a new account: enrollment with the QR code

    _password_step(page, "hr")
    expect(page).to_have_url(re.compile(r"/admin/enroll/"))
    expect(page.get_by_test_id("enroll-qr").locator("svg")).to_be_visible()
    page.wait_for_load_state("networkidle")
    shot("01-enroll")
    assert watch.clean(), watch.report()
    assert "script-src 'self'" in watch.policies["/admin/enroll/?next=%2Fadmin%2F"]


def test_an_injected_inline_script_is_blocked_and_reported(watched, make_user):
    page, watch = watched
    page.goto("/admin/login/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__ran = true";
            document.body.appendChild(script);
            const button = document.createElement("button");
            button.setAttribute("onclick", "window.__clicked = true");
            document.body.appendChild(button);
            button.click();
        }"""
    )
    page.wait_for_function("() => window.__cspCount >= 2")

    assert page.evaluate("() => [window.__ran, window.__clicked]") == [None, None]
    directives = {v["directive"] for v in watch.violations}
    assert {"script-src-elem", "script-src-attr"} <= directives, watch.report()


def test_an_injected_inline_style_is_blocked_and_reported(watched):
    page, watch = watched
    page.goto("/admin/login/")
    page.evaluate(
        """() => {
            const style = document.createElement("style");
            style.textContent = "body { outline: 9px solid red }";
            document.head.appendChild(style);
            document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: red">x</p>');
        }"""
    )
    page.wait_for_function("() => window.__cspCount >= 2")

    assert page.evaluate("() => getComputedStyle(document.body).outlineStyle") == "none"
    assert page.evaluate("() => getComputedStyle(styled).color") != "rgb(255, 0, 0)"
    directives = {v["directive"] for v in watch.violations}
    assert {"style-src-elem", "style-src-attr"} <= directives, watch.report()


# Every page a person can reach from the sidebar and the user menu, as each role, with
# the first object's change form and history page on each list.
# (settings.UNFOLD["ACCOUNT"] names the callback; the links are its URL names.)
ACCOUNT_PAGES = [reverse(name) for _, name in ACCOUNT_LINKS]
CHANGE_LINK = re.compile(r"^/admin/[a-z_]+/[a-z_]+/[^/]+/change/")


def _sign_in(page: Page, watch: Watch, username: str) -> None:
    _visit(
        page, watch, "/admin/login/", lambda: expect(page.get_by_label("Username")).to_be_visible()
    )
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#nav-sidebar-inner, [data-testid=verify-form]")).to_be_visible()
    if page.get_by_test_id("verify-form").count():
        page.wait_for_load_state("networkidle")
        assert watch.clean(), f"verify: {watch.report()}"
        from apps.org.models import Employee

        page.get_by_label("Code").fill(
            code_for(device_for(Employee.objects.get(username=username)))
        )
        page.get_by_role("button", name="Verify").click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()


def _first_change_link(page: Page) -> str | None:
    hrefs = page.locator("#result_list tbody a[href]").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    return next((href.split("?")[0] for href in hrefs if CHANGE_LINK.match(href)), None)


def _crawl(page: Page, watch: Watch) -> list[str]:
    """Visit the sidebar's and the user menu's pages, and one object per list; return them."""
    sidebar = page.locator("#nav-sidebar-inner a[href^='/admin/']").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    visited: list[str] = []
    ready = lambda: expect(page.locator("#nav-sidebar-inner")).to_be_visible()  # noqa: E731
    for path in dict.fromkeys([*sidebar, *ACCOUNT_PAGES]):
        _visit(page, watch, path, ready)
        visited.append(path)
        change = _first_change_link(page) if page.locator("#result_list").count() else None
        if change:
            for detail in (change, change.removesuffix("change/") + "history/"):
                _visit(page, watch, detail, ready)
                visited.append(detail)
    return visited


@pytest.fixture
def a_row_on_every_list(org, make_user):
    """At least one object of each model in the sidebar, so each list opens a change form."""
    setup = make_user("admin", username="setup")
    ines = employee_create(
        actor=None, username="ines", first_name="Ines", last_name="Inside", department=org["web"]
    )
    transfer_request(
        employee=ines,
        to_department=org["fin"],
        effective_date=timezone.localdate() + datetime.timedelta(days=7),
        reason="Team change",
        actor=setup,
    )
    verification_run(triggered_by="test")
    export_record(user=setup, format="csv", filters={})
    Lockout.objects.create(
        username="guess", ip_address="10.9.9.9", user_agent="x", failures_since_start=5
    )
    SecurityAction.objects.create(
        at=timezone.now(),
        kind=SecurityAction.Kind.SESSIONS_REVOKED,
        actor=setup,
        user=ines,
        target="1 session",
        reason="Lost laptop",
    )


@pytest.mark.parametrize(
    ("persona", "least"),
    # Pages each role reached when this was written (44, 26, 16, 41, 41, 4), less a margin.
    [("admin", 40), ("hr", 22), ("manager", 14), ("security", 36), ("auditor", 36), ("staff", 4)],
)
def test_every_page_of_each_role_runs_under_the_policy(
    watched, shot, make_user, a_row_on_every_list, persona, least
):
    page, watch = watched
    make_user(persona)

    _sign_in(page, watch, persona)
    visited = _crawl(page, watch)
    shot("01-last-page")

    assert len(visited) >= least, visited
    assert any("/history/" in path for path in visited) or persona == "staff", visited
    _assert_no_inline_allowed(watch)
