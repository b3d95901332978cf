"""Batches of department moves: preview what each does, then apply all or none.

The tree page collects moves without saving them. ``department_moves_preview``
says, per move, what moves (departments, people), the old and new chain of
departments above it and which of them have managers who gain or lose these
people (the views show only the departments their reader may see);
``department_moves_apply``
applies the whole batch atomically with a required reason, refusing it when
the tree changed since the page read ``department_tree_version``.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from apps.core.validators import reason_clean
from apps.org import tree
from apps.org.models import Department, Employee
from apps.org.selectors import department_subtree, employees_in_subtree
from apps.org.services import department_move

MAX_MOVES = 50
MAX_REASON = 2000
TARGETS_LIMIT = 20


@dataclass(frozen=True)
class Move:
    department: Department
    parent: Department | None


@dataclass
class MovePreview:
    department: Department
    parent: Department | None
    departments: int
    employees: int
    # The departments above the moved one, root first, before and after the move.
    old_chain: list[Department]
    new_chain: list[Department]
    # The departments above (nearest first) whose managers lose or gain these people.
    losing: list[Department] = field(default_factory=list)
    gaining: list[Department] = field(default_factory=list)

    @property
    def old_path(self) -> list[str]:
        return [d.name for d in self.old_chain]

    @property
    def new_path(self) -> list[str]:
        return [d.name for d in self.new_chain]

    @property
    def managers_losing(self) -> list[Employee]:
        return managers_of(self.losing)

    @property
    def managers_gaining(self) -> list[Employee]:
        return managers_of(self.gaining)


def managers_of(departments: Sequence[Department]) -> list[Employee]:
    """The departments' managers, each once, in the departments' order."""
    seen: set = set()
    managers = []
    for d in departments:
        if d.manager is not None and d.manager_id not in seen:
            seen.add(d.manager_id)
            managers.append(d.manager)
    return managers


def department_move_targets(
    *,
    department: Department,
    within: tree.DepartmentQuerySet,
    query: str = "",
    limit: int = TARGETS_LIMIT,
) -> QuerySet[Department]:
    """Where ``department`` can go: active departments of ``within`` (those the reader may
    move into), whose name or code contains ``query``, by name.

    Its current parent (a move that changes nothing) and its own subtree (a cycle) are left
    out, so every choice is a real move.
    """
    targets = within.filter(is_active=True).exclude(tree.subtree_q([tree.subtree_of(department)]))
    if department.parent_id is not None:
        targets = targets.exclude(pk=department.parent_id)
    if query:
        targets = targets.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return targets.order_by("name", "code").only_tree("name", "code", "is_active")[:limit]


def department_tree_version() -> str:
    """A token that changes whenever any department is created, changed or moved."""
    stats = Department.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    raw = f"{stats['n']}:{stats['last'].isoformat() if stats['last'] else ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _chain(start: Department | None, overrides: dict, cache: dict) -> list[Department]:
    """Ancestors of ``start`` (itself first) after the pending ``overrides`` of parents."""
    chain: list[Department] = []
    node = start
    while node is not None:
        if any(node.pk == seen.pk for seen in chain):
            raise ValidationError(_("These moves would make a department its own ancestor."))
        chain.append(node)
        if node.pk in overrides:
            parent = overrides[node.pk]
            parent_id = parent.pk if parent is not None else None
        else:
            parent_id = node.parent_id
        if parent_id is None:
            break
        if parent_id not in cache:
            cache[parent_id] = Department.objects.select_related("manager").get(pk=parent_id)
        node = cache[parent_id]
    return chain


def _headed_by_others(chain: Sequence[Department], other: Sequence[Department]) -> list[Department]:
    """Departments of ``chain`` with a manager who heads no department of ``other``."""
    others = {d.manager_id for d in other}
    return [d for d in chain if d.manager_id is not None and d.manager_id not in others]


def _check_batch(moves: Sequence[Move]) -> None:
    if not moves:
        raise ValidationError(_("There are no moves to apply."))
    if len(moves) > MAX_MOVES:
        raise ValidationError(
            _("At most %(limit)d moves can be applied at once.") % {"limit": MAX_MOVES}
        )


def department_moves_preview(*, moves: Sequence[Move]) -> list[MovePreview]:
    """Describe each pending move in order, as if the earlier ones were applied."""
    _check_batch(moves)
    overrides: dict = {}
    cache: dict = {}
    previews = []
    for move in moves:
        department = Department.objects.select_related("manager", "parent").get(
            pk=move.department.pk
        )
        target = move.parent
        if target is not None:
            target = Department.objects.select_related("manager").get(pk=target.pk)
            if not target.is_active:
                raise ValidationError(
                    _("%(parent)s is inactive; a department cannot be placed under it.")
                    % {"parent": target}
                )
        old_chain = _chain(department, overrides, cache)[1:]
        new_chain = _chain(target, overrides, cache)
        if any(node.pk == department.pk for node in new_chain):
            raise ValidationError(
                _("%(department)s cannot be moved under itself or one of its own sub-departments.")
                % {"department": department}
            )
        overrides[department.pk] = target
        previews.append(
            MovePreview(
                department=department,
                parent=target,
                departments=department_subtree(department=department).count(),
                employees=employees_in_subtree(department=department).count(),
                old_chain=old_chain[::-1],
                new_chain=new_chain[::-1],
                losing=_headed_by_others(old_chain, new_chain),
                gaining=_headed_by_others(new_chain, old_chain),
            )
        )
    return previews


@transaction.atomic
def department_moves_apply(
    *, moves: Sequence[Move], reason: str, actor: Employee | None, expected_version: str
) -> list[Department]:
    """Apply every move with ``reason`` in history, or none of them."""
    _check_batch(moves)
    reason = reason_clean(
        reason,
        missing=_("Give a reason for these moves; it is kept in the history."),
        limit=MAX_REASON,
    )
    # Lock every root row: concurrent batches and single moves serialise here, so the
    # version compared below cannot change until this transaction ends.
    list(Department.objects.select_for_update().filter(parent__isnull=True).values_list("pk"))
    if department_tree_version() != expected_version:
        raise ValidationError(
            _(
                "The organisation changed since you loaded this page. Reload it to see the "
                "current tree; nothing was applied."
            )
        )
    return [
        department_move(department=move.department, parent=move.parent, actor=actor, reason=reason)
        for move in moves
    ]
