"""Beat task: log expired role assignments and mirror assignments into group membership."""

from celery import shared_task

from apps.access.services import assignments_tidy


@shared_task
def tidy_assignments() -> dict[str, int]:
    return assignments_tidy()
