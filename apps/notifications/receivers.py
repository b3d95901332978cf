"""Who is told what: receivers of the lower apps' signals, each calling ``notify``.

Each sends once the change is committed (``on_commit``, robust: a failed notification
is logged and never undoes what it reports), so a rolled-back change tells nobody.
"""

import logging
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy, gettext_noop

from apps.access.roles import SECURITY_OFFICER
from apps.access.selectors import role_holders
from apps.core import signals as core_signals
from apps.core.actions import ActionKind
from apps.notifications.models import Kind
from apps.notifications.services import notify, role_params
from apps.org import signals as org_signals
from apps.org.models import Department, Employee, Transfer

log = logging.getLogger(__name__)

TRANSFER_SCHEDULED_YOU = gettext_noop("Your transfer to %(to)s is scheduled for %(date)s.")
TRANSFER_SCHEDULED = gettext_noop("%(employee)s is to move from %(from)s to %(to)s on %(date)s.")
TRANSFER_APPLIED_YOU = gettext_noop("You have moved to %(to)s.")
TRANSFER_APPLIED = gettext_noop("%(employee)s has moved from %(from)s to %(to)s.")
ROLE_ASSIGNED = gettext_noop("You were given the role %(role)s (%(where)s).")
ROLE_EXPIRED = gettext_noop("Your role %(role)s (%(where)s) has ended.")
JOB_SUCCEEDED = gettext_noop("Finished: %(label)s.")
JOB_FAILED = gettext_noop("Failed: %(label)s.")
HIGH_RISK = gettext_noop("High-risk sign-in: %(username)s from %(ip)s (risk %(score)s).")
LOCKOUT = gettext_noop("Locked out: %(username)s from %(ip)s.")
CHAIN_BREAK = gettext_noop("The audit trail's hash chain is broken: %(summary)s")
NO_DEPARTMENT = gettext_noop("no department")


def _later(send: Any) -> None:
    transaction.on_commit(send, robust=True)


def _tell_officers_later(**notice: Any) -> None:
    """``notify`` the security officers of the moment the transaction commits."""
    _later(lambda: notify(recipients=_officers(), **notice))


def _name(employee: Employee) -> str:
    return employee.get_full_name() or employee.username


def _managers(transfer: Transfer, moved: Employee) -> set[Any]:
    ids = {transfer.from_department_id, transfer.to_department_id} - {None}
    managers = Department.objects.filter(pk__in=ids, manager__isnull=False).values_list(
        "manager_id", flat=True
    )
    return set(managers) - {moved.pk}


def _transfer_told(transfer: Transfer, *, applied: bool) -> None:
    transfer = Transfer.objects.select_related("employee", "from_department", "to_department").get(
        pk=transfer.pk
    )
    moved = transfer.employee
    source = transfer.from_department
    params = {
        "employee": _name(moved),
        "from": source.name if source else gettext_lazy(NO_DEPARTMENT),
        "to": transfer.to_department.name,
        "date": transfer.effective_date.isoformat(),
    }
    kind = Kind.TRANSFER_APPLIED if applied else Kind.TRANSFER_SCHEDULED
    notify(
        recipients=[moved],
        kind=kind,
        msgid=TRANSFER_APPLIED_YOU if applied else TRANSFER_SCHEDULED_YOU,
        params=params,
        url=reverse("admin:org_employee_me"),
    )
    notify(
        recipients=_managers(transfer, moved),
        kind=kind,
        msgid=TRANSFER_APPLIED if applied else TRANSFER_SCHEDULED,
        params=params,
        url=reverse("admin:org_transfer_change", args=[transfer.pk]),
    )


def on_transfer_scheduled(sender: Any, transfer: Transfer, **kwargs: Any) -> None:
    _later(lambda: _transfer_told(transfer, applied=False))


def on_transfer_applied(sender: Any, transfer: Transfer, **kwargs: Any) -> None:
    _later(lambda: _transfer_told(transfer, applied=True))


def on_action_logged(sender: Any, row: Any, kind: ActionKind, **kwargs: Any) -> None:
    """A role assignment granted or expired (the permission log's rows for them)."""
    if kind.code not in ("access.granted", "access.expired"):
        return
    if getattr(row, "assignment_id", None) is None or row.user_id is None:
        return
    granted = kind.code == "access.granted"
    user_id, params = row.user_id, role_params(row.role.name, row.department)
    url = reverse("admin:org_employee_me")
    _later(
        lambda: notify(
            recipients=[user_id],
            kind=Kind.ROLE_ASSIGNED if granted else Kind.ROLE_EXPIRED,
            msgid=ROLE_ASSIGNED if granted else ROLE_EXPIRED,
            params=params,
            url=url,
            key="" if granted else f"role_expired:{row.assignment_id}",
        )
    )


def on_job_finished(
    sender: Any, job: Any, state: str, requested_by: Any, label: Any, url: str = "", **kwargs: Any
) -> None:
    """Tell whoever started a background job that it ended (not a cancellation they made)."""
    if requested_by is None or state not in ("succeeded", "failed"):
        return
    succeeded = state == "succeeded"
    _later(
        lambda: notify(
            recipients=[requested_by],
            kind=Kind.JOB_SUCCEEDED if succeeded else Kind.JOB_FAILED,
            msgid=JOB_SUCCEEDED if succeeded else JOB_FAILED,
            params={"label": label},
            url=url or "",
            key=f"job:{job.pk}",
        )
    )


def _officers() -> list[Any]:
    return list(role_holders(SECURITY_OFFICER).values_list("pk", flat=True))


def _event_params(event: Any) -> dict[str, Any]:
    return {
        "username": event.username or "?",
        "ip": event.ip or "?",
        "score": event.risk_score,
    }


def on_high_risk_sign_in(sender: Any, event: Any, **kwargs: Any) -> None:
    from apps.security.events import events_user_timeline_url

    url = events_user_timeline_url(event.user_id) if event.user_id else ""
    params = _event_params(event)
    _tell_officers_later(
        kind=Kind.HIGH_RISK_SIGN_IN,
        msgid=HIGH_RISK,
        params=params,
        url=url,
        key=f"sign_in:{event.pk}",
    )


def on_lockout(sender: Any, event: Any, **kwargs: Any) -> None:
    """One notification per locked username and address per hour: attempts against a
    lock that holds are recorded as lockouts too, and must not flood the officers."""
    params = _event_params(event)
    hour = event.at.strftime("%Y%m%d%H")
    key = f"lockout:{hour}:{event.username}@{event.ip or ''}"[:100]
    url = reverse("admin:security_lockout_changelist")
    _tell_officers_later(
        kind=Kind.LOCKOUT,
        msgid=LOCKOUT,
        params=params,
        url=url,
        key=key,
    )


def on_chain_broken(sender: Any, run: Any, summary: str, **kwargs: Any) -> None:
    url = reverse("admin:audit_verificationrun_changelist")
    _tell_officers_later(
        kind=Kind.CHAIN_BREAK,
        msgid=CHAIN_BREAK,
        params={"summary": summary[:1000]},
        url=url,
        key=f"chain:{run.pk}",
    )


def connect() -> None:
    org_signals.transfer_scheduled.connect(on_transfer_scheduled, dispatch_uid="notify-ts")
    org_signals.transfer_applied.connect(on_transfer_applied, dispatch_uid="notify-ta")
    core_signals.action_logged.connect(on_action_logged, dispatch_uid="notify-roles")
    core_signals.job_finished.connect(on_job_finished, dispatch_uid="notify-jobs")
    core_signals.high_risk_sign_in.connect(on_high_risk_sign_in, dispatch_uid="notify-risk")
    core_signals.lockout_recorded.connect(on_lockout, dispatch_uid="notify-lockout")
    core_signals.chain_broken.connect(on_chain_broken, dispatch_uid="notify-chain")
