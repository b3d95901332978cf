"""Browser harness: a live ASGI server (uvicorn) and Debian's Chromium driven by Playwright.

Every test here is a browser test: it gets a fresh browser context (no cookies), a
``page`` on the live server, and ``shot(step)`` to save a screenshot of the page to
``artifacts/screenshots/<test name>-<step>.png``.

Not pytest-playwright's fixtures: its ``playwright`` fixture is session-scoped, so its
event loop would stay registered as running through the non-browser tests that follow in
the same session (Django then refuses the ORM); ours is package-scoped, and also lifts that
guard only while the browser tests run. Its browser, context and page fixtures build on it.
"""

import asyncio
import contextlib
import os
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from asgiref.sync import sync_to_async
from django.conf import settings
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from apps.org.services import department_create
from tests.e2e.pages import PASSWORD

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000

expect.set_options(timeout=TIMEOUT_MS)


# --- Collection ---------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests first when a session mixes them with other tests.

    The test database is created once per session, with the settings of the first test
    that needs it; putting these first makes it the file-backed SQLite database below
    (which the server thread can share) instead of the in-memory one.
    """
    items.sort(key=lambda item: not item.path.is_relative_to(E2E_DIR))


# --- Database -----------------------------------------------------------------------


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Let test code use the ORM while Playwright's sync API runs.

    Playwright keeps an asyncio loop registered as running in the main thread, so Django
    would raise SynchronousOnlyOperation. Set only while the browser tests run (the whole
    package, Playwright included), so other tests in the same session keep the guard.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Put the SQLite test database in a file: in-memory ones are not safe across threads."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("e2e-db") / "test.sqlite3")


# --- Live ASGI server ---------------------------------------------------------------


class _Server(uvicorn.Server):
    """uvicorn that reports when it is listening, so the fixture can wait for it."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.listening.set()


class LiveServer:
    """The project's ASGI application (HTTP and WebSockets) plus static files, in a thread."""

    def __init__(self) -> None:
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from backoffice.asgi import application

        # Bind before starting: the port is known at once and early connections queue.
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            ASGIStaticFilesHandler(application),
            ws="websockets-sansio",
            lifespan="off",
            log_level="warning",
        )
        self.server = _Server(config)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="e2e-uvicorn", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            self.error = exc
        finally:
            self.server.listening.set()

    async def _serve(self) -> None:
        from django.db import connections

        try:
            await self.server.serve(sockets=[self.socket])
        finally:
            # Close what the server's worker thread opened, so the test database can be
            # dropped (PostgreSQL refuses while a session is connected).
            await sync_to_async(connections.close_all)()

    def start(self) -> None:
        self.thread.start()
        if not self.server.listening.wait(timeout=30) or not self.server.started:
            raise RuntimeError(f"The live server did not start: {self.error!r}")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()
        if self.thread.is_alive():
            raise RuntimeError("The live server did not stop within 30 seconds")


@pytest.fixture(scope="package")
def asgi_server(django_db_setup: None) -> Iterator[LiveServer]:
    """One server for the browser tests; each test commits its data (``transactional_db``).

    Named apart from pytest-django's WSGI ``live_server``, whose helpers expect that type.
    The server threads open their own connections to the test database; pytest-django's
    database blocker is lifted for them while a test holding ``transactional_db`` runs.
    """
    server = LiveServer()
    server.start()
    yield server
    server.stop()


# --- Browser ------------------------------------------------------------------------


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    report = yield
    if report.failed:
        item.stash[_FAILED] = True
    return report


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    asgi_server: LiveServer,
    transactional_db: None,
) -> Iterator[Callable[[], Page]]:
    """Open pages in fresh browser contexts (separate cookie jars) on the live server."""
    contexts = []

    def make() -> Page:
        # Tall enough for the admin's forms, so full-page screenshots rarely need to stitch
        # (stitching draws unfold's sticky sidebar and submit row mid-page).
        context = browser.new_context(
            base_url=asgi_server.url, locale="en-US", viewport={"width": 1280, "height": 1400}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    if request.node.stash.get(_FAILED, False):
        # What the browser showed when the test failed, for the CI artifacts.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                with contextlib.suppress(PlaywrightError):
                    page.screenshot(
                        path=SCREENSHOTS / f"{_slug(request.node.name)}-failed-{index}{number}.png",
                        full_page=True,
                    )
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture
def shot(request: pytest.FixtureRequest, page: Page) -> Callable[..., None]:
    """``shot("02-department-added")`` saves the page as <test name>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = _slug(request.node.name)
    for old in SCREENSHOTS.glob(f"{prefix}-*.png"):
        old.unlink()

    def take(step: str, on: Page | None = None) -> None:
        (on or page).screenshot(
            path=SCREENSHOTS / f"{prefix}-{_slug(step)}.png", full_page=True, animations="disabled"
        )

    return take


@pytest.fixture
def log_in() -> Callable[..., None]:
    """Sign in through the real admin login form."""

    def submit(page: Page, username: str, password: str = PASSWORD) -> None:
        # As a person does: open the admin, get sent to the login form, come back.
        page.goto("/admin/")
        expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        # Step two for roles that need it: the code an authenticator app would show.
        expect(page.locator("#nav-sidebar-inner, [data-testid=verify-form]")).to_be_visible()
        if page.get_by_test_id("verify-form").count():
            from apps.org.models import Employee
            from tests.otp import code_for, device_for

            device = device_for(Employee.objects.get(username=username))
            page.get_by_label("Code").fill(code_for(device))
            page.get_by_role("button", name="Verify").click()
        expect(page.locator("#nav-sidebar-inner")).to_be_visible()

    return submit


# --- Data ---------------------------------------------------------------------------


@pytest.fixture
def org(root_department) -> dict:
    """The browser tests' tree: BOG > Engineering (ENG) > Web Platform (WEB), BOG > Finance
    (FIN). A module that needs more people or departments extends it: ``def org(org)``."""
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    web = department_create(actor=None, name="Web Platform", code="WEB", parent=eng)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    return {"bog": root_department, "eng": eng, "web": web, "fin": fin}
