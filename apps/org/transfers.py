"""Transfers: request, apply, cancel and the daily run that applies the due ones.

A request dated today or earlier applies at once, in the same transaction; a later one
stays scheduled until ``transfers_apply_due`` (the daily task) reaches its date. Applying
re-checks the rules, and a transfer that no longer fits is refused and left scheduled so
HR sees it in the list rather than having it vanish.
"""

import datetime
import logging
from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from apps.core.history import is_system_account, mark_change
from apps.core.texts import text_stored
from apps.core.validators import reason_clean
from apps.org import signals, tree
from apps.org.models import ACCOUNT_PERM, Department, Employee, Transfer
from apps.org.selectors import transfers_due
from apps.org.services import authorize

logger = logging.getLogger(__name__)

MAX_DAYS_AHEAD = 2 * 365
MAX_DAYS_BACK = 365
_REASON_LENGTH = Transfer._meta.get_field("reason").max_length
assert _REASON_LENGTH is not None  # declared on the model
MAX_REASON: int = _REASON_LENGTH
# The history reason of the move: stored as the msgid and the transfer's reason,
# translated when shown (apps.core.texts).
HISTORY_REASON = gettext_noop("Transfer: %(reason)s")
# The history reason of the department that gets a new manager with the transfer.
SUCCESSOR_REASON = gettext_noop("New manager as %(employee)s is transferred: %(reason)s")


def _employee_name(employee: Employee) -> str:
    return employee.get_full_name() or employee.username


def transfer_date_check(*, effective_date: datetime.date, today: datetime.date) -> None:
    """Refuse dates more than two years ahead or more than one year back."""
    if effective_date > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            _("The effective date %(date)s is more than two years ahead.")
            % {"date": effective_date}
        )
    if effective_date < today - datetime.timedelta(days=MAX_DAYS_BACK):
        raise ValidationError(
            _("The effective date %(date)s is more than a year in the past.")
            % {"date": effective_date}
        )


def transfer_move_check(*, employee: Employee, to_department: Department) -> None:
    """Refuse inactive employees, inactive targets and a move to the current department."""
    if not employee.is_active:
        raise ValidationError(
            _("%(employee)s is inactive and cannot be transferred.")
            % {"employee": _employee_name(employee)}
        )
    if not to_department.is_active:
        raise ValidationError(
            _("%(department)s is inactive; nobody can be transferred to it.")
            % {"department": to_department}
        )
    if employee.department_id == to_department.pk:
        raise ValidationError(
            _("%(employee)s is already in %(department)s.")
            % {"employee": _employee_name(employee), "department": to_department}
        )


def transfer_manager_leaving(*, employee: Employee) -> Department | None:
    """The department ``employee`` manages and would leave with a transfer (one query)."""
    if employee.department_id is None:
        return None
    return Department.objects.filter(pk=employee.department_id, manager_id=employee.pk).first()


def transfer_managers_leaving(*, employees: Sequence[Employee]) -> dict[object, Department]:
    """Per employee id, the department they manage and would leave (one query)."""
    by_department = {e.department_id: e.pk for e in employees if e.department_id is not None}
    departments = Department.objects.filter(
        pk__in=by_department.keys(), manager_id__in=by_department.values()
    )
    return {d.manager_id: d for d in departments if by_department.get(d.pk) == d.manager_id}


def transfer_successor_check(
    *, actor: Employee | None, employee: Employee, department: Department, successor: Employee
) -> None:
    """Refuse a new manager for ``department`` who is not someone its leaving manager may
    hand it to: the person moved, an inactive or system account, someone outside the
    department's subtree, or someone the actor does not outrank. The actor must also be
    allowed to change the department."""
    name = _employee_name(successor)
    if successor.pk == employee.pk:
        raise ValidationError(
            _("%(employee)s is the person being transferred; choose someone who stays.")
            % {"employee": name}
        )
    if not successor.is_active or is_system_account(successor):
        raise ValidationError(
            _("%(employee)s is inactive and cannot manage a department.") % {"employee": name}
        )
    home = successor.department
    if home is None or not tree.department_contains(ancestor=department, department=home):
        raise ValidationError(
            _("%(employee)s is not in %(department)s or one of its sub-departments.")
            % {"employee": name, "department": department}
        )
    authorize(actor, "org.change_department", department)
    if (
        actor is not None
        and not is_system_account(actor)
        and not actor.has_perm(ACCOUNT_PERM, successor)
    ):
        raise ValidationError(
            _(
                "%(employee)s holds a role of the same or a higher rank than yours: only "
                "someone above them can make them a department's manager."
            )
            % {"employee": name}
        )


def _pending_refusal(employee: Employee) -> ValidationError:
    return ValidationError(
        _("%(employee)s already has a scheduled transfer; cancel it first.")
        % {"employee": _employee_name(employee)}
    )


@transaction.atomic
def transfer_request(
    *,
    employee: Employee,
    to_department: Department,
    effective_date: datetime.date,
    reason: str,
    actor: Employee,
    new_manager: Employee | None = None,
) -> Transfer:
    """Schedule a transfer; one dated today or earlier applies at once.

    ``new_manager`` takes over the department the employee leaves, when they manage it;
    it is set on that department when the transfer applies.
    """
    # Lock the employee: two requests at once must not both pass the "none pending" check.
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    to_department = Department.objects.get(pk=to_department.pk)
    authorize(actor, "org.add_transfer", employee)
    authorize(actor, "org.add_transfer", to_department)
    # TextField's max_length is not checked by full_clean, only by forms.
    reason = reason_clean(reason, missing=_("Give a reason for the transfer."), limit=MAX_REASON)
    today = timezone.localdate()
    transfer_date_check(effective_date=effective_date, today=today)
    transfer_move_check(employee=employee, to_department=to_department)
    if Transfer.objects.filter(employee=employee, status=Transfer.Status.SCHEDULED).exists():
        raise _pending_refusal(employee)
    if new_manager is not None:
        new_manager = Employee.objects.select_related("department").get(pk=new_manager.pk)
        leaving = transfer_manager_leaving(employee=employee)
        if leaving is None:
            raise ValidationError(
                _(
                    "%(employee)s does not manage their department; a new manager is chosen "
                    "only for a department its manager leaves."
                )
                % {"employee": _employee_name(employee)}
            )
        transfer_successor_check(
            actor=actor, employee=employee, department=leaving, successor=new_manager
        )
    transfer = Transfer(
        employee=employee,
        from_department_id=employee.department_id,
        to_department=to_department,
        effective_date=effective_date,
        reason=reason,
        requested_by=actor,
        new_manager=new_manager,
    )
    # The partial unique constraint is checked here and by the database (the net for races).
    transfer.full_clean(validate_constraints=False)
    mark_change(transfer, actor=actor)
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:
        raise _pending_refusal(employee) from exc
    if effective_date <= today:
        return transfer_apply(transfer=transfer, actor=actor)
    signals.transfer_scheduled.send(sender=Transfer, transfer=transfer, actor=actor)
    return transfer


def _notify_managers(transfer: Transfer) -> None:
    """Mail the managers of both departments once the move is committed."""
    departments = [d for d in (transfer.from_department, transfer.to_department) if d]
    recipients = sorted({d.manager.email for d in departments if d.manager and d.manager.email})
    if not recipients:
        return
    names = {
        "employee": _employee_name(transfer.employee),
        "from": transfer.from_department or _("no department"),
        "to": transfer.to_department,
        "date": transfer.effective_date,
        "reason": transfer.reason,
    }
    subject = _("Transfer: %(employee)s moves to %(to)s") % names
    body = (
        _(
            "%(employee)s has moved from %(from)s to %(to)s, effective %(date)s.\n\n"
            "Reason: %(reason)s"
        )
        % names
    )
    # robust: a mail server outage after commit is logged, not shown as a failed transfer.
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients), robust=True)


@transaction.atomic
def transfer_apply(*, transfer: Transfer, actor: Employee) -> Transfer:
    """Move the employee now; refuse (and stay scheduled) if the rules no longer hold."""
    # Lock the transfer, then the employee: the daily run and a person must not both apply it.
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    authorize(actor, "org.change_transfer", transfer)
    if transfer.status != Transfer.Status.SCHEDULED:
        raise ValidationError(
            _("Only scheduled transfers can be applied; this one is %(status)s.")
            % {"status": transfer.get_status_display()}
        )
    employee = Employee.objects.select_for_update().get(pk=transfer.employee_id)
    to_department = Department.objects.get(pk=transfer.to_department_id)
    if employee.department_id != transfer.from_department_id:
        raise ValidationError(
            _("%(employee)s is no longer in the department the transfer was requested from.")
            % {"employee": _employee_name(employee)}
        )
    transfer_move_check(employee=employee, to_department=to_department)
    if transfer.new_manager_id is not None:
        _hand_over(transfer, employee=employee, actor=actor)
    employee.department = to_department
    mark_change(employee, actor=actor, reason=text_stored(HISTORY_REASON, reason=transfer.reason))
    employee.save(update_fields=["department", "updated_at"])
    transfer.status = Transfer.Status.APPLIED
    transfer.applied_at = timezone.now()
    mark_change(transfer, actor=actor)
    transfer.save(update_fields=["status", "applied_at", "updated_at"])
    transfer.employee, transfer.to_department = employee, to_department
    _notify_managers(transfer)
    signals.transfer_applied.send(sender=Transfer, transfer=transfer, actor=actor)
    return transfer


def _hand_over(transfer: Transfer, *, employee: Employee, actor: Employee) -> None:
    """Make the transfer's new manager the manager of the department the employee leaves.

    The rules are checked again (the successor may have moved since the request); a
    department that has meanwhile been given another manager keeps them.
    """
    if transfer.from_department_id is None or transfer.new_manager_id is None:
        return
    department = Department.objects.select_for_update().get(pk=transfer.from_department_id)
    if department.manager_id not in (None, employee.pk):
        return
    successor = Employee.objects.select_related("department").get(pk=transfer.new_manager_id)
    transfer_successor_check(
        actor=actor, employee=employee, department=department, successor=successor
    )
    department.manager = successor
    mark_change(
        department,
        actor=actor,
        reason=text_stored(
            SUCCESSOR_REASON, employee=_employee_name(employee), reason=transfer.reason
        ),
    )
    department.save(update_fields=["manager", "updated_at"])


def transfer_summary(transfers: Sequence[Transfer]) -> str:
    """What a batch of requests did, in words: moved now, or requested for a later date."""
    applied = [t for t in transfers if t.status == Transfer.Status.APPLIED]
    scheduled = [t for t in transfers if t.status == Transfer.Status.SCHEDULED]
    parts: list[str] = []
    if len(applied) == 1:
        parts.append(
            _("Moved %(employee)s to %(department)s.")
            % {
                "employee": _employee_name(applied[0].employee),
                "department": applied[0].to_department,
            }
        )
    elif applied:
        parts.append(
            ngettext("Moved %(count)d person.", "Moved %(count)d people.", len(applied))
            % {"count": len(applied)}
        )
    if len(scheduled) == 1:
        parts.append(
            _("Requested the transfer of %(employee)s to %(department)s, effective %(date)s.")
            % {
                "employee": _employee_name(scheduled[0].employee),
                "department": scheduled[0].to_department,
                "date": date_format(scheduled[0].effective_date),
            }
        )
    elif scheduled:
        parts.append(
            ngettext(
                "Requested %(count)d transfer for a later date.",
                "Requested %(count)d transfers for a later date.",
                len(scheduled),
            )
            % {"count": len(scheduled)}
        )
    return " ".join(parts)


def transfer_left_managing(transfers: Sequence[Transfer]) -> list[str]:
    """For each person moved who still manages the department they left: say so, so that
    whoever moved them can name a successor (one query)."""
    applied = [t for t in transfers if t.status == Transfer.Status.APPLIED]
    still = Department.objects.filter(
        pk__in=[t.from_department_id for t in applied if t.from_department_id],
        manager_id__in=[t.employee_id for t in applied],
    ).select_related("manager")
    return [
        _("%(employee)s still manages %(department)s; choose a new manager there.")
        % {"employee": _employee_name(d.manager), "department": d}
        for d in still
        if d.manager is not None
    ]


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, actor: Employee) -> Transfer:
    """Cancel a scheduled transfer; applied or cancelled ones are refused."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    authorize(actor, "org.change_transfer", transfer)
    if transfer.status != Transfer.Status.SCHEDULED:
        raise ValidationError(
            _("Only scheduled transfers can be cancelled; this one is %(status)s.")
            % {"status": transfer.get_status_display()}
        )
    transfer.status = Transfer.Status.CANCELLED
    transfer.cancelled_by = actor
    transfer.cancelled_at = timezone.now()
    mark_change(transfer, actor=actor)
    transfer.save(update_fields=["status", "cancelled_by", "cancelled_at", "updated_at"])
    return transfer


def transfers_apply_due(
    *,
    today: datetime.date,
    actor: Employee,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Apply every scheduled transfer due by ``today``, each in its own transaction.

    Safe to run twice: applied ones are no longer scheduled. A refused one is logged and
    skipped so one bad row does not hold up the rest. ``progress(done, total)`` hears after
    each transfer (a background job's bar).
    """
    applied = 0
    due = list(transfers_due(today=today).values_list("pk", flat=True))
    for done, pk in enumerate(due, start=1):
        if progress is not None:
            progress(done - 1, len(due))
        try:
            transfer_apply(transfer=Transfer(pk=pk), actor=actor)
        except ValidationError as exc:
            logger.warning("Transfer %s not applied: %s", pk, "; ".join(exc.messages))
        else:
            applied += 1
    return applied
