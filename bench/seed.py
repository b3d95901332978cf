"""Time ``manage.py seed_demo`` on a fresh database, then check what it wrote.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice_bench \\
    DJANGO_SECRET_KEY=<50+ characters> \\
    .venv/bin/python bench/seed.py --fresh --departments 10000 --employees 100000

``--fresh`` drops and re-creates the DATABASE_URL database (PostgreSQL only) and
runs ``migrate``; without it the database must be migrated and empty. The seed
runs as its own process, exactly as an operator would run it; the wall time of
that process is the figure. Afterwards the MPTT numbering is checked (invariants
in SQL, then a comparison with ``Department.objects.rebuild()``, rolled back),
and every department and employee must have a "+" history row.
"""

import argparse
import subprocess
import sys
import time

from _common import ROOT, loadavg, machine, setup_django, table

TARGET_SECONDS = 60.0

# Every query returns offending rows; an empty result is a pass.
TREE_CHECKS = {
    "lft < rght": "SELECT id FROM org_department WHERE NOT lft < rght",
    "roots: no parent <=> level 0, lft 1": """
        SELECT id FROM org_department
        WHERE (parent_id IS NULL) <> (level = 0) OR (parent_id IS NULL AND lft <> 1)""",
    "child nested in parent, level + 1": """
        SELECT c.id FROM org_department c JOIN org_department p ON p.id = c.parent_id
        WHERE c.tree_id <> p.tree_id OR NOT (p.lft < c.lft AND c.rght < p.rght)
           OR c.level <> p.level + 1""",
    "rght - lft + 1 = 2 * subtree size": """
        SELECT d.id FROM org_department d
        WHERE d.rght - d.lft + 1 <> 2 * (
            SELECT count(*) FROM org_department s
            WHERE s.tree_id = d.tree_id AND s.lft BETWEEN d.lft AND d.rght)""",
    "per tree: lft/rght are exactly 1..2n, no overlaps": """
        SELECT tree_id FROM (
            SELECT tree_id, lft AS n FROM org_department
            UNION ALL SELECT tree_id, rght FROM org_department) edges
        GROUP BY tree_id
        HAVING count(*) <> count(DISTINCT n) OR min(n) <> 1 OR max(n) <> count(*)""",
    "siblings do not overlap": """
        SELECT a.id FROM org_department a JOIN org_department b
          ON a.parent_id = b.parent_id AND a.id <> b.id
        WHERE a.lft < b.lft AND b.lft < a.rght""",
}


def recreate_database() -> None:
    """Drop and create the DATABASE_URL database, then migrate it."""
    import psycopg2
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor != "postgresql":
        sys.exit("--fresh needs DATABASE_URL to point at PostgreSQL.")
    name = params["NAME"]
    server = psycopg2.connect(
        dbname="postgres",
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()


def run(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True)
    return time.perf_counter() - started


def tree_checks() -> list[tuple[str, int]]:
    from django.db import connection

    results = []
    with connection.cursor() as cursor:
        for name, sql in TREE_CHECKS.items():
            cursor.execute(sql)
            results.append((name, len(cursor.fetchall())))
    return results


def rebuild_differences() -> int:
    """Rows whose (tree_id, lft, rght, level) differ from a full mptt rebuild (rolled back)."""
    from django.db import transaction

    from apps.org.models import Department

    fields = ("pk", "tree_id", "lft", "rght", "level")
    before = {row[0]: row[1:] for row in Department.objects.values_list(*fields)}

    class Rollback(Exception):
        pass

    differences = 0
    try:
        with transaction.atomic():
            Department.objects.rebuild()
            after = {row[0]: row[1:] for row in Department.objects.values_list(*fields)}
            differences = sum(1 for pk, coords in after.items() if before.get(pk) != coords)
            differences += len(before.keys() - after.keys())
            raise Rollback
    except Rollback:
        pass
    return differences


def history_gaps() -> list[tuple[str, int, int, int]]:
    """(model, rows, rows with a '+' history row, rows without one)."""
    from apps.org.models import Department, Employee

    results = []
    for model in (Department, Employee):
        created = model.history.filter(history_type="+").values("id")
        rows = model.objects.count()
        missing = model.objects.exclude(pk__in=created).count()
        results.append((model.__name__, rows, rows - missing, missing))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, default=10_000)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="drop, create and migrate first")
    parser.add_argument("--no-rebuild-check", action="store_true")
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    from apps.org.models import Department, Employee

    steps = []
    if args.fresh:
        # Before anything connects: the database may not exist yet.
        recreate_database()
        connection.close()
        print(f"# seed_demo benchmark\n{machine()}\n")
        steps.append(("migrate (fresh database)", run(["migrate", "-v0"]), ""))
    else:
        print(f"# seed_demo benchmark\n{machine()}\n")
    if not args.fresh and Department.objects.exists():
        sys.exit("The database is not empty: pass --fresh (drops it) or use a new one.")
    seed = run(
        [
            "seed_demo",
            f"--departments={args.departments}",
            f"--employees={args.employees}",
        ]
    )
    verdict = "met" if seed < TARGET_SECONDS else "MISSED"
    steps.append(
        (
            f"seed_demo --departments {args.departments} --employees {args.employees}",
            seed,
            f"< {TARGET_SECONDS:.0f} s: {verdict}",
        )
    )
    print()
    print(table(["step", "wall s", "target"], [(n, f"{s:.1f}", t) for n, s, t in steps]))

    connection.close()
    people = Employee.objects.exclude(username="system").count()
    print(f"\nrows: {Department.objects.count()} departments, {people} employees (+ system)\n")

    checks = tree_checks()
    if not args.no_rebuild_check:
        started = time.perf_counter()
        differences = rebuild_differences()
        elapsed = time.perf_counter() - started
        checks.append((f"same as Department.objects.rebuild() ({elapsed:.0f} s)", differences))
    print(
        table(
            ["MPTT check", "offending rows", "result"],
            [(n, bad, "ok" if bad == 0 else "FAILED") for n, bad in checks],
        )
    )
    print()
    gaps = history_gaps()
    print(
        table(
            ["history", "rows", "with '+' history row", "without", "result"],
            [(*g, "ok" if g[3] == 0 else "FAILED") for g in gaps],
        )
    )
    print(f"\nload average at the end: {loadavg()}")
    failed = seed >= TARGET_SECONDS or any(b for _, b in checks) or any(g[3] for g in gaps)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
