"""Roles as people read them: their names in the reader's language, what each may do.

The role page lists, per model, the actions the matrix (``roles.ROLE_PERMISSIONS``) gives
the role, each named in the reader's language: the four actions as "View", "Add"...,
the others with the name their model declares (``Meta.permissions``). A group that is not
one of ours shows the permissions it holds.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.access.roles import ROLE_LABELS, ROLE_PERMISSIONS, role_permissions
from apps.access.selectors import ACTIONS, PERM_LABELS

ROLE_DESCRIPTIONS = {
    "Administrator": _("Everything, everywhere: every page, every record, every setting."),
    "HR": _(
        "Runs the organisation: departments, employees (salaries included), transfers; "
        "hands out roles below their own."
    ),
    "Manager": _(
        "Their department and everything under it: its people and departments, and the "
        "history of their changes."
    ),
    "Security officer": _(
        "Sign-ins, lockouts, sessions and second factors; reads role assignments and the "
        "permission log."
    ),
    "Auditor": _("Reads everything and its history, salaries excepted; exports the audit trail."),
    "Staff": _("Their own profile, the people directory and the org chart; nobody else's records."),
}


HISTORY_LABEL = _("View history")


def role_label(name: str) -> str:
    """A role's name in the reader's language (a group that is not a role: its own name)."""
    return str(ROLE_LABELS.get(name, name))


def role_description(name: str) -> str:
    label = ROLE_DESCRIPTIONS.get(name)
    return str(label) if label is not None else ""


def roles_with_members(queryset: QuerySet[Group]) -> QuerySet[Group]:
    """Roles annotated with ``members``: people holding them through a valid assignment now."""
    now = timezone.now()
    valid = Q(assignments__is_active=True, assignments__valid_from__lte=now) & (
        Q(assignments__valid_until__isnull=True) | Q(assignments__valid_until__gt=now)
    )
    return queryset.annotate(members=Count("assignments__user", filter=valid, distinct=True))


@dataclass
class ModelRights:
    """What a role may do with one model: its name and the actions, in the reader's language."""

    model: str
    app: str
    actions: list[str] = field(default_factory=list)


def _permissions(group: Group) -> list[Permission]:
    if group.name in ROLE_PERMISSIONS:
        return role_permissions(group.name)
    return list(group.permissions.all())


def _action_label(model: Any, codename: str) -> str:
    action, _sep, rest = codename.partition("_")
    if action in ACTIONS and rest == model._meta.model_name:
        return str(PERM_LABELS[action])
    declared = dict(model._meta.permissions)
    return str(capfirst(declared.get(codename, codename)))


def _rights_row(model: Any) -> ModelRights:
    if model is Group:  # Django's groups are our roles, shown under Access
        return ModelRights(model=str(_("Roles")), app=str(_("Access")))
    return ModelRights(
        model=str(capfirst(model._meta.verbose_name_plural)),
        app=str(model._meta.app_config.verbose_name),
    )


def role_rights(group: Group) -> list[ModelRights]:
    """Per model (in app, then model order), the actions ``group`` may take, translated."""
    perms = Permission.objects.filter(pk__in=[p.pk for p in _permissions(group)]).select_related(
        "content_type"
    )
    rows: dict[tuple[str, str], ModelRights] = {}
    order: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for perm in perms:
        model = perm.content_type.model_class()
        if model is None:
            continue
        # simple-history's "view historical employee": the employees' history.
        tracked = getattr(model, "instance_type", None)
        if tracked is not None:
            model, label, rank = tracked, str(HISTORY_LABEL), len(ACTIONS)
        else:
            action, _sep, rest = perm.codename.partition("_")
            basic = action in ACTIONS and rest == model._meta.model_name
            rank = ACTIONS.index(action) if basic else len(ACTIONS) + 1
            label = _action_label(model, perm.codename)
        key = (str(model._meta.app_label), str(model._meta.model_name))
        row = rows.get(key)
        if row is None:
            row = rows[key] = _rights_row(model)
            order[key] = []
        order[key].append((rank, label))
    for key, row in rows.items():
        row.actions = list(dict.fromkeys(label for _rank, label in sorted(order[key])))
    return sorted(rows.values(), key=lambda r: (r.app, r.model))
