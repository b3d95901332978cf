"""Who sees which jobs: their own, or everyone's with ``jobs.view_all_jobs``."""

import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from apps.jobs.models import Job

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.org.models import Employee

VIEW_ALL = "jobs.view_all_jobs"


def sees_all_jobs(user: "Employee | AnonymousUser") -> bool:
    return bool(user.is_authenticated and user.has_perm(VIEW_ALL))


def jobs_visible(user: "Employee | AnonymousUser") -> QuerySet[Job]:
    """The jobs ``user`` may see (their page, file, cancel and retry): a 404 for the rest."""
    if not user.is_authenticated:
        return Job.objects.none()
    jobs = Job.objects.select_related("requested_by")
    if sees_all_jobs(user):
        return jobs
    return jobs.filter(requested_by=user)


def job_may_join(user: "Employee", key: str | None) -> bool:
    """The ``job:<id>`` live topic: for those who may see the job (``uuid`` parse errors
    read as "no such job")."""
    if key is None:
        return False
    return jobs_visible(user).filter(pk=uuid.UUID(key)).exists()
