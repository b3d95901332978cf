"""How a queued job gets to run: ``JOBS_RUNNER`` says, the code only reads the setting.

- ``"celery"``: ``run_job.apply_async`` with the job's task id, for a worker (real
  services).
- ``"thread"``: the same task through ``run_job.apply`` in a small pool of threads of this
  process (the embedded default: eager Celery and the in-memory channel layer are one
  process, so the job runs beside the requests and its events reach the browsers).
- ``"inline"``: at once, in the caller's thread (tests, for determinism).

``submit`` is called once the job's row has committed (``transaction.on_commit``).
"""

import asyncio
import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import close_old_connections, connections

log = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_pending: set[Future[None]] = set()


def submit(job_id: str, task_id: str) -> None:
    from apps.jobs.tasks import run_job

    runner = settings.JOBS_RUNNER
    if runner == "celery":
        run_job.apply_async(args=[job_id], task_id=task_id)
    elif runner == "thread":
        future = _executor().submit(_in_thread, job_id, task_id, _server_loop())
        _pending.add(future)
        future.add_done_callback(_pending.discard)
    elif runner == "inline":
        run_job.apply(args=[job_id], task_id=task_id)
    else:
        raise ValueError(f"JOBS_RUNNER must be celery, thread or inline, not {runner!r}")


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.JOBS_THREADS, thread_name_prefix="backoffice-job"
            )
        return _pool


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The ASGI server's event loop, when ``submit`` runs in a request's thread.

    A sync view runs in a thread asgiref started from the server's loop, and notes that
    loop in a thread-local; the job's thread notes it too, so the job's events
    (``apps.core.live`` publishes through ``async_to_sync``) are sent from the server's
    loop, where the in-memory channel layer's consumers wait, not from a new loop of the
    job's thread, whose puts would not wake them.
    """
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(
        SyncToAsync.threadlocal, "main_event_loop", None
    )
    return loop


def _adopt(loop: asyncio.AbstractEventLoop | None) -> None:
    """Note the server's loop in this thread, as asgiref notes it in a sync view's."""
    if loop is not None and not loop.is_closed():
        SyncToAsync.threadlocal.main_event_loop = loop
        SyncToAsync.threadlocal.main_event_loop_pid = os.getpid()


def _in_thread(job_id: str, task_id: str, loop: asyncio.AbstractEventLoop | None) -> None:
    from apps.jobs.tasks import run_job

    _adopt(loop)
    close_old_connections()
    try:
        run_job.apply(args=[job_id], task_id=task_id)
    except Exception:  # noqa: BLE001 - the job row records its own failure; log the rest
        log.exception("jobs: the thread running job %s failed", job_id)
    finally:
        # This thread's own database connection: closed, or it stays open per job.
        connections.close_all()


def thread_jobs_wait(timeout: float | None = None) -> bool:
    """Wait for the jobs the thread runner has in hand (tests, shutdown); True when none left."""
    done, not_done = wait(list(_pending), timeout=timeout)
    return not not_done
