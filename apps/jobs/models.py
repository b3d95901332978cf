"""Background jobs: one row per long task someone (or the system) started."""

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.history import history


def result_storage() -> Storage:
    """Where result files live: a private storage (``STORAGES["job_results"]``).

    Not under MEDIA_URL: nothing serves it but the job's download view, which checks the
    reader first.
    """
    return storages["job_results"]


def result_path(instance: "Job", filename: str) -> str:
    return f"{instance.pk}/{filename}"


class Job(models.Model):
    """A long task: what it is, who asked, how far it got, and its file when done.

    Progress (done, total, message, heartbeat) is written by ``QuerySet.update`` a few times
    a second and is not history; the state changes are saved, so history has the start,
    the end and who cancelled or retried.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    ENDED = (State.SUCCEEDED, State.FAILED, State.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("requested by"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    # The requester's language when they started it: its messages and file are written in it.
    language = models.CharField(_("language"), max_length=15, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    result = models.FileField(
        _("result file"),
        storage=result_storage,
        upload_to=result_path,
        max_length=300,
        blank=True,
    )
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    result_type = models.CharField(_("file type"), max_length=100, blank=True)
    result_expired = models.BooleanField(_("file expired"), default=False)
    error = models.TextField(_("error"), blank=True)
    traceback = models.TextField(_("traceback"), blank=True)
    celery_task_id = models.CharField(_("task id"), max_length=64, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name=_("retry of"),
    )

    # The heartbeat moves several times a second: not history.
    history = history(excluded_fields=["heartbeat_at", "done", "total", "message"])

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ("-created_at", "-id")
        permissions = (
            ("view_all_jobs", _("Can see everyone's jobs")),
            ("view_task_dashboard", _("Can see the Tasks page (workers, queues, periodic tasks)")),
        )
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="jobs_job_user_created_idx"),
            models.Index(fields=["state", "heartbeat_at"], name="jobs_job_state_beat_idx"),
        ]

    def __str__(self) -> str:
        from apps.core.jobs import UnknownJobKind, job_kind

        try:
            return str(job_kind(self.kind).label)
        except UnknownJobKind:
            return self.kind

    @property
    def ended(self) -> bool:
        return self.state in self.ENDED
