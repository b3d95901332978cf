"""The org chart: a nested, depth-limited view of the department tree with headcounts.

Two queries whatever the size: the departments in range (manager joined) and one
grouped count of active employees per department, rolled up in Python by each
drawn node's ``lft``/``rght`` range (prefix sums + bisect per tree).
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from itertools import accumulate
from typing import Any

from django.db.models import Count, Q

from apps.org.models import Department, Employee
from apps.org.selectors import employee_in_subtree_q

DEPTH_DEFAULT = 3
DEPTH_MAX = 6


def org_chart(*, root: Department | None, depth: int) -> list[dict[str, Any]]:
    """Nested nodes under ``root`` (or every root department), ``depth`` levels drawn.

    ``depth`` counts drawn levels including the top one: 1 shows only the top nodes.
    A node whose children lie beyond the cut has ``has_more`` set and no ``children``.
    """
    depth = max(1, min(DEPTH_MAX, depth))
    top_level = root.level if root is not None else 0
    departments = _departments_in_range(root=root, last_level=top_level + depth - 1)
    counts = _active_counts(root=root)
    nodes: dict[Any, dict[str, Any]] = {}
    forest: list[dict[str, Any]] = []
    for department in departments:
        node = _node(department, counts, cut=department.level == top_level + depth - 1)
        nodes[department.pk] = node
        parent = nodes.get(department.parent_id)
        if department.level == top_level or parent is None:
            forest.append(node)
        else:
            parent["children"].append(node)
    return forest


def _departments_in_range(*, root: Department | None, last_level: int) -> list[Department]:
    scope = Q(level__lte=last_level)
    if root is not None:
        scope &= Q(tree_id=root.tree_id, lft__gte=root.lft, rght__lte=root.rght)
    return list(
        Department.objects.filter(scope)
        .select_related("manager")
        .only(
            "id",
            "name",
            "code",
            "is_active",
            "parent_id",
            "tree_id",
            "lft",
            "rght",
            "level",
            "manager__first_name",
            "manager__last_name",
        )
        .order_by("tree_id", "lft")
    )


class _Counts:
    """Active employees per department, answerable for any ``lft``/``rght`` range."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.direct: dict[Any, int] = {}
        by_tree: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for row in rows:
            self.direct[row["department_id"]] = row["n"]
            by_tree[row["department__tree_id"]].append((row["department__lft"], row["n"]))
        self.lfts: dict[int, list[int]] = {}
        self.sums: dict[int, list[int]] = {}
        for tree_id, pairs in by_tree.items():
            pairs.sort()
            self.lfts[tree_id] = [lft for lft, _ in pairs]
            self.sums[tree_id] = [0, *accumulate(n for _, n in pairs)]

    def subtree(self, department: Department) -> int:
        lfts = self.lfts.get(department.tree_id)
        if not lfts:
            return 0
        sums = self.sums[department.tree_id]
        return sums[bisect_right(lfts, department.rght)] - sums[bisect_left(lfts, department.lft)]


def _active_counts(*, root: Department | None) -> _Counts:
    employees = Employee.objects.filter(is_active=True, department__isnull=False)
    if root is not None:
        employees = employees.filter(employee_in_subtree_q(department=root))
    rows = (
        employees.order_by()
        .values("department_id", "department__tree_id", "department__lft")
        .annotate(n=Count("*"))
    )
    return _Counts(list(rows))


def _node(department: Department, counts: _Counts, *, cut: bool) -> dict[str, Any]:
    manager = department.manager
    return {
        "id": str(department.pk),
        "name": department.name,
        "code": department.code,
        "manager": (manager.get_full_name() or None) if manager else None,
        "headcount": counts.subtree(department),
        "direct": counts.direct.get(department.pk, 0),
        "is_active": department.is_active,
        "children": [],
        "has_more": cut and department.rght - department.lft > 1,
    }
