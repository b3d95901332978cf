"""Celery tasks of the jobs app: run one job (by id), reap dead ones, expire old files."""

import uuid

from celery import shared_task

from apps.jobs.services import job_results_expire, job_run, jobs_reap


@shared_task(bind=True, acks_late=True)
def run_job(self: object, job_id: str) -> str:
    """Run the job ``job_id`` (idempotent: a job that is not queued is left alone)."""
    request = getattr(self, "request", None)
    return job_run(job_id=uuid.UUID(job_id), task_id=str(getattr(request, "id", "") or ""))


@shared_task
def reap_jobs() -> int:
    """Fail the jobs whose worker died (no heartbeat for JOBS_STALE_SECONDS)."""
    return jobs_reap()


@shared_task
def expire_job_results() -> int:
    """Delete result files older than JOBS_RESULT_DAYS."""
    return job_results_expire()
