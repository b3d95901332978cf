"""Granting, revoking and expiring roles, and the permission log. Every rule lives here."""

import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from apps.access import scope
from apps.access.actions import permission_kind
from apps.access.models import PermissionLog, RoleAssignment
from apps.access.selectors import roles_assignable, valid_now_q
from apps.core.actions import action_log
from apps.core.history import current_actor, mark_change
from apps.core.texts import text_cut, text_stored
from apps.core.validators import reason_clean
from apps.org.models import Department, Employee
from apps.org.services import ScopeRefused, employee_system_account

ASSIGN_PERM = "access.add_roleassignment"
REVOKE_PERM = "access.change_roleassignment"

# Refused object accesses: one entry per user, permission and object per window, and at
# most DENIAL_BURST entries per user per minute, so a crawler cannot flood the log.
DENIAL_WINDOW_SECONDS = 600
DENIAL_BURST = 20

# The object a grant or refusal was about, as the log names it: its kind (the model's
# verbose name) and itself. Stored untranslated, shown in the reader's language.
TARGET = gettext_noop("%(kind)s: %(object)s")


def _log(
    action: str, *, actor: Employee | None, user: Employee | None, detail: str = "", **data: Any
) -> PermissionLog:
    """One permission-log row, through the one action log (it also lands in the audit chain)."""
    row = action_log(
        actor=actor, kind=permission_kind(action), subject=user, reason=detail, data=data
    )
    assert isinstance(row, PermissionLog)  # the permission log is the store of its kinds
    return row


def assignment_check_authority(
    *, actor: Employee, role: Group, department: Department | None
) -> None:
    """Refuse unless ``actor`` may hand out ``role`` at ``department``."""
    if actor.is_superuser:
        return
    snap = scope.snapshot(actor)
    if ASSIGN_PERM not in snap.perms:
        raise ValidationError(_("You may not assign roles."))
    if not roles_assignable(actor).filter(pk=role.pk).exists():
        raise ValidationError(
            _("You cannot assign the role %(role)s: you do not hold it or a role above it.")
            % {"role": role.name}
        )
    if not snap.is_everywhere(ASSIGN_PERM):
        ranges = snap.ranges.get(ASSIGN_PERM, ())
        if department is None or not scope.within(ranges, department):
            raise ValidationError(_("You can only assign roles within the departments you manage."))


@transaction.atomic
def assignment_create(
    *,
    actor: Employee | None,
    user: Employee,
    role: Group,
    department: Department | None = None,
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
    reason: str,
) -> RoleAssignment:
    """Give ``user`` the role, organisation-wide or on a department subtree, for a window.

    ``actor`` None means the system (seeds, commands): no authority check, and the
    system account is named as the one who assigned.
    """
    now = timezone.now()
    valid_from = valid_from or now
    reason = reason_clean(
        reason, missing=_("Give a reason for the assignment; it is kept in the log.")
    )
    if valid_until is not None and valid_until <= valid_from:
        raise ValidationError(_("“Valid until” must be after “valid from”."))
    if valid_until is not None and valid_until <= now:
        raise ValidationError(_("This assignment would already be over."))
    if not user.is_active:
        raise ValidationError(
            _("%(user)s is inactive and cannot be given a role.") % {"user": user}
        )
    if department is not None and not department.is_active:
        raise ValidationError(
            _("The department %(department)s is inactive.") % {"department": department}
        )
    if actor is not None:
        if actor.pk == user.pk:
            raise ValidationError(_("You cannot assign a role to yourself."))
        assignment_check_authority(actor=actor, role=role, department=department)
    overlapping = RoleAssignment.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=valid_from),
        user=user,
        role=role,
        department=department,
        is_active=True,
    )
    if valid_until is not None:
        overlapping = overlapping.filter(valid_from__lt=valid_until)
    if overlapping.exists():
        raise ValidationError(
            _("%(user)s already holds %(role)s there for part of this period.")
            % {"user": user, "role": role.name}
        )
    assignment = RoleAssignment(
        user=user,
        role=role,
        department=department,
        valid_from=valid_from,
        valid_until=valid_until,
        assigned_by=actor or employee_system_account(),
        reason=reason,
    )
    assignment.full_clean()
    mark_change(assignment, actor=assignment.assigned_by, reason=reason)
    assignment.save()
    _log(
        PermissionLog.Action.GRANTED,
        actor=assignment.assigned_by,
        user=user,
        role=role,
        department=department,
        assignment=assignment,
        detail=reason,
    )
    groups_sync(users=[user])
    scope.snapshot_forget(user)
    return assignment


@transaction.atomic
def assignment_revoke(
    *, assignment: RoleAssignment, actor: Employee | None, reason: str
) -> RoleAssignment:
    """End an assignment now (or cancel one not yet started); logged with the reason."""
    reason = reason_clean(
        reason, missing=_("Give a reason for the revocation; it is kept in the log.")
    )
    current = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    now = timezone.now()
    if not current.is_active or (current.valid_until and current.valid_until <= now):
        raise ValidationError(_("This assignment has already ended."))
    if actor is not None:
        assignment_check_authority(actor=actor, role=current.role, department=current.department)
    if current.valid_from > now:
        current.is_active = False  # never started: cancelled
    else:
        current.valid_until = max(now, current.valid_from + datetime.timedelta(microseconds=1))
        current.expiry_logged = True  # the revocation is the log entry
    mark_change(current, actor=actor, reason=reason)
    current.save()
    _log(
        PermissionLog.Action.REVOKED,
        actor=actor,
        user=current.user,
        role=current.role,
        department=current.department,
        assignment=current,
        detail=reason,
    )
    groups_sync(users=[current.user])
    scope.snapshot_forget(current.user)
    return current


def groups_sync(*, users: list[Employee] | None = None, at: datetime.datetime | None = None) -> int:
    """Make group membership mirror the assignments valid at ``at``; return rows changed.

    Membership is for display and for other tools; rights never depend on it.
    """
    at = at or timezone.now()
    through = Employee.groups.through
    valid = RoleAssignment.objects.filter(valid_now_q(at))
    current = through.objects.all()
    if users is not None:
        ids = [u.pk for u in users]
        valid = valid.filter(user_id__in=ids)
        current = current.filter(employee_id__in=ids)
    wanted = set(valid.values_list("user_id", "role_id"))
    have = {(row.employee_id, row.group_id): row.pk for row in current}
    stale = [pk for pair, pk in have.items() if pair not in wanted]
    through.objects.filter(pk__in=stale).delete()
    missing = [through(employee_id=u, group_id=g) for u, g in wanted - have.keys()]
    through.objects.bulk_create(missing)
    return len(stale) + len(missing)


@transaction.atomic
def assignments_tidy(*, at: datetime.datetime | None = None) -> dict[str, int]:
    """Log the expiries that happened and bring group membership in line (beat task)."""
    at = at or timezone.now()
    expired = list(
        RoleAssignment.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(is_active=True, expiry_logged=False, valid_until__lte=at)
        .select_related("user", "role", "department")
    )
    for assignment in expired:
        _log(
            PermissionLog.Action.EXPIRED,
            at=assignment.valid_until,
            actor=None,
            user=assignment.user,
            role=assignment.role,
            department=assignment.department,
            assignment=assignment,
        )
    RoleAssignment.objects.filter(pk__in=[a.pk for a in expired]).update(expiry_logged=True)
    return {"expired": len(expired), "memberships_changed": groups_sync(at=at)}


def permission_change_record(
    *, action: str, user: Employee, permission: Any, target: Model | None = None
) -> PermissionLog:
    """Log a direct or per-object grant or revocation, naming who acted (if anyone)."""
    actor = current_actor()
    code = f"{permission.content_type.app_label}.{permission.codename}"
    return _log(
        action,
        actor=actor if getattr(actor, "pk", None) else None,
        user=user,
        permission=code[:150],
        target="" if target is None else target_stored(target),
    )


def target_stored(obj: Model) -> str:
    """``obj`` as the permission log keeps it (``TARGET``), cut to fit its column."""
    limit = PermissionLog._meta.get_field("target").max_length or 300
    return text_cut(text_stored(TARGET, kind=obj._meta.verbose_name, object=str(obj)), limit)


def object_grant_check(*, actor: Employee, user_id: Any) -> None:
    """Per-object grants follow the assignment rule: nobody grants themselves anything."""
    if str(actor.pk) == str(user_id):
        raise ValidationError(_("You cannot grant permissions to yourself."))


def denial_record(*, user: Any, perm: str, obj: Model, where: str = "") -> bool:
    """Log that ``user`` was refused ``perm`` on ``obj``; rate-limited. True if written.

    Call it where no transaction can roll the row back (the entry point, after the
    service's block). The rate-limit keys are set once the row is committed
    (``on_commit``): a write that fails or is rolled back silences nothing. Two
    simultaneous refusals may both be written; the limit is against floods, not exact.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    target = f"{obj._meta.label_lower}:{obj.pk}"
    window = f"access:denied:{user.pk}:{perm}:{target}"
    bucket = f"access:denied-burst:{user.pk}:{int(timezone.now().timestamp() // 60)}"
    if cache.get(window) is not None or (cache.get(bucket) or 0) >= DENIAL_BURST:
        return False
    _log(
        PermissionLog.Action.DENIED,
        actor=user,  # who was refused: the one who tried
        user=user,
        permission=perm[:150],
        target=target_stored(obj),
        detail=where[:500],
    )
    transaction.on_commit(lambda: _denial_count(window=window, bucket=bucket))
    return True


def _denial_count(*, window: str, bucket: str) -> None:
    """Start the window of a logged refusal and count it in its user's minute."""
    cache.set(window, 1, DENIAL_WINDOW_SECONDS)
    cache.add(bucket, 0, 120)
    try:
        cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, 120)


def refusal_record(*, error: ValidationError, where: str) -> bool:
    """Log the scope refusal (``ScopeRefused``) a service raised; True if written.

    Entry points call it with every ValidationError they catch from a service, after
    the service's transaction has ended. Logged: a permission the actor holds elsewhere,
    refused on a record (someone reaching outside their scope); other refusals are not.
    """
    for refused in getattr(error, "error_list", ()):
        if not isinstance(refused, ScopeRefused) or not isinstance(refused.obj, Model):
            continue
        if refused.perm in scope.snapshot(refused.actor).perms:
            return denial_record(
                user=refused.actor, perm=refused.perm, obj=refused.obj, where=where
            )
    return False
