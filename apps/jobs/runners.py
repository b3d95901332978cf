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
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.db import close_old_connections, connections

from apps.core import live

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
        future = _executor().submit(_in_thread, job_id, task_id, live.server_loop())
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


def _in_thread(job_id: str, task_id: str, loop: asyncio.AbstractEventLoop | None) -> None:
    from apps.jobs.tasks import run_job

    live.loop_adopt(loop)
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
