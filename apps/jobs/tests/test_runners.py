"""The runners: the thread pool of the embedded default runs the same task in the
background; a real ``celery worker`` runs it on PostgreSQL + Redis."""

import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from apps.core import live
from apps.jobs import runners
from apps.jobs.models import Job
from apps.jobs.services import job_create


@pytest.mark.django_db(transaction=True)
def test_the_thread_runner_runs_the_job_beside_the_request(settings, staff_user):
    settings.JOBS_RUNNER = "thread"
    job = job_create(kind_name="test.count", user=staff_user, params={"n": 200})
    # job_create returned at once; the job runs in the pool's thread.
    assert runners.thread_jobs_wait()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED, job.error + job.traceback
    assert job.done == 200
    assert job.celery_task_id


def test_the_job_thread_publishes_from_the_servers_event_loop():
    """The in-memory channel layer wakes its consumers only from their own loop: a job's
    thread sends through the loop of the request that started it."""
    import asyncio
    import threading

    from asgiref.sync import async_to_sync, sync_to_async

    seen = []

    async def send():
        seen.append(asyncio.get_running_loop())

    def request_thread():  # a sync view under ASGI: asgiref notes the server's loop
        noted = live.server_loop()
        job = threading.Thread(target=lambda: (live.loop_adopt(noted), async_to_sync(send)()))
        job.start()
        job.join()

    async def server():
        await sync_to_async(request_thread)()
        return asyncio.get_running_loop()

    loop = asyncio.run(server())
    assert seen == [loop]


def test_an_unknown_runner_is_refused(settings):
    settings.JOBS_RUNNER = "carrier-pigeon"
    with pytest.raises(ValueError, match="JOBS_RUNNER"):
        runners.submit(str(uuid.uuid4()), "task")


REAL_SERVICES = bool(os.environ.get("REDIS_URL")) and "postgres" in os.environ.get(
    "DATABASE_URL", ""
)


@pytest.mark.services
@pytest.mark.skipif(not REAL_SERVICES, reason="needs REDIS_URL and a PostgreSQL DATABASE_URL")
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_a_job_to_success(settings, make_user, monkeypatch, tmp_path):
    from backoffice.celery import app

    settings.JOBS_RUNNER = "celery"
    # This process enqueues for real (not eagerly), to the worker on REDIS_URL's broker.
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "JOBS_RESULT_DIR": str(tmp_path / "job-results"),
    }
    worker = subprocess.Popen(  # noqa: S603 - our own command line
        [
            sys.executable,
            "-m",
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
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        hr = make_user("hr")
        job = job_create(kind_name="org.apply_due_transfers", user=hr, params={})
        # Blocks until the worker reports the task done (the result backend is Redis).
        assert app.AsyncResult(job.celery_task_id).get(timeout=120) == "succeeded"
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.message == "Applied 0 due transfers."
