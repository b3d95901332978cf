"""Every write to departments and employees, with the rules that guard it."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from apps.core import live
from apps.core.history import is_system_account, mark_change, system_actor
from apps.core.registry import policy_for
from apps.org import tree
from apps.org.codes import code_candidates, code_stem, employee_id_format
from apps.org.models import ACCOUNT_FIELDS, ACCOUNT_PERM, ORGANISATION, Department, Employee
from apps.org.selectors import department_deactivation_blockers
from apps.org.signals import employee_email_changed
from apps.org.validators import normalize_phone

# History reasons are stored untranslated (one language in the audit trail); the
# strings are marked so the history screens can translate them when shown.
REASON_MOVED = gettext_noop("Moved")
REASON_DEACTIVATED = gettext_noop("Deactivated")
REASON_RESTORED = gettext_noop("Restored")
REASON_PASSWORD_SET = gettext_noop("Password set by someone else")
REASON_PASSWORD_CHANGED = gettext_noop("Password changed")

DEPARTMENT_EDITABLE = frozenset({"name", "code", "manager", "description"})
# The employee's own details, in form order; what services may change adds the account flags.
EMPLOYEE_DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "employee_id",
    "department",
    "position",
    "phone",
    "hire_date",
    "salary",
)
# Changed on the record after the person has joined (not asked when the account is made).
EMPLOYEE_EMERGENCY_FIELDS = (
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
)
EMPLOYEE_EDITABLE = frozenset(
    {"username", *EMPLOYEE_DETAIL_FIELDS, *EMPLOYEE_EMERGENCY_FIELDS, "is_staff", "is_superuser"}
)


def _save_active_flag(
    obj: Any, *, active: bool, actor: Employee | None, reason: str, action: str | None = None
) -> Any:
    """Flip the soft-delete flag and nothing else, with the reason in history."""
    obj.is_active = active
    mark_change(obj, actor=actor, reason=reason, action=action)
    obj.save(update_fields=["is_active", "updated_at"])
    return obj


def _is_system(actor: Employee | None) -> bool:
    return actor is None or is_system_account(actor)


def _person(actor: Employee | None) -> Employee | None:
    """The person acting; None when the system acts (no actor, or the system account)."""
    return None if _is_system(actor) else actor


def account_authorize(actor: Employee | None, employee: Employee) -> None:
    """Refuse changing the account of someone the actor does not outrank.

    Scope says which records a person may edit; rank says whose sign-in details,
    contact address, activation, devices and sessions (apps.access.ranks has the rule,
    the auth backend answers it).
    """
    person = _person(actor)
    if person is None or person.has_perm(ACCOUNT_PERM, employee):
        return
    raise ValidationError(
        _(
            "%(person)s holds a role of the same or a higher rank than yours: only someone "
            "above them can change their sign-in details, contact address or account."
        )
        % {"person": employee.get_full_name() or employee.get_username()}
    )


def _flags_authorize(actor: Employee | None, flags: set[str]) -> None:
    """Only superusers make someone staff or superuser, or take it away (``flags``: set
    or changed)."""
    person = _person(actor)
    if flags & {"is_staff", "is_superuser"} and not (person is None or person.is_superuser):
        raise ValidationError(_("Only a superuser can change staff or superuser status."))


class ScopeRefused(ValidationError):
    """``authorize`` refused ``actor`` the permission ``perm`` on ``obj``.

    A ValidationError like any other refusal, carrying what was refused so that the
    entry point (admin, views) can log it once the service's transaction has ended:
    a log row written inside it would be rolled back with the refused change.
    """

    def __init__(self, message: str, *, actor: Employee, perm: str, obj: Any) -> None:
        super().__init__(message)
        self.actor = actor
        self.perm = perm
        self.obj = obj


def authorize(actor: Employee | None, perm: str, obj: Any) -> None:
    """Refuse a person acting on ``obj`` without ``perm`` there (``ScopeRefused``).

    The auth backend applies the scope (a manager's department subtree), so this one
    call keeps every entry point (admin, tree page, actions) inside it. No actor, or
    the system account, is the system acting on someone's earlier, checked request.
    """
    person = _person(actor)
    if person is None or person.has_perm(perm, obj):
        return
    if obj is ORGANISATION:
        message = _("Only people with organisation-wide rights may place a department at the top.")
    elif isinstance(obj, Department):
        message = _("That department is outside the ones you may change.")
    else:
        message = _("That record is outside the ones you may change.")
    raise ScopeRefused(message, actor=person, perm=perm, obj=obj)


def protected_fields_authorize(actor: Employee | None, obj: Any, names: Iterable[str]) -> None:
    """Refuse changing a protected field of ``obj`` (salary) without its change permission there."""
    names = set(names)
    for protected in policy_for(type(obj)).protected:
        if protected.name in names and protected.change_perm:
            authorize(actor, protected.change_perm, obj)


# --- Departments -----------------------------------------------------------------


def department_code_suggest(*, name: str, exclude: Department | None = None) -> str:
    """Suggest a free code for ``name``: its initials, then variants with letter suffixes."""
    stem = code_stem(name)
    similar = Department.objects.filter(code__startswith=stem[:2])
    if exclude is not None:
        similar = similar.exclude(pk=exclude.pk)
    taken = set(similar.values_list("code", flat=True))
    for candidate in code_candidates(stem):
        if candidate not in taken:
            return candidate
    raise ValidationError(_("No free department code is left for this name; enter one."))


def department_parent_check(*, department: Department, parent: Department | None) -> None:
    """Refuse an inactive parent, the department itself, or one of its descendants."""
    if parent is None:
        return
    if not parent.is_active:
        raise ValidationError(
            _("%(parent)s is inactive; a department cannot be placed under it.")
            % {"parent": parent}
        )
    if department.pk and tree.department_contains(ancestor=department, department=parent):
        raise ValidationError(
            _("%(department)s cannot be moved under itself or one of its own sub-departments.")
            % {"department": department}
        )


@transaction.atomic
def department_create(
    *,
    actor: Employee | None,
    name: str,
    code: str = "",
    parent: Department | None = None,
    manager: Employee | None = None,
    description: str = "",
) -> Department:
    """Create a department; the code is suggested from the name when blank.

    A top-level department (no parent) needs the right organisation-wide.
    """
    authorize(actor, "org.add_department", parent if parent is not None else ORGANISATION)
    department = Department(
        name=name.strip(),
        code=code or department_code_suggest(name=name),
        parent=parent,
        manager=manager,
        description=description,
    )
    department_parent_check(department=department, parent=parent)
    department.full_clean(exclude=list(tree.node_fields(level=True)))
    mark_change(department, actor=actor)
    department.save()
    return department


@transaction.atomic
def department_update(
    *,
    department: Department,
    actor: Employee | None,
    reason: str = "",
    action: str | None = None,
    **changes: Any,
) -> Department:
    """Change a department's own fields; a new ``parent`` goes through the move rules.

    ``action`` names the change in the trail when it is not a plain edit (a revert).
    """
    unknown = set(changes) - DEPARTMENT_EDITABLE - {"parent"}
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    # Lock the row so two editors cannot interleave a move and an edit.
    current = Department.objects.select_for_update().get(pk=department.pk)
    authorize(actor, "org.change_department", current)
    new_parent = changes.pop("parent", current.parent)
    if new_parent != current.parent:
        current = department_move(
            department=current, parent=new_parent, actor=actor, reason=reason, action=action
        )
        if not changes:
            return current  # a move alone: one version, not a second empty one
    for field, value in changes.items():
        setattr(current, field, value)
    if not current.code:
        current.code = department_code_suggest(name=current.name, exclude=current)
    current.full_clean(exclude=[*tree.node_fields(level=True), "parent"])
    mark_change(current, actor=actor, reason=reason, action=action)
    current.save()
    return current


@transaction.atomic
def department_move(
    *,
    department: Department,
    parent: Department | None,
    actor: Employee | None,
    reason: str = "",
    action: str | None = None,
) -> Department:
    """Re-parent a department and its subtree; refuse cycles and inactive targets.

    Moving to the top (no parent) needs the right organisation-wide: within a subtree
    it would cut the subtree off from the rest of the organisation.
    """
    # Fresh tree coordinates under a lock: a concurrent move may have shifted them.
    department = Department.objects.select_for_update().get(pk=department.pk)
    authorize(actor, "org.change_department", department)
    if parent is not None:
        parent = Department.objects.get(pk=parent.pk)
        authorize(actor, "org.change_department", parent)
    elif department.parent_id is not None:
        authorize(actor, "org.change_department", ORGANISATION)
    department_parent_check(department=department, parent=parent)
    department.parent = parent
    mark_change(department, actor=actor, reason=reason or REASON_MOVED, action=action)
    department.save()
    return department


@transaction.atomic
def department_deactivate(
    *, department: Department, actor: Employee | None, reason: str = "", action: str | None = None
) -> Department:
    """Deactivate a department; refuse while it has active employees or sub-departments."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    authorize(actor, "org.change_department", department)
    if not department.is_active:
        return department
    blockers = department_deactivation_blockers(department=department)
    if blockers["employees"] or blockers["children"]:
        raise ValidationError(
            _(
                "%(department)s cannot be deactivated: it still has %(employees)d active "
                "employee(s) and %(children)d active sub-department(s). Move or deactivate "
                "them first."
            )
            % {"department": department, **blockers}
        )
    return _save_active_flag(
        department, active=False, actor=actor, reason=reason or REASON_DEACTIVATED, action=action
    )


@transaction.atomic
def department_restore(
    *, department: Department, actor: Employee | None, reason: str = "", action: str | None = None
) -> Department:
    """Reactivate a department; its parent must be active first."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    authorize(actor, "org.change_department", department)
    if department.is_active:
        return department
    if department.parent_id and not Department.objects.get(pk=department.parent_id).is_active:
        raise ValidationError(
            _("Restore the parent department %(parent)s first.") % {"parent": department.parent}
        )
    return _save_active_flag(
        department, active=True, actor=actor, reason=reason or REASON_RESTORED, action=action
    )


# --- Employees ---------------------------------------------------------------------


def employee_id_next() -> str:
    """The next free sequential employee id (E000001, E000002, ...)."""
    pattern = rf"^E[0-9]{{{6}}}$"
    last = Employee.objects.filter(employee_id__regex=pattern).aggregate(m=Max("employee_id"))["m"]
    number = int(last[1:]) + 1 if last else 1
    return employee_id_format(number)


def employee_department_check(department: Department | None) -> None:
    """Refuse placing anyone in no department, or in an inactive one."""
    if department is None:
        raise ValidationError(_("Every employee belongs to a department; choose one."))
    if not department.is_active:
        raise ValidationError(
            _("%(department)s is inactive; employees cannot be placed in it.")
            % {"department": department}
        )


def _employee_save(
    employee: Employee, *, actor: Employee | None, reason: str = "", action: str | None = None
) -> Employee:
    """Validate and save; generate the employee id, retrying if a concurrent create took it."""
    if employee.phone:
        employee.phone = normalize_phone(employee.phone)
    generated = not employee.employee_id
    for _attempt in range(5):
        if generated:
            employee.employee_id = employee_id_next()
        employee.full_clean()
        mark_change(employee, actor=actor, reason=reason, action=action)
        try:
            with transaction.atomic():
                employee.save()
        except IntegrityError:
            if not generated:
                raise
            continue
        return employee
    raise ValidationError(_("Could not allocate an employee ID; try again."))


@transaction.atomic
def employee_create(
    *,
    actor: Employee | None,
    username: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    employee_id: str = "",
    department: Department | None = None,
    position: str = "",
    phone: str = "",
    hire_date: datetime.date | None = None,
    salary: Decimal | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> Employee:
    """Create an employee account; without a password the account cannot log in yet.

    People always belong to a department; only the system (seeds, the system account)
    creates accounts outside the tree.
    """
    if department is not None or not _is_system(actor):
        authorize(actor, "org.add_employee", department)
        employee_department_check(department)
    flags = {f for f, on in (("is_staff", is_staff), ("is_superuser", is_superuser)) if on}
    _flags_authorize(actor, flags)
    employee = Employee(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=Employee.objects.normalize_email(email),
        employee_id=employee_id,
        department=department,
        position=position,
        phone=phone,
        hire_date=hire_date,
        salary=salary,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        employee.set_password(password)
    else:
        employee.set_unusable_password()
    return _employee_save(employee, actor=actor)


@transaction.atomic
def employee_update(
    *,
    employee: Employee,
    actor: Employee | None,
    reason: str = "",
    action: str | None = None,
    **changes: Any,
) -> Employee:
    """Change an employee's fields; moving them needs an active target department.

    ``action`` names the change in the trail when it is not a plain edit (a revert).

    Account fields (``ACCOUNT_FIELDS``) need rank as well as scope; staff and superuser
    status need a superuser. A changed e-mail address is announced (``signals``): the
    old address is told, and second-factor codes stop going to either address.
    """
    unknown = set(changes) - EMPLOYEE_EDITABLE
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    current = Employee.objects.select_for_update().get(pk=employee.pk)
    authorize(actor, "org.change_employee", current)
    changed = {f: v for f, v in changes.items() if getattr(current, f) != v}
    if "email" in changed:
        changed["email"] = Employee.objects.normalize_email(changed["email"])
        if changed["email"] == current.email:
            del changed["email"]
    if changed.keys() & ACCOUNT_FIELDS:
        account_authorize(actor, current)
    _flags_authorize(actor, set(changed))
    protected_fields_authorize(actor, current, changed)
    if "department" in changed:
        # Into a department where the actor may change employees, never out of scope.
        authorize(actor, "org.change_employee", changed["department"])
        employee_department_check(changed["department"])
    old_email = current.email
    for field, value in changed.items():
        setattr(current, field, value)
    saved = _employee_save(current, actor=actor, reason=reason, action=action)
    if "email" in changed:
        employee_email_changed.send(
            sender=Employee, employee=saved, old_email=old_email, actor=actor
        )
    return saved


@transaction.atomic
def employee_password_set(
    *, employee: Employee, actor: Employee | None, password: str | None, reason: str = ""
) -> Employee:
    """Set someone's password (None: password sign-in disabled); rank and scope apply.

    The change is a version of the employee (``password_changed_at``) with the actor and
    reason, so the trail shows who set it; saving a new password ends the person's
    sessions (``apps.security.sessions.EndSessionsOnPasswordChange``).
    """
    current = Employee.objects.select_for_update().get(pk=employee.pk)
    own = actor is not None and actor.pk == current.pk
    if not own:
        authorize(actor, "org.change_employee", current)
        account_authorize(actor, current)
    if password:
        current.set_password(password)
    else:
        current.set_unusable_password()
    default = REASON_PASSWORD_CHANGED if own or _is_system(actor) else REASON_PASSWORD_SET
    mark_change(current, actor=actor, reason=reason or default)
    current.save()
    return current


# What people may change about themselves on their profile page; the password has
# Django's own page (it needs the old password).
PROFILE_EDITABLE = frozenset({"phone"})


@transaction.atomic
def employee_profile_update(*, employee: Employee, actor: Employee, **changes: Any) -> Employee:
    """A person changes their own details (``PROFILE_EDITABLE``), with no other right."""
    if actor.pk != employee.pk:
        raise ValidationError(_("You can only change your own profile here."))
    unknown = set(changes) - PROFILE_EDITABLE
    if unknown:
        raise ValidationError(
            _("These cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    current = Employee.objects.select_for_update().get(pk=employee.pk)
    for field, value in changes.items():
        setattr(current, field, value)
    return _employee_save(current, actor=actor)


@transaction.atomic
def employee_deactivate(
    *, employee: Employee, actor: Employee | None, reason: str = "", action: str | None = None
) -> Employee:
    """Deactivate an account: it can no longer log in; its records stay."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    authorize(actor, "org.change_employee", employee)
    if actor is not None and actor.pk == employee.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    account_authorize(actor, employee)
    if not employee.is_active:
        return employee
    # Their open WebSockets close once this commits (4410, as the sign-in gate refuses).
    live.sockets_close(users=[employee], code=live.CLOSE_DEACTIVATED)
    return _save_active_flag(
        employee, active=False, actor=actor, reason=reason or REASON_DEACTIVATED, action=action
    )


@transaction.atomic
def employee_restore(
    *, employee: Employee, actor: Employee | None, reason: str = "", action: str | None = None
) -> Employee:
    """Reactivate an account; its department must be active."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    authorize(actor, "org.change_employee", employee)
    account_authorize(actor, employee)
    if employee.is_active:
        return employee
    if employee.department_id:
        employee_department_check(Department.objects.get(pk=employee.department_id))
    return _save_active_flag(
        employee, active=True, actor=actor, reason=reason or REASON_RESTORED, action=action
    )


def employee_system_account() -> Employee:
    """The named actor for changes no person made (seeds, scheduled jobs); cannot log in."""
    return system_actor()
