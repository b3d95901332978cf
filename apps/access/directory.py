"""What everyone signed in may see of colleagues and departments: the people directory and
the org chart's departments.

The directory is the company phone book: every signed-in person sees active colleagues'
name, department, position, work e-mail and phone, and nothing else (``DIRECTORY_FIELDS``;
salary, dates, account fields never leave this module). Holders of ``org.view_employee``
also get, per row, whether they may open the full record (their scope decides).

The chart shows departments' names and managers: holders of ``org.view_department`` see
their scope (inactive departments included, as on the department list); everyone else
sees the active departments.
"""

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from apps.access import scope
from apps.org import tree
from apps.org.models import Department, Employee
from apps.org.tree import DepartmentQuerySet

# The only columns the directory reads; a test asserts nothing else is ever selected.
DIRECTORY_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "department__name",
    "position",
    "email",
    "phone",
)
# Longer search terms find nobody; bounded so a 10 KB term costs nothing.
SEARCH_MAX = 100
SEARCH_WORDS_MAX = 4
# At most this many departments in the directory's department filter: the shallowest first,
# so a 10,000-department organisation still offers its top levels (a subtree filter).
DEPARTMENT_CHOICES_MAX = 300


def holds_anywhere(user: Employee, perm: str) -> bool:
    """Does ``user`` hold ``perm`` anywhere (organisation-wide, in a subtree or on a record)?"""
    snap = scope.snapshot(user)
    return snap.superuser or perm in snap.perms


def search_words(raw: str) -> list[str] | None:
    """The words of a search term; None when the term cannot match anyone (too long, NUL)."""
    raw = raw.strip()
    if len(raw) > SEARCH_MAX or "\x00" in raw:
        return None
    words = raw.split()
    return words[:SEARCH_WORDS_MAX]


def name_q(words: list[str]) -> Q:
    """Every word in the first or the last name (so "Ada Love" finds Ada Lovelace)."""
    q = Q()
    for word in words:
        q &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return q


def directory_population() -> QuerySet[Employee]:
    """Everyone the directory lists to everyone signed in: active people, not the system
    account. The org chart's people view draws the same people (names and positions are
    directory facts)."""
    return Employee.objects.filter(is_active=True, is_system=False)


def directory_people(
    user: Employee, *, search: str = "", department: Department | None = None
) -> QuerySet[Employee, dict[str, Any]]:
    """Active colleagues (the directory's rows, as dicts of ``DIRECTORY_FIELDS``), by name.

    ``search`` matches names word by word; ``department`` keeps its subtree. A term that
    cannot match (``search_words`` is None) gives no rows.
    """
    people = directory_population()
    words = search_words(search)
    if words is None:
        people = people.none()
    elif words:
        people = people.filter(name_q(words))
    if department is not None:
        people = people.filter(tree.subtree_q([tree.subtree_of(department)], prefix="department"))
    rows: QuerySet[Employee, dict[str, Any]] = people.order_by(
        "last_name", "first_name", "id"
    ).values(*DIRECTORY_FIELDS)
    return rows


def directory_openable(user: Employee, pks: list[Any]) -> set[Any]:
    """Which of these people ``user`` may open in full (their employee record): one query."""
    if not pks or not holds_anywhere(user, "org.view_employee"):
        return set()
    visible = scope.restrict(user, "org.view_employee", Employee.objects.filter(pk__in=pks))
    return set(visible.values_list("pk", flat=True))


def directory_departments(user: Employee) -> list[Department]:
    """The departments the directory's filter offers (active ones, shallowest first, capped)."""
    shallow = (
        Department.objects.filter(is_active=True)
        .order_by(tree.LEVEL, *tree.tree_order())
        .only_tree("name", "code")[:DEPARTMENT_CHOICES_MAX]
    )
    return sorted(shallow, key=tree.subtree_of)  # back in the tree's own order


def directory_department(user: Employee, raw: str) -> Department | None:
    """The department a filter names (an id); None for an empty, malformed or unknown one."""
    raw = raw.strip()
    if not raw or len(raw) > 64:
        return None
    try:
        pk = uuid.UUID(raw)
    except ValueError:
        return None
    return Department.objects.filter(is_active=True, pk=pk).first()


def chart_departments(user: Employee) -> DepartmentQuerySet:
    """The departments ``user`` may see on the org chart (names and managers)."""
    departments = Department.objects.all()
    if holds_anywhere(user, "org.view_department"):
        return scope.restrict(user, "org.view_department", departments)
    return departments.filter(is_active=True)


def chart_shows_figures(user: Employee) -> bool:
    """Does the chart show ``user`` headcounts (only to those who may list departments)?"""
    return holds_anywhere(user, "org.view_department")


def chart_scope_tops(user: Employee) -> Q | None:
    """The chart's default top: the user's subtrees under view_department; None: the roots."""
    if not chart_shows_figures(user):
        return None
    return scope.scope_roots_q(user, "org.view_department")


def chart_without_figures(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chart as everyone may see it: active departments, names and managers, no counts."""
    shown = []
    for node in nodes:
        if not node.get("is_active", True):
            continue
        shown.append(
            {
                **node,
                "headcount": None,
                "direct": None,
                "children": chart_without_figures(node.get("children", [])),
            }
        )
    return shown
