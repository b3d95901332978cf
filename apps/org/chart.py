"""The org chart: a nested, depth-limited view of the department tree with headcounts.

Two queries whatever the size: the departments in range (manager joined) and one
grouped count of active employees per department, rolled up in Python by each
drawn node's subtree (``tree.SubtreeTally``: prefix sums over the tree order).
"""

from typing import Any

from django.db.models import Count

from apps.org import tree
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
    departments = Department.objects.filter(level__lte=last_level)
    if root is not None:
        departments = departments.subtree(root)
    return list(
        departments.select_related("manager")
        .only_tree(
            "id",
            "name",
            "code",
            "is_active",
            "parent_id",
            "manager__first_name",
            "manager__last_name",
        )
        .tree_ordered()
    )


class _Counts:
    """Active employees per department: directly, and over any drawn node's subtree."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.direct: dict[Any, int] = {row["department_id"]: row["n"] for row in rows}
        self.tally = tree.SubtreeTally(rows, prefix="department", count="n")

    def subtree(self, department: Department) -> int:
        return self.tally.total(department)


def _active_counts(*, root: Department | None) -> _Counts:
    employees = Employee.objects.filter(is_active=True, department__isnull=False)
    if root is not None:
        employees = employees.filter(employee_in_subtree_q(department=root))
    rows = (
        employees.order_by()
        .values("department_id", *tree.node_fields(prefix="department"))
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
        "has_more": cut and tree.department_has_descendants(department),
    }
