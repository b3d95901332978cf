"""The org chart: a nested, depth-limited view of the department tree with headcounts,
or of the people in it (``people_chart``: each manager and their reports).

Two queries whatever the size: the departments in range (manager joined) and one
grouped count of active employees per department, rolled up in Python by each
drawn node's subtree (``tree.SubtreeTally``: prefix sums over the tree order).
"""

from typing import Any

from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

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


# --- People view: managers and their reports ----------------------------------------

PEOPLE_DEPTH_DEFAULT = 3
# Reports drawn per department; the rest are counted on a "+N more" node.
PEOPLE_PER_DEPARTMENT = 12


def people_chart(
    *, root: Department | None, depth: int, people: QuerySet[Employee]
) -> list[dict[str, Any]]:
    """Each department's manager with their reports, ``depth`` department levels drawn.

    ``people`` is whom the reader may see (the view scopes it): a manager outside it is
    drawn as a vacant box naming the department only, and nobody else outside it is drawn
    or counted. A department's reports are its other active members and the managers of
    its sub-departments (each with their own reports). Four queries whatever the size.
    """
    depth = max(1, min(DEPTH_MAX, depth))
    top_level = root.level if root is not None else 0
    last_level = top_level + depth - 1
    departments = _departments_in_range(root=root, last_level=last_level)
    in_range = [d.pk for d in departments]
    visible = people.filter(is_active=True)
    members = visible.filter(department_id__in=in_range)
    counts = dict(
        members.order_by()
        .values_list("department_id")
        .annotate(n=Count("*"))
        .values_list("department_id", "n")
    )
    ranked = members.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("department_id")],
            order_by=[F("last_name").asc(), F("first_name").asc(), F("pk").asc()],
        )
    ).filter(rank__lte=PEOPLE_PER_DEPARTMENT + 1)  # one more: the manager may be among them
    staff: dict[Any, list[Employee]] = {}
    for person in ranked.only(*_PERSON_FIELDS):
        staff.setdefault(person.department_id, []).append(person)
    manager_ids = {d.manager_id for d in departments if d.manager_id is not None}
    managers: dict[Any, Employee] = {
        p.pk: p for p in visible.filter(pk__in=manager_ids).only(*_PERSON_FIELDS)
    }

    nodes: dict[Any, dict[str, Any]] = {}
    forest: list[dict[str, Any]] = []
    for department in departments:
        manager = managers.get(department.manager_id)
        node = _manager_node(department, manager, cut=department.level == last_level)
        nodes[department.pk] = node
        parent = nodes.get(department.parent_id)
        if department.level == top_level or parent is None:
            forest.append(node)
        else:
            parent["children"].append(node)
    # The members last, after the sub-departments' managers; someone shown as the manager
    # of this department or of a sub-department is not listed again as a member.
    heads = {d.pk: d.manager_id for d in departments if d.manager_id in managers}
    below: dict[Any, set[Any]] = {}
    for department in departments:
        if department.parent_id in nodes and department.manager_id in managers:
            below.setdefault(department.parent_id, set()).add(department.manager_id)
    for department in departments:
        node = nodes[department.pk]
        skip = below.get(department.pk, set()) | {heads.get(department.pk)}
        shown = [p for p in staff.get(department.pk, []) if p.pk not in skip]
        drawn = shown[:PEOPLE_PER_DEPARTMENT]
        node["members"] = [_person_node(p, department) for p in drawn]
        total = counts.get(department.pk, 0) - sum(
            1 for p in staff.get(department.pk, []) if p.pk in skip
        )
        node["more_people"] = max(0, total - len(drawn))
        node["headcount"] = counts.get(department.pk, 0)
    return forest


_PERSON_FIELDS = ("id", "first_name", "last_name", "username", "position", "department_id")


def _person_name(person: Employee) -> str:
    return person.get_full_name() or person.username


def _manager_node(department: Department, manager: Employee | None, *, cut: bool) -> dict[str, Any]:
    return {
        "id": str(department.pk),
        "kind": "manager" if manager is not None else "vacant",
        "name": _person_name(manager) if manager is not None else "",
        "position": (manager.position if manager is not None else "") or "",
        "department": department.name,
        "department_id": str(department.pk),
        "code": department.code,
        "is_active": department.is_active,
        "children": [],
        "members": [],
        "more_people": 0,
        "headcount": 0,
        "has_more": cut and tree.department_has_descendants(department),
    }


def _person_node(person: Employee, department: Department) -> dict[str, Any]:
    return {
        "id": f"{department.pk}:{person.pk}",
        "kind": "person",
        "name": _person_name(person),
        "position": person.position or "",
        "department": department.name,
        "department_id": str(department.pk),
        "code": "",
        "is_active": True,
        "children": [],
        "has_more": False,
    }
