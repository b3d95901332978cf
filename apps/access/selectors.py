"""Reads about role assignments: which are valid at a moment, which roles a user holds,
and why a user may or may not do something (``access_explain``)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Field, Model, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from guardian.models import UserObjectPermission

from apps.access import scope
from apps.access.models import RoleAssignment
from apps.access.roles import ROLE_LABELS, ROLE_RANK, role_rank
from apps.core.registry import policy_for
from apps.org import tree
from apps.org.models import Department, Employee


def valid_now_q(at: datetime.datetime) -> Q:
    return Q(is_active=True, valid_from__lte=at) & (
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)
    )


def roles_held(user: Employee, *, at: datetime.datetime | None = None) -> set[str]:
    """Names of the roles ``user`` holds through assignments valid at ``at``."""
    at = at or timezone.now()
    return set(
        RoleAssignment.objects.filter(valid_now_q(at), user=user).values_list(
            "role__name", flat=True
        )
    )


def roles_assignable(user: Employee) -> QuerySet[Group]:
    """The roles ``user`` may hand out: those they hold, and every role ranked below them."""
    if user.is_superuser:
        return Group.objects.all()
    held = roles_held(user)
    top = max((role_rank(name) for name in held), default=0)
    below = [name for name, rank in ROLE_RANK.items() if rank < top]
    return Group.objects.filter(name__in=[*held, *below])


# --- Explaining access -------------------------------------------------------------
# Every path that could give a user a permission, and whether it does: the "Explain
# access" page. The verdicts agree with scope.snapshot_read + scope.allows_in (a test
# checks it): each path is judged with the same Snapshot/allows_in rules, one at a time.

ACTIONS = ("view", "add", "change", "delete")
PERM_LABELS = {
    "view": _("View"),
    "add": _("Add"),
    "change": _("Change"),
    "delete": _("Delete"),
}


class PathKind(models.TextChoices):
    SUPERUSER = "superuser", _("superuser")
    INACTIVE = "inactive", _("inactive user")
    ASSIGNMENT = "assignment", _("role assignment")
    GROUP = "group", _("group membership")
    DIRECT = "direct", _("direct permission")
    OBJECT_GRANT = "object_grant", _("per-object grant")
    DEPARTMENT_GRANT = "department_grant", _("per-object grant on a department")
    NOTHING = "nothing", _("nothing")


class AssignmentState(models.TextChoices):
    VALID = "valid", _("valid now")
    FUTURE = "future", _("not yet valid")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


@dataclass(frozen=True)
class AccessPath:
    """One way ``perm`` could reach the user; ``grants`` says whether it does."""

    kind: str
    grants: bool
    text: str
    state: str = ""


@dataclass(frozen=True)
class ActionAccess:
    """One permission: the verdict and every path behind it."""

    perm: str
    label: str
    allowed: bool
    paths: tuple[AccessPath, ...]


@dataclass
class _Sources:
    """The rows that may give the permissions, read once for every action."""

    perms: dict[int, str]
    role_perms: dict[Any, set[str]]
    assignments: list[RoleAssignment]
    groups: list[Group]
    direct: set[str]
    grants: list[UserObjectPermission]
    granted_departments: dict[str, Department]


def explain_perms(model: type[Model]) -> list[str]:
    """The permissions the explanation covers for ``model``: the four actions, then those of
    its protected fields and its extras (as registered with the model)."""
    opts = model._meta
    policy = policy_for(model)
    actions = (f"{opts.app_label}.{action}_{opts.model_name}" for action in ACTIONS)
    return list(dict.fromkeys((*actions, *policy.field_perms, *policy.extra_perms)))


def _perm_labels(model: type[Model]) -> dict[str, str]:
    """What each permission of ``model``'s protected fields is called ("View salary")."""
    labels = {}
    for protected in policy_for(model).protected:
        field = model._meta.get_field(protected.name)
        name = field.verbose_name if isinstance(field, Field) else protected.name
        labels[protected.view_perm] = _("View %(field)s") % {"field": name}
        if protected.change_perm:
            labels[protected.change_perm] = _("Change %(field)s") % {"field": name}
    return labels


def _perm_label(perm: str, fields: dict[str, str]) -> str:
    action = perm.split(".", 1)[1].split("_", 1)[0]
    return str(fields.get(perm) or PERM_LABELS.get(action) or perm)


def _perm_ids(perms: list[str]) -> dict[int, str]:
    """Permission ids, each with its "app_label.codename" (as the snapshot names them)."""
    query = Q(pk__in=[])
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    rows = Permission.objects.filter(query).values_list("pk", "content_type__app_label", "codename")
    return {pk: f"{app_label}.{codename}" for pk, app_label, codename in rows}


def _sources(*, user: Employee, perms: list[str], obj: Model | None) -> _Sources:
    by_id = _perm_ids(perms)
    role_perms: dict[Any, set[str]] = defaultdict(set)
    for group_id, perm_id in Group.permissions.through.objects.filter(
        permission_id__in=by_id
    ).values_list("group_id", "permission_id"):
        role_perms[group_id].add(by_id[perm_id])
    grants = _grants(user=user, perm_ids=list(by_id), obj=obj)
    department_ct = ContentType.objects.get_for_model(Department).pk
    wanted = [g.object_pk for g in grants if g.content_type_id == department_ct]
    return _Sources(
        perms=by_id,
        role_perms=role_perms,
        assignments=list(
            RoleAssignment.objects.filter(user=user, role_id__in=role_perms)
            .select_related("role", "department")
            .order_by("valid_from")
        ),
        groups=list(user.groups.filter(pk__in=role_perms).order_by("name")),
        direct={
            by_id[pk]
            for pk in user.user_permissions.filter(pk__in=by_id).values_list("pk", flat=True)
        },
        grants=grants,
        granted_departments={str(d.pk): d for d in Department.objects.filter(pk__in=wanted)},
    )


def _grants(
    *, user: Employee, perm_ids: list[int], obj: Model | None
) -> list[UserObjectPermission]:
    """The user's object grants that may matter: all of them, or those on obj or a department."""
    grants = UserObjectPermission.objects.filter(user_id=user.pk, permission_id__in=perm_ids)
    if obj is not None:
        grants = grants.filter(
            Q(content_type=ContentType.objects.get_for_model(type(obj)), object_pk=str(obj.pk))
            | Q(content_type=ContentType.objects.get_for_model(Department))
        )
    return list(grants.select_related("content_type").order_by("content_type_id", "object_pk"))


def _in_subtree(department: Department, perm: str, obj: Model, at: datetime.datetime) -> bool:
    """Does a right on ``department``'s subtree reach ``obj``? Asked as scope asks it."""
    ranges = (tree.subtree_of(department),)
    return scope.allows_in(scope.Snapshot(at=at, ranges={perm: ranges}), perm, obj)


def _when(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


def _assignment_state(assignment: RoleAssignment, at: datetime.datetime) -> AssignmentState:
    if not assignment.is_active:
        return AssignmentState.REVOKED
    if assignment.valid_from > at:
        return AssignmentState.FUTURE
    if assignment.valid_until is not None and assignment.valid_until <= at:
        return AssignmentState.EXPIRED
    return AssignmentState.VALID


def _assignment_path(
    assignment: RoleAssignment, perm: str, obj: Model | None, at: datetime.datetime
) -> AccessPath:
    state = _assignment_state(assignment, at)
    values = {
        "role": ROLE_LABELS.get(assignment.role.name, assignment.role.name),
        "start": _when(assignment.valid_from),
        "end": _when(assignment.valid_until) if assignment.valid_until else _("open-ended"),
        "state": state.label,
    }
    department = assignment.department
    if department is None:
        text = _("Role assignment: %(role)s, organisation-wide, %(start)s – %(end)s, %(state)s")
        grants = state == AssignmentState.VALID
        return AccessPath(PathKind.ASSIGNMENT, grants, str(text) % values, state)
    values["department"] = str(department)
    reaches = obj is None or _in_subtree(department, perm, obj, at)
    if obj is None:
        where = _("the records in the subtree of %(department)s only")
    elif reaches:
        where = _("%(department)s contains this record")
    else:
        where = _("this record is outside %(department)s")
    text = _("Role assignment: %(role)s, scoped on %(department)s, %(start)s – %(end)s, %(state)s")
    return AccessPath(
        PathKind.ASSIGNMENT,
        state == AssignmentState.VALID and reaches,
        f"{str(text) % values} — {str(where) % values}",
        state,
    )


def _group_paths(sources: _Sources, perm: str, at: datetime.datetime) -> list[AccessPath]:
    """Groups holding ``perm`` that the user is in with no assignment valid at ``at``."""
    valid_roles = {
        a.role_id for a in sources.assignments if _assignment_state(a, at) == AssignmentState.VALID
    }
    text = _("Group membership of %(role)s without a valid assignment: grants nothing")
    return [
        AccessPath(PathKind.GROUP, False, str(text) % {"role": ROLE_LABELS.get(g.name, g.name)})
        for g in sources.groups
        if perm in sources.role_perms.get(g.pk, ()) and g.pk not in valid_roles
    ]


def _grant_paths(
    sources: _Sources, perm: str, obj: Model | None, at: datetime.datetime
) -> list[AccessPath]:
    """Per-object grants of ``perm``: on the object, or on a department whose subtree holds it."""
    grants = [g for g in sources.grants if sources.perms.get(g.permission_id) == perm]
    paths = []
    counts: dict[str, int] = defaultdict(int)
    department_ct = ContentType.objects.get_for_model(Department).pk
    obj_key = (
        (ContentType.objects.get_for_model(type(obj)).pk, str(obj.pk)) if obj is not None else None
    )
    for grant in grants:
        department = sources.granted_departments.get(grant.object_pk)
        if (grant.content_type_id, grant.object_pk) == obj_key:
            paths.append(AccessPath(PathKind.OBJECT_GRANT, True, str(_("Grant on this record"))))
        elif department is not None and grant.content_type_id == department_ct:
            paths.append(_department_grant_path(department, perm, obj, at))
        elif obj is None:
            counts[grant.content_type.name] += 1
    for model_name, count in sorted(counts.items()):
        text = ngettext(
            "Grant on %(count)d %(model)s record: that record only",
            "Grants on %(count)d %(model)s records: those records only",
            count,
        ) % {"count": count, "model": model_name}
        paths.append(AccessPath(PathKind.OBJECT_GRANT, True, text))
    return paths


def _department_grant_path(
    department: Department, perm: str, obj: Model | None, at: datetime.datetime
) -> AccessPath:
    values = {"department": str(department)}
    reaches = obj is None or _in_subtree(department, perm, obj, at)
    if obj is None:
        text = _("Grant on department %(department)s: reaches its subtree")
    elif reaches:
        text = _("Grant on department %(department)s: %(department)s contains this record")
    else:
        text = _("Grant on department %(department)s: this record is outside it")
    return AccessPath(PathKind.DEPARTMENT_GRANT, reaches, str(text) % values)


def _paths(
    sources: _Sources, perm: str, obj: Model | None, at: datetime.datetime
) -> list[AccessPath]:
    paths = [
        _assignment_path(a, perm, obj, at)
        for a in sources.assignments
        if perm in sources.role_perms.get(a.role_id, ())
    ]
    paths += _group_paths(sources, perm, at)
    if perm in sources.direct:
        text = _("Permission given to the user directly: everywhere")
        paths.append(AccessPath(PathKind.DIRECT, True, str(text)))
    paths += _grant_paths(sources, perm, obj, at)
    if not any(p.grants for p in paths):
        paths.append(AccessPath(PathKind.NOTHING, False, str(_("Nothing grants this"))))
    return paths


def access_explain(
    *,
    user: Employee,
    model: type[Model],
    obj: Model | None = None,
    at: datetime.datetime | None = None,
) -> list[ActionAccess]:
    """Each action on ``model`` (or on ``obj``): allowed or not, and every path behind it.

    Rights come from assignments valid at ``at`` (default now), direct permissions and
    object grants, as in ``scope``; group membership alone grants nothing.
    """
    at = at or timezone.now()
    perms = explain_perms(model)
    labels = _perm_labels(model)
    if not user.is_active:
        only = AccessPath(PathKind.INACTIVE, False, str(_("Inactive user: grants nothing")))
    elif user.is_superuser:
        only = AccessPath(PathKind.SUPERUSER, True, str(_("Superuser: every permission")))
    else:
        sources = _sources(user=user, perms=perms, obj=obj)
        result = []
        for perm in perms:
            paths = _paths(sources, perm, obj, at)
            allowed = any(p.grants for p in paths)
            result.append(ActionAccess(perm, _perm_label(perm, labels), allowed, tuple(paths)))
        return result
    return [ActionAccess(perm, _perm_label(perm, labels), only.grants, (only,)) for perm in perms]


def role_holders(role_name: str, *, at: datetime.datetime | None = None) -> QuerySet[Employee]:
    """Active people holding ``role_name`` through an assignment valid at ``at`` (now)."""
    assignments = RoleAssignment.objects.filter(
        valid_now_q(at or timezone.now()), role__name=role_name
    )
    return Employee.objects.filter(is_active=True, role_assignments__in=assignments).distinct()


def assignment_state(
    assignment: RoleAssignment, *, at: datetime.datetime | None = None
) -> AssignmentState:
    """Valid, not yet valid, expired or revoked at ``at`` (now), as the explanation says."""
    return _assignment_state(assignment, at or timezone.now())
