"""The org app's long work as a background job (``apps.core.jobs``): applying the transfers
due today, started by HR ("Apply due transfers now"). Registered in ``OrgConfig.ready()``.

The daily beat task (``apps.org.tasks.apply_due_transfers``) and the management command
call the same service.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apps.core.jobs import JobFailed, JobKind, Progress, job_kind_register
from apps.org.models import Employee
from apps.org.transfers import transfers_apply_due

APPLY_DUE = "org.apply_due_transfers"
# Applying a transfer changes it: those who may change transfers (HR, administrators).
APPLY_PERM = "org.change_transfer"


def apply_due_run(progress: Progress, params: dict[str, Any], user: Employee | None) -> str:
    """Apply the transfers due by today, in the name of the person who asked."""
    if user is None:
        raise JobFailed(gettext("Applying transfers needs the person it is for."))
    today = timezone.localdate()
    progress.step(0, None, gettext("Applying the transfers due by today…"))
    applied = transfers_apply_due(
        today=today, actor=user, progress=lambda done, total: progress.step(done, total)
    )
    return ngettext(
        "Applied %(count)d due transfer.", "Applied %(count)d due transfers.", applied
    ) % {"count": applied}


def register() -> None:
    job_kind_register(
        JobKind(
            name=APPLY_DUE,
            label=_("Apply due transfers"),
            run=apply_due_run,
            may_start=lambda user: user.has_perm(APPLY_PERM),
        )
    )
