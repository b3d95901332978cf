"""The department tree: the one module that knows how the tree is stored.

Departments are an MPTT tree (django-mptt): each node has a ``tree_id`` and a
``lft``/``rght`` pair that encloses the pairs of all its descendants. Every
question about the shape of the tree (subtree, ancestors, "is this inside that",
tree order, descendant counts) is answered here, as a value type, a ``Q`` that
can reach departments through any relation prefix, or a queryset method on
``Department.objects``. The rest of the code never names the tree columns, so
the tree library can change in this module alone.

Scope filters stay one query with range conditions (docs/pitfalls.md): a
subtree is ``tree_id = t AND lft BETWEEN l AND r``, which the
``(tree_id, lft)`` index answers.
"""

from __future__ import annotations

import operator
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import reduce
from itertools import accumulate
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from django.db.models import F, Manager, Model, OuterRef, Q, QuerySet
from mptt.managers import TreeManager
from mptt.querysets import TreeQuerySet

TREE_ID, LEFT, RIGHT, LEVEL = "tree_id", "lft", "rght", "level"


class Node(Protocol):
    """Anything that carries a node's tree position (a Department, or one loaded with only())."""

    pk: Any
    tree_id: int
    lft: int
    rght: int


class Subtree(NamedTuple):
    """One department's subtree, as the range of its tree position (a plain, hashable value)."""

    tree_id: int
    lft: int
    rght: int

    def contains(self, node: Node, *, include_self: bool = True) -> bool:
        """Is ``node`` in this subtree (its top included unless ``include_self`` is False)?"""
        if node.tree_id != self.tree_id:
            return False
        if include_self:
            return self.lft <= node.lft <= self.rght
        return self.lft < node.lft <= self.rght

    def encloses(self, other: Subtree) -> bool:
        """Is ``other`` this subtree or one nested inside it?"""
        return other.tree_id == self.tree_id and self.lft <= other.lft and other.rght <= self.rght

    @property
    def size(self) -> int:
        """How many departments the subtree holds, its top included."""
        return (self.rght - self.lft + 1) // 2


def subtree_of(department: Node) -> Subtree:
    """The subtree topped by ``department`` (no query: read from its tree position)."""
    return Subtree(department.tree_id, department.lft, department.rght)


def subtree_from_values(tree_id: int | None, lft: int | None, rght: int | None) -> Subtree | None:
    """A subtree from three values read through ``node_fields`` (None when the row has none)."""
    if tree_id is None or lft is None or rght is None:
        return None
    return Subtree(tree_id, lft, rght)


def node_fields(*, prefix: str = "", level: bool = False) -> tuple[str, ...]:
    """The tree position's field names through ``prefix``, for values(), only() or exclusions.

    The order is the order ``subtree_from_values`` takes: tree id, left, right (then level).
    """
    p = f"{prefix}__" if prefix else ""
    names = (TREE_ID, LEFT, RIGHT, LEVEL) if level else (TREE_ID, LEFT, RIGHT)
    return tuple(f"{p}{name}" for name in names)


def tree_key(*, prefix: str = "") -> str:
    """The field that tells trees apart: one value across a subtree, to GROUP BY a count of it."""
    return f"{prefix}__{TREE_ID}" if prefix else TREE_ID


def tree_order(*, prefix: str = "") -> tuple[str, str]:
    """Order-by fields that list departments depth first, parents before children."""
    p = f"{prefix}__" if prefix else ""
    return (f"{p}{TREE_ID}", f"{p}{LEFT}")


# --- Q builders ---------------------------------------------------------------------


def _any(conditions: Iterable[Q]) -> Q:
    """The OR of ``conditions``; none: a condition that matches nothing (and costs no query)."""
    listed = list(conditions)
    return reduce(operator.or_, listed) if listed else Q(pk__in=[])


def subtree_q(subtrees: Iterable[Subtree], *, prefix: str = "") -> Q:
    """Rows whose department (reached through ``prefix``; "" is Department itself) lies in
    one of ``subtrees``. No subtree: a condition that matches nothing."""
    p = f"{prefix}__" if prefix else ""
    return _any(
        Q(**{f"{p}{TREE_ID}": tree_id, f"{p}{LEFT}__gte": lft, f"{p}{LEFT}__lte": rght})
        for tree_id, lft, rght in subtrees
    )


def subtree_of_outer_q(*, prefix: str) -> Q:
    """Rows whose department (through ``prefix``) lies in the outer query's department subtree.

    For correlated subqueries annotated on a Department queryset.
    """
    p = f"{prefix}__"
    return Q(
        **{
            f"{p}{TREE_ID}": OuterRef(TREE_ID),
            f"{p}{LEFT}__gte": OuterRef(LEFT),
            f"{p}{LEFT}__lte": OuterRef(RIGHT),
        }
    )


def ancestors_q(departments: Iterable[Node], *, include_self: bool = False) -> Q:
    """Departments above any of ``departments`` (and those themselves with ``include_self``)."""
    above, below = (
        (f"{LEFT}__lte", f"{RIGHT}__gte") if include_self else (f"{LEFT}__lt", f"{RIGHT}__gt")
    )
    return _any(Q(**{TREE_ID: d.tree_id, above: d.lft, below: d.rght}) for d in departments)


def subtrees_topmost(subtrees: Iterable[Subtree]) -> tuple[Subtree, ...]:
    """The subtrees not nested inside another one of them, in tree order."""
    unique = sorted(set(subtrees))
    return tuple(s for s in unique if not any(o != s and o.encloses(s) for o in unique))


def subtree_tops_q(subtrees: Iterable[Subtree]) -> Q:
    """The top departments of the topmost ``subtrees`` (nested ones add nothing)."""
    return _any(
        Q(**{TREE_ID: tree_id, LEFT: lft}) for tree_id, lft, _ in subtrees_topmost(subtrees)
    )


# --- Single nodes -------------------------------------------------------------------


def subtree_contains(subtrees: Iterable[Subtree], department: Node) -> bool:
    """Is ``department`` inside one of ``subtrees``?"""
    return any(s.contains(department) for s in subtrees)


def department_contains(*, ancestor: Node, department: Node, include_self: bool = True) -> bool:
    """Is ``department`` in ``ancestor``'s subtree (``ancestor`` itself counts by default)?"""
    if include_self and ancestor.pk is not None and ancestor.pk == department.pk:
        return True
    return subtree_of(ancestor).contains(department, include_self=False)


def department_descendant_count(department: Node) -> int:
    """How many departments lie below ``department`` (no query)."""
    return subtree_of(department).size - 1


def department_has_descendants(department: Node) -> bool:
    """Does ``department`` have any sub-department (no query)?"""
    return department_descendant_count(department) > 0


# --- Counting along the tree --------------------------------------------------------


class SubtreeTally:
    """Numbers per department, summed over any subtree without a query (prefix sums + bisect).

    Built from rows that carry a department's tree position (``node_fields(prefix=...)``)
    and a count, such as one grouped COUNT over employees.
    """

    def __init__(self, rows: Iterable[Mapping[str, Any]], *, prefix: str, count: str) -> None:
        tree_field, left_field, _right = node_fields(prefix=prefix)
        by_tree: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for row in rows:
            by_tree[row[tree_field]].append((row[left_field], row[count]))
        self._lefts: dict[int, list[int]] = {}
        self._sums: dict[int, list[int]] = {}
        for tree_id, pairs in by_tree.items():
            pairs.sort()
            self._lefts[tree_id] = [lft for lft, _ in pairs]
            self._sums[tree_id] = [0, *accumulate(n for _, n in pairs)]

    def total(self, department: Node) -> int:
        """The sum over ``department``'s subtree, itself included."""
        lefts = self._lefts.get(department.tree_id)
        if not lefts:
            return 0
        sums = self._sums[department.tree_id]
        return sums[bisect_right(lefts, department.rght)] - sums[bisect_left(lefts, department.lft)]


# --- Bulk building ------------------------------------------------------------------


def _number(parents: Sequence[int | None], start: int) -> list[tuple[int, int]]:
    """(left, right) per node of a layout given as parent indexes, by a depth-first walk."""
    children: dict[int, list[int]] = defaultdict(list)
    for index, parent in enumerate(parents):
        if parent is not None:
            children[parent].append(index)
    bounds = [(0, 0)] * len(parents)
    counter = start
    lefts: dict[int, int] = {}
    stack: list[tuple[int, bool]] = [(0, False)]
    while stack:
        index, done = stack.pop()
        if done:
            bounds[index] = (lefts[index], counter)
            counter += 1
            continue
        lefts[index] = counter
        counter += 1
        stack.append((index, True))
        stack.extend((child, False) for child in reversed(children[index]))
    return bounds


def subtree_graft_positions(
    *, parent: Model, name: str, parents: Sequence[int | None]
) -> list[dict[str, int]]:
    """Open room under ``parent`` for a new subtree and return each new node's tree position.

    ``parents`` lays the new subtree out: one entry per node, the index of its parent
    (node 0 is the top, with None), parents before children. The subtree goes among
    ``parent``'s children in name order (``order_insertion_by``), before its rows are
    bulk-inserted with the returned fields: two UPDATEs instead of mptt's per-node
    renumbering, which is quadratic (docs/pitfalls.md). Run it in the inserting
    transaction.
    """
    manager = type(parent)._default_manager
    tree_id, level = getattr(parent, TREE_ID), getattr(parent, LEVEL)
    previous = (
        manager.filter(parent=parent, name__lt=name).order_by(f"-{RIGHT}").only(RIGHT).first()
    )
    anchor = getattr(previous, RIGHT) if previous else getattr(parent, LEFT)
    size = 2 * len(parents)
    manager.filter(**{TREE_ID: tree_id, f"{RIGHT}__gt": anchor}).update(**{RIGHT: F(RIGHT) + size})
    manager.filter(**{TREE_ID: tree_id, f"{LEFT}__gt": anchor}).update(**{LEFT: F(LEFT) + size})
    levels: list[int] = []
    for p in parents:
        levels.append(level + 1 if p is None else levels[p] + 1)
    return [
        {TREE_ID: tree_id, LEFT: lft, RIGHT: rght, LEVEL: levels[index]}
        for index, (lft, rght) in enumerate(_number(parents, start=anchor + 1))
    ]


# --- Queryset and manager -----------------------------------------------------------


if TYPE_CHECKING:
    from apps.org.models import Department

    # mptt ships no types. Its TreeQuerySet is a QuerySet and its TreeManager a Manager
    # with tree methods; the type checker knows them as Django's, for Department.
    _TreeQuerySet = QuerySet[Department]
else:
    _TreeQuerySet = TreeQuerySet


class DepartmentQuerySet(_TreeQuerySet):
    """Department querysets that speak in subtrees (mptt's TreeQuerySet underneath)."""

    def subtree(self, department: Node, *, include_self: bool = True) -> DepartmentQuerySet:
        """The department and every descendant: one range condition."""
        qs = self.filter(subtree_q([subtree_of(department)]))
        return qs if include_self else qs.exclude(pk=department.pk)

    def within(self, subtrees: Iterable[Subtree]) -> DepartmentQuerySet:
        """Departments inside any of ``subtrees``."""
        return self.filter(subtree_q(subtrees))

    def ancestors_of(
        self, departments: Iterable[Node], *, include_self: bool = False
    ) -> DepartmentQuerySet:
        """Departments above any of ``departments``, in tree order (one query)."""
        return self.filter(ancestors_q(departments, include_self=include_self)).tree_ordered()

    def containing(self, department: Node) -> DepartmentQuerySet:
        """Departments whose subtree holds ``department``, itself included, root first."""
        return self.ancestors_of([department], include_self=True)

    def tops_of(self, subtrees: Iterable[Subtree]) -> DepartmentQuerySet:
        """The top departments of the topmost ``subtrees``."""
        return self.filter(subtree_tops_q(subtrees))

    def tree_ordered(self) -> DepartmentQuerySet:
        """Depth first, parents before children (the tree's own order)."""
        return self.order_by(*tree_order())

    def only_tree(self, *fields: str) -> DepartmentQuerySet:
        """``only(*fields)`` plus the tree position, so the tree questions need no query."""
        return self.only(*fields, *node_fields(level=True))

    def subtrees_by_pk(self) -> dict[str, Subtree]:
        """Each department's subtree, keyed by its primary key as text (one query)."""
        return {
            str(pk): Subtree(tree_id, lft, rght)
            for pk, tree_id, lft, rght in self.values_list("pk", *node_fields())
        }


if TYPE_CHECKING:
    DepartmentManager = Manager.from_queryset(DepartmentQuerySet)
else:
    DepartmentManager = TreeManager.from_queryset(DepartmentQuerySet)
