"""A manager's employee changelist next to a superuser's, and the permission rows stored.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice_bench \\
    DJANGO_SECRET_KEY=<50+ characters> .venv/bin/python bench/scope.py --repeat 20

Run it on a database filled by ``bench/seed.py`` (10,000 departments, 100,000
employees) and migrated (the access tables). The script picks the department whose
subtree holds the number of active employees closest to 1,750 (the issue asks for
1,500-2,000; ``--department CODE``, repeatable, picks others), then makes sure,
idempotently, of two accounts: ``bench-manager-<codes>`` in the (first) department,
with a Manager role assignment scoped to each department (``assignment_create`` as
the system), and ``bench-superuser``. The employee changelist, page 1 and searches, is requested as
both through Django's test ``Client`` (full middleware, view and template rendering),
warmed up, then round-robin so load on the machine hits every page alike; query
counts come from one extra request under ``CaptureQueriesContext``. Targets: the
manager's page makes at most one query more than the superuser's, and its median is
within 1.3x of the superuser's. The manager's pages must hold exactly the subtree's
people (checked against a count of the subtree made without the scope module).

Then the permission rows stored are counted, ten more Manager assignments on other
departments are created for other people, and the rows are counted again: they grow
with assignments, not with the employees those assignments reach. Those ten are made
inside a transaction that is rolled back, so every run starts from the same rows.
"""

import argparse
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

from _common import loadavg, machine, setup_django, summary_ms, table

RATIO_TARGET = 1.3  # manager median / superuser median, same page
EXTRA_QUERIES = 1  # manager queries - superuser queries, same page
SUBTREE_WANTED = 1_750
SUBTREE_RANGE = (1_500, 2_000)
EXTRA_ASSIGNMENTS = 10
SUPERUSER = "bench-superuser"
REASON = "bench/scope.py"
VIEW = "org.view_employee"


@dataclass
class Page:
    key: str
    label: str
    url: str
    client: Any
    times: list[float] = field(default_factory=list)
    queries: int = 0
    sql_ms: float = 0.0
    result_count: int = 0
    shown: int = 0
    captured: list[dict] = field(default_factory=list)
    cl: Any = None


class Rollback(Exception):
    pass


def subtree_headcounts() -> list[tuple[Any, int]]:
    """Every department with the active employees of its subtree (nested-set prefix sums)."""
    from django.db.models import Count

    from apps.org import tree
    from apps.org.models import Department, Employee

    rows = (
        Employee.objects.filter(is_active=True, department__isnull=False)
        .order_by()
        .values("department", *tree.node_fields(prefix="department"))
        .annotate(n=Count("*"))
    )
    tally = tree.SubtreeTally(list(rows), prefix="department", count="n")
    return [(d, tally.total(d)) for d in Department.objects.tree_ordered()]


def pick_departments(counts: list[tuple[Any, int]], codes: list[str] | None) -> list[Any]:
    if codes:
        by_code = {d.code: d for d, _n in counts}
        unknown = [code for code in codes if code not in by_code]
        if unknown:
            raise SystemExit(f"No department with code {', '.join(unknown)}.")
        return [by_code[code] for code in codes]
    active = [(d, n) for d, n in counts if d.is_active]
    closest = min(active, key=lambda dn: (abs(dn[1] - SUBTREE_WANTED), subtree_of(dn[0])))
    return [closest[0]]


def inside_q(departments: list[Any]) -> Any:
    """Employees of the departments' subtrees, written without the scope module."""
    from django.db.models import Q

    from apps.org.selectors import employee_in_subtree_q

    q = Q(pk__in=[])
    for department in departments:
        q |= employee_in_subtree_q(department=department)
    return q


def subtree_of(department: Any) -> Any:
    from apps.org.tree import subtree_of

    return subtree_of(department)


def bench_accounts(departments: list[Any]) -> tuple[Any, Any]:
    """The scoped manager and the superuser, created once and reused (idempotent)."""
    from django.db.models import Q

    from apps.access.models import RoleAssignment
    from apps.access.roles import MANAGER, roles_ensure
    from apps.access.services import assignment_create
    from apps.org.models import Employee
    from apps.org.services import employee_create

    role = roles_ensure()[MANAGER]
    username = "bench-manager-" + "-".join(d.code.lower() for d in departments)
    manager = Employee.objects.filter(username=username).first() or employee_create(
        actor=None,
        username=username,
        first_name="Bench",
        last_name="Manager",
        department=departments[0],
        is_staff=True,
    )
    for department in departments:
        held = RoleAssignment.objects.filter(
            Q(valid_until__isnull=True),
            user=manager,
            role=role,
            department=department,
            is_active=True,
        )
        if not held.exists():
            assignment_create(
                actor=None, user=manager, role=role, department=department, reason=REASON
            )
    superuser = Employee.objects.filter(username=SUPERUSER).first() or employee_create(
        actor=None,
        username=SUPERUSER,
        first_name="Bench",
        last_name="Superuser",
        is_staff=True,
        is_superuser=True,
    )
    return manager, superuser


def search_terms(departments: list[Any]) -> list[str]:
    """The commonest surname of 3+ characters in the subtree (trigram-searchable), then the
    commonest of any length (a one-character Chinese surname, too short for trigrams)."""
    from django.db.models import Count
    from django.db.models.functions import Length

    from apps.org.models import Employee

    names = (
        Employee.objects.filter(inside_q(departments))
        .values("last_name")
        .annotate(n=Count("*"), length=Length("last_name"))
        .order_by("-n", "last_name")
    )
    terms = [names.filter(length__gte=3).first()["last_name"], names.first()["last_name"]]
    return list(dict.fromkeys(terms))


def fetch(page: Page) -> tuple[float, Any]:
    started = time.perf_counter()
    response = page.client.get(page.url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{page.label}: HTTP {response.status_code}")
    return elapsed, response


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def scope_checks(
    departments: list[Any], manager: Any, pages: dict[str, Page], searches: list[str]
) -> list[tuple[str, int, int]]:
    """(check, manager's figure, expected) with the expected side computed without scope."""
    from apps.access import scope
    from apps.org.models import Employee

    inside = inside_q(departments)
    subtree = Employee.objects.filter(inside)
    checks = [
        ("changelist count, page 1", pages["manager"].result_count, subtree.count()),
        (
            "scope.restrict(manager, view_employee, all employees).count()",
            scope.restrict(manager, VIEW, Employee.objects.all()).count(),
            subtree.count(),
        ),
    ]
    for term in searches:
        everyone = pages[f"superuser:q:{term}"].cl.queryset
        checks.append(
            (
                f"changelist count, q={term}",
                pages[f"manager:q:{term}"].result_count,
                everyone.filter(inside).count(),
            )
        )
    shown = [
        e.pk for key, p in pages.items() if key.startswith("manager") for e in p.cl.result_list
    ]
    checks.append(
        (
            "rows shown (all pages) that are in the subtree",
            subtree.filter(pk__in=shown).count(),
            len(set(shown)),
        )
    )
    return checks


def permission_rows() -> dict[str, int]:
    """Row counts of every table that stores a right, its mirror or its audit trail."""
    from django.contrib.auth.models import Group
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from apps.access.models import PermissionLog, RoleAssignment
    from apps.org.models import Employee

    models = [
        Group.permissions.through,
        Employee.user_permissions.through,
        UserObjectPermission,
        GroupObjectPermission,
        RoleAssignment,
        Employee.groups.through,
        RoleAssignment.history.model,
        PermissionLog,
        Employee,
    ]
    return {m._meta.db_table: m._default_manager.count() for m in models}


def more_assignments(
    departments: list[Any], counts: list[tuple[Any, int]], count: int
) -> tuple[dict[str, int], int]:
    """Rows after ``count`` more scoped Manager assignments, and the employees they reach.

    Each goes to an active employee of one of the largest level-3 departments (disjoint
    subtrees) outside the bench subtree; the transaction is rolled back.
    """
    from django.db import transaction

    from apps.access import scope
    from apps.access.roles import MANAGER, roles_ensure
    from apps.access.services import assignment_create
    from apps.org.models import Employee
    from apps.org.selectors import employee_in_subtree_q

    role = roles_ensure()[MANAGER]
    outside = [
        (d, n)
        for d, n in counts
        if d.level == 3
        and d.is_active
        and not scope.within([subtree_of(b) for b in departments], d)
        and not any(scope.within([subtree_of(d)], b) for b in departments)
    ]
    outside.sort(key=lambda dn: (-dn[1], subtree_of(dn[0])))
    targets = [d for d, _n in outside[:count]]
    after: dict[str, int] = {}
    reached = 0
    try:
        with transaction.atomic():
            for target in targets:
                user = (
                    Employee.objects.filter(
                        employee_in_subtree_q(department=target),
                        is_active=True,
                        is_superuser=False,
                        role_assignments__isnull=True,
                    )
                    .order_by("employee_id")
                    .first()
                )
                assignment_create(
                    actor=None, user=user, role=role, department=target, reason=REASON
                )
                reached += scope.restrict(user, VIEW, Employee.objects.all()).count()
            after = permission_rows()
            raise Rollback
    except Rollback:
        pass
    return after, reached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page")
    parser.add_argument(
        "--department",
        action="append",
        help="department code, repeatable: one assignment each (default: the subtree "
        "closest to 1,750 active employees)",
    )
    parser.add_argument(
        "--search",
        action="append",
        help="search term (repeatable); default: the subtree's commonest surname of 3+ "
        "characters, and its commonest surname",
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="No directory at")

    setup_django()
    from urllib.parse import urlencode

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.org.models import Department, Employee
    from tests.otp import mark_verified

    if settings.DEBUG:
        raise SystemExit("Run with DEBUG off (DJANGO_DEBUG unset): DEBUG slows every query.")

    counts = subtree_headcounts()
    departments = pick_departments(counts, args.department)
    manager, superuser = bench_accounts(departments)
    low, high = SUBTREE_RANGE
    searches = args.search or search_terms(departments)
    active = Employee.objects.filter(inside_q(departments), is_active=True).count()
    any_in_range = any(low <= n <= high for d, n in counts if d.is_active)

    print(f"# Scope benchmark: a manager's employee list\n{machine()}")
    if connection.vendor == "postgresql":
        # It decides between the plans that limit the searches (docs/benchmarks.md).
        with connection.cursor() as cursor:
            cursor.execute("SHOW random_page_cost")
            print(f"planner: random_page_cost = {cursor.fetchone()[0]}")
    print(
        f"rows: {Department.objects.count()} departments, {Employee.objects.count()} employees; "
        f"{args.warmup} warm-up + {args.repeat} timed requests per page, round-robin"
    )
    where = " + ".join(
        f"{d.name} ({d.code}, level {d.level}, {subtree_of(d).size} departments)"
        for d in departments
    )
    print(f"scope: {manager.username}, Manager on {where}: {active} active employees")
    if not any_in_range:
        print(f"(no single subtree in this database holds {low}-{high} active employees)")
    print()

    clients = {}
    for name, user in (("manager", manager), ("superuser", superuser)):
        clients[name] = Client()
        clients[name].force_login(user)
        mark_verified(clients[name], user)  # past the sign-in code step (issue 6)
    urls = [("", "page 1", "/admin/org/employee/")]
    for term in searches:
        urls.append((f":q:{term}", f"q={term}", "/admin/org/employee/?" + urlencode({"q": term})))
    pages = {
        f"{who}{key}": Page(f"{who}{key}", f"{who}, {label}", url, clients[who])
        for key, label, url in urls
        for who in ("manager", "superuser")
    }

    for page in pages.values():
        for _ in range(args.warmup):
            fetch(page)
        with CaptureQueriesContext(connection) as ctx:
            _, response = fetch(page)
        page.captured = ctx.captured_queries
        page.queries = len(ctx.captured_queries)
        page.sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        page.cl = response.context_data["cl"]
        page.result_count = page.cl.result_count
        page.shown = len(page.cl.result_list)
    for _ in range(args.repeat):
        for page in pages.values():
            page.times.append(fetch(page)[0])

    stats = {key: summary_ms(page.times) for key, page in pages.items()}
    print(
        table(
            ["page", "median ms", "p95 ms", "min ms", "queries", "SQL ms", "results"],
            [
                (
                    p.label,
                    f"{stats[k]['median']:.1f}",
                    f"{stats[k]['p95']:.1f}",
                    f"{stats[k]['min']:.1f}",
                    p.queries,
                    f"{p.sql_ms:.1f}",
                    f"{p.result_count} ({p.shown} shown)",
                )
                for k, p in pages.items()
            ],
        )
    )

    checks = []
    for key, label, _url in urls:
        mine, theirs = pages[f"manager{key}"], pages[f"superuser{key}"]
        ratio = stats[mine.key]["median"] / stats[theirs.key]["median"]
        extra = mine.queries - theirs.queries
        checks.append(
            (f"{label}: queries, manager - superuser", f"{extra:+d}", extra <= EXTRA_QUERIES)
        )
        checks.append(
            (f"{label}: median, manager / superuser", f"{ratio:.2f}x", ratio <= RATIO_TARGET)
        )
    print()
    print(
        table(
            ["target", "measured", "limit", "result"],
            [
                (
                    name,
                    value,
                    f"<= +{EXTRA_QUERIES}" if "queries" in name else f"<= {RATIO_TARGET}x",
                    "met" if ok else "MISSED",
                )
                for name, value, ok in checks
            ],
        )
    )

    scoped = scope_checks(departments, manager, pages, searches)
    print()
    print(
        table(
            ["scope check", "manager", "expected", "result"],
            [(n, got, want, "ok" if got == want else "FAILED") for n, got, want in scoped],
        )
    )

    before = permission_rows()
    after, reached = more_assignments(departments, counts, EXTRA_ASSIGNMENTS)
    print(
        f"\n## Rows stored, before and with {EXTRA_ASSIGNMENTS} more scoped Manager assignments "
        f"(reaching {reached} employees; rolled back)\n"
    )
    print(
        table(
            ["table", "rows", f"with +{EXTRA_ASSIGNMENTS} assignments", "growth"],
            [(t, n, after.get(t, "?"), after.get(t, n) - n) for t, n in before.items()],
        )
    )
    print(f"\nload average at the end: {loadavg()}")

    print("\n## Queries of the manager's page 1\n")
    for number, query in enumerate(pages["manager"].captured, 1):
        print(f"{number}. ({float(query['time']) * 1000:.1f} ms) {query['sql'][:300]}")
    for page in pages.values():
        if not page.key.startswith("manager"):
            continue
        for query in page.captured:
            if (
                not query["sql"].startswith("SELECT")
                or '"org_department"."tree_id" =' not in query["sql"]
            ):
                continue
            print(
                f"\n## EXPLAIN ANALYZE, {page.label}\n\n{query['sql']}\n\n{explain(query['sql'])}"
            )

    failed = not all(ok for *_, ok in checks) or any(got != want for _, got, want in scoped)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
