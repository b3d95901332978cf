"""Live progress across processes, as deployed: a uvicorn server and a Celery worker, each
its own process, on one PostgreSQL database and one Redis (the broker and the channel
layer). HR starts a trail export in the browser; the worker runs it and publishes its
progress through Redis; the server's socket carries it to the page, whose bar reaches 100%
and whose download link works, all without a reload.

PostgreSQL + Redis only (.ci/run's second stage): SQLite and the in-memory channel layer
cannot be shared by processes.
"""

import contextlib
import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import global_settings, settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import override_settings
from playwright.sync_api import Browser, Page, expect

from apps.jobs.models import Job
from apps.org.models import Employee
from apps.org.services import employee_create, employee_update
from tests.e2e.conftest import SCREENSHOTS, TIMEOUT_MS
from tests.e2e.pages import PASSWORD

REAL_SERVICES = bool(os.environ.get("REDIS_URL")) and "postgres" in os.environ.get(
    "DATABASE_URL", ""
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services,
    pytest.mark.skipif(not REAL_SERVICES, reason="needs REDIS_URL and a PostgreSQL DATABASE_URL"),
]

STARTUP_SECONDS = 120  # a loaded machine imports Django slowly; a bound, never a pace
# The worker's first task, the export and the page's swaps: generous on a loaded machine.
JOB_TIMEOUT_MS = 120_000

# Resolves once the server confirmed the job page's topic; records what the socket brings.
LISTEN = """() => new Promise(resolve => {
    window.jobEvents = [];
    const topic = document.getElementById("bo-jobs").dataset.topic;
    window.BackofficeLive.subscribe(topic, event => window.jobEvents.push(event), {
        subscribed: resolve,
    });
})"""
MARKER = "() => window.marker === 'set on the job page'"


def _database_url() -> str:
    """pytest-django's test database (where this test's committed rows are), as a URL."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """The two processes, started by the test, stopped by the fixture whatever happens."""

    def __init__(self, tmp_path: Path) -> None:
        self.logs = tmp_path / "logs"
        self.logs.mkdir()
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "JOBS_RUNNER": "celery",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "JOBS_RESULT_DIR": str(tmp_path / "job-results"),
            "PYTHONUNBUFFERED": "1",
        }
        # The product runs with Django's async guard; only this test process lifts it.
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def _alive(self, name: str) -> None:
        code = self.processes[name].poll()
        if code is not None:
            raise RuntimeError(f"{name} exited with {code}:\n{self.log(name)}")

    def start_server(self) -> None:
        """uvicorn on the project's ASGI application; ready when its port accepts."""
        self._start(
            "server",
            [
                "uvicorn",
                "backoffice.asgi:application",
                "--host=127.0.0.1",
                f"--port={self.port}",
                "--ws=websockets-sansio",
                "--lifespan=off",
                "--log-level=warning",
            ],
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            self._alive("server")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                # Not listening yet: wait on the process itself (returns early if it dies).
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.processes["server"].wait(timeout=0.25)
        raise RuntimeError(f"The server did not listen in time:\n{self.log('server')}")

    def start_worker(self) -> None:
        """A solo Celery worker; ready when it answers a ping over the broker."""
        from backoffice.celery import app

        self._start(
            "worker",
            [
                "celery",
                "-A",
                "backoffice",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            self._alive("worker")
            if app.control.ping(timeout=1.0):  # blocks up to a second for the answer
                return
        raise RuntimeError(f"The worker did not answer in time:\n{self.log('worker')}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


@pytest.fixture
def stack(transactional_db: None, tmp_path: Path) -> Iterator[Stack]:
    """Requests transactional_db first: the processes stop (and close their connections)
    before the test's rows are flushed and, at the end, the test database is dropped."""
    from backoffice.celery import app

    app.control.purge()  # nothing left in the broker from an earlier, interrupted run
    stack = Stack(tmp_path)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def on_the_stack(browser: Browser, stack: Stack) -> Iterator[Callable[[], Page]]:
    """Pages in a fresh browser context on the subprocess server (not the in-process one)."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            base_url=stack.url, locale="en-US", viewport={"width": 1280, "height": 1400}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def hr(make_user, org):
    """HR, and a trail with rows to export (each hire and change is an entry)."""
    hr = make_user("hr")
    for n in range(30):
        person = employee_create(
            actor=hr, username=f"p{n}", first_name=f"Person{n}", department=org["web"]
        )
        employee_update(employee=person, actor=hr, position="Analyst", reason="Review")
    # The tests' fast hasher (the root conftest) is unknown to the server process: HR's
    # password hashed as the product hashes it, so that process can check it.
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        Employee.objects.filter(pk=hr.pk).update(password=make_password(PASSWORD))
    return hr


def test_a_worker_process_moves_the_bar_on_a_page_served_by_another_process(
    stack: Stack, on_the_stack, log_in, hr
):
    stack.start_server()
    page = on_the_stack()
    log_in(page, "hr")
    page.goto("/admin/audit/auditentry/")
    page.get_by_test_id("export-csv").click()

    # No worker yet: the job waits in the broker, queued, while the page listens.
    expect(page).to_have_url(re.compile(r"/admin/jobs/job/[0-9a-f-]+/change/$"))
    expect(page.get_by_test_id("job-state")).to_have_text(re.compile("queued", re.I))
    assert page.evaluate(LISTEN).startswith("job:")
    page.evaluate("() => { window.marker = 'set on the job page'; }")
    job = Job.objects.get()
    assert job.state == Job.State.QUEUED
    assert job.celery_task_id  # sent to the broker by the server process

    stack.start_worker()

    expect(page.get_by_test_id("job-percent")).to_have_text("100%", timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_test_id("job-bar")).to_have_attribute("value", "100")
    expect(page.get_by_test_id("job-state")).to_have_text(
        re.compile("succeeded", re.I), timeout=JOB_TIMEOUT_MS
    )
    expect(page.get_by_test_id("job-message")).to_contain_text(re.compile(r"Exported \d+ rows"))
    download = page.get_by_test_id("job-download")
    expect(download).to_be_visible(timeout=JOB_TIMEOUT_MS)
    assert page.evaluate(MARKER), "the job page was reloaded"

    # The worker's events reached this page's socket through Redis and the server.
    events = page.evaluate("window.jobEvents")
    assert {e["state"] for e in events} >= {"running", "succeeded"}, events
    assert all(e["kind"] == "job" and e["id"] == str(job.pk) for e in events)
    assert events[-1]["state"] == "succeeded"
    assert events[-1]["download_url"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "test_live_cross_process-01-job-done.png", full_page=True)

    with page.expect_download() as info:
        download.click()
    assert re.fullmatch(r"audit-trail-\d{8}-\d{6}\.csv", info.value.suggested_filename)
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Time", "Actor", "Action"]
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert len(rows) - 1 == job.total == job.done
    assert any(row[5].startswith("Person29") for row in rows[1:])
    assert page.evaluate(MARKER), "the download navigated the job page"
