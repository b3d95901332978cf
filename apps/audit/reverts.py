"""Revert an object to an earlier version: a new change through the usual services.

History is never rewritten. The old values go through the same services (and so the
same rules and permission checks) as any edit, inside one transaction: a refusal
anywhere leaves nothing applied. The audit entries of the new versions say "reverted"
(each service is told so: ``action=REVERTED``) and carry the reason.

A field the actor may not see (salary, without the right) is not part of their revert:
it stays as it is, and neither the page nor a refusal says whether it differs, or a
manager could learn by reverting that a salary changed.
"""

from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import get_history_model_for_model

from apps.access.fields import fields_hidden
from apps.audit.models import AuditEntry
from apps.core.registry import policy_for
from apps.core.texts import text_stored
from apps.core.validators import reason_clean
from apps.org import services
from apps.org.models import Department, Employee

REVERT_REASON = gettext_noop("Revert to version of %(date)s: %(reason)s")
# What the trail calls every version a revert writes; passed to each service it calls.
REVERTED = AuditEntry.Action.REVERTED


def revertible(model: type[Model]) -> bool:
    """Is ``model`` revertible (registered with the fields a revert may put back)?"""
    return bool(policy_for(model).revert_fields)


def revert_reason(*, version: Any, reason: str) -> str:
    """The reason kept in history: which version, then why.

    Stored as the msgid and its values, translated when shown (apps.core.texts).
    """
    at = timezone.localtime(version.history_date)
    return text_stored(REVERT_REASON, date=f"{at:%Y-%m-%d %H:%M}", reason=reason)


def _field(model: type[Model], name: str) -> Field:
    """A concrete field of ``model`` (what the registry lets revert restore)."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # the registry refuses names the model lacks
    return field


def _check_version(obj: Model, version: Any) -> None:
    model = type(obj)
    if (
        not isinstance(version, get_history_model_for_model(model))
        or getattr(version, model._meta.pk.attname) != obj.pk
    ):
        raise ValidationError(_("That version is not one of this record."))


def _check_reason(reason: str) -> str:
    return reason_clean(reason, missing=_("Give a reason for the revert."))


def hidden_from(actor: Employee | None, obj: Model) -> frozenset[str]:
    """Fields of ``obj`` the actor may not see: their revert leaves them as they are."""
    return frozenset() if actor is None else fields_hidden(user=actor, obj=obj)


def version_differences(
    obj: Model, version: Any, *, hidden: Collection[str] = ()
) -> dict[str, Any]:
    """Field name to the version's value (keys as ids), for the reverted fields that differ.

    ``hidden`` fields are left out: what the reader may not see is not compared.
    """
    model = type(obj)
    differences = {}
    for name in policy_for(model).revert_fields:
        if name in hidden:
            continue
        attname = _field(model, name).attname
        old = getattr(version, attname)
        if old != getattr(obj, attname):
            differences[name] = old
    return differences


def _target(model: type[Model], pk: Any, message: str) -> Any:
    """The row a foreign key of the version points to; refuse when it is gone."""
    if pk is None:
        return None
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise ValidationError(message)
    return found


def nothing_to_revert_message(*, hidden: Collection[str]) -> str:
    """Why a revert has nothing to do; to a reader with hidden fields, only what they see."""
    if hidden:
        return _(
            "In the fields you may see, this version is the current state: there is nothing to revert."
        )
    return _("This version is the current state: there is nothing to revert.")


def _apply_flag(
    active: bool, restore: Callable[..., Any], deactivate: Callable[..., Any], **kwargs: Any
) -> None:
    (restore if active else deactivate)(**kwargs)


def _prepare(
    obj: Model, version: Any, actor: Employee | None, reason: str, perm: str
) -> tuple[Any, dict]:
    """The checks every revert starts with; the current row (locked) and what differs."""
    _check_reason(reason)
    # Locked: the differences computed here are the ones the services then apply.
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    _check_version(current, version)
    services.authorize(actor, perm, current)
    hidden = hidden_from(actor, current)
    changes = version_differences(current, version, hidden=hidden)
    if not changes:
        raise ValidationError(nothing_to_revert_message(hidden=hidden))
    _check_protected(actor, current, changes)
    return current, changes


@transaction.atomic
def department_revert(
    *, department: Department, version: Any, actor: Employee | None, reason: str
) -> Department:
    """Put back a department's fields, parent and active flag as they were in ``version``."""
    current, changes = _prepare(department, version, actor, reason, "org.change_department")
    fields = {n: v for n, v in changes.items() if n in services.DEPARTMENT_EDITABLE}
    if "code" in fields:
        holder = Department.objects.filter(code=fields["code"]).exclude(pk=current.pk).first()
        if holder is not None:
            raise ValidationError(
                _("The code %(code)s of that version is now used by %(department)s.")
                % {"code": fields["code"], "department": holder}
            )
    if "manager" in fields:
        fields["manager"] = _target(
            Employee, fields["manager"], _("The manager of that version no longer exists.")
        )
    note = revert_reason(version=version, reason=_check_reason(reason))
    if "parent" in changes:
        parent = _target(
            Department, changes["parent"], _("The parent of that version no longer exists.")
        )
        services.department_move(
            department=current, parent=parent, actor=actor, reason=note, action=REVERTED
        )
    if fields:
        services.department_update(
            department=current, actor=actor, reason=note, action=REVERTED, **fields
        )
    if "is_active" in changes:
        _apply_flag(
            changes["is_active"],
            services.department_restore,
            services.department_deactivate,
            department=current,
            actor=actor,
            reason=note,
            action=REVERTED,
        )
    return Department.objects.get(pk=current.pk)


def _check_protected(actor: Employee | None, obj: Model, changes: dict[str, Any]) -> None:
    # Reached only for fields the actor sees here (``hidden_from``): it tells them nothing new.
    for name in sorted(policy_for(type(obj)).protected_names & changes.keys()):
        try:
            services.protected_fields_authorize(actor, obj, (name,))
        except services.ScopeRefused as exc:
            # Still a scope refusal (the entry point logs it), with the revert's own words.
            raise services.ScopeRefused(
                _(
                    "That version has a different %(field)s, and you may not change it here. "
                    "Ask someone who may to revert it."
                )
                % {"field": _field(type(obj), name).verbose_name},
                actor=exc.actor,
                perm=exc.perm,
                obj=exc.obj,
            ) from exc


@transaction.atomic
def employee_revert(
    *, employee: Employee, version: Any, actor: Employee | None, reason: str
) -> Employee:
    """Put back an employee's details and active flag as they were in ``version``."""
    current, changes = _prepare(employee, version, actor, reason, "org.change_employee")
    fields = {n: v for n, v in changes.items() if n in services.EMPLOYEE_DETAIL_FIELDS}
    if fields.get("employee_id"):
        holder = Employee.objects.filter(employee_id=fields["employee_id"]).exclude(pk=current.pk)
        if holder.exists():
            raise ValidationError(
                _("The employee ID %(employee_id)s of that version is now used by %(employee)s.")
                % {"employee_id": fields["employee_id"], "employee": holder.first()}
            )
    if "department" in fields:
        fields["department"] = _target(
            Department, fields["department"], _("The department of that version no longer exists.")
        )
    note = revert_reason(version=version, reason=_check_reason(reason))
    if fields:
        services.employee_update(
            employee=current, actor=actor, reason=note, action=REVERTED, **fields
        )
    if "is_active" in changes:
        _apply_flag(
            changes["is_active"],
            services.employee_restore,
            services.employee_deactivate,
            employee=current,
            actor=actor,
            reason=note,
            action=REVERTED,
        )
    return Employee.objects.get(pk=current.pk)


def object_revert(*, obj: Model, version: Any, actor: Employee | None, reason: str) -> Model:
    """Revert a department or an employee (the models that can be reverted)."""
    if isinstance(obj, Department):
        return department_revert(department=obj, version=version, actor=actor, reason=reason)
    if isinstance(obj, Employee):
        return employee_revert(employee=obj, version=version, actor=actor, reason=reason)
    raise ValidationError(_("Records of this kind cannot be reverted."))


def reverted_names(model: type[Model]) -> Iterable[str]:
    return policy_for(model).revert_fields
