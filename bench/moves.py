"""Benchmark: preview and apply a move of a ~600-department subtree (issue 4 targets).

Needs a database seeded with ``seed_demo --departments 10000 --employees 100000``
(see bench/seed.py). Picks the department whose subtree size is closest to 600
and a target in another division, then times the preview and the apply (inside
a transaction that is rolled back, so the database is unchanged and the run can
repeat; VACUUM runs between repetitions as autovacuum would). Prints Markdown
tables; exits 1 when a target is missed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice_bench \
    DJANGO_SECRET_KEY=... .venv/bin/python bench/moves.py --repeat 20
"""

import argparse
import sys
import time

from _common import machine, setup_django, summary_ms, table

TARGET_MS = 300.0


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--size", type=int, default=600, help="wanted subtree size")
    args = parser.parse_args()
    setup_django()

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from apps.org.models import Department
    from apps.org.moves import (
        Move,
        department_moves_apply,
        department_moves_preview,
        department_tree_version,
    )
    from apps.org.tree import subtree_of, subtree_q

    sized = [
        (d.pk, subtree_of(d).size) for d in Department.objects.filter(level__gte=2).only_tree()
    ]
    candidates = sorted(sized, key=lambda row: abs(row[1] - args.size))
    moving = Department.objects.get(pk=candidates[0][0])
    division = moving.get_ancestors().filter(level=2).first() or moving
    target = (
        Department.objects.filter(level=moving.level - 1, is_active=True)
        .exclude(subtree_q([subtree_of(division)]))
        .first()
    )
    move = [Move(moving, target)]
    print(f"# department move benchmark\n{machine()}\n")
    print(f"Moving {moving} ({candidates[0][1]} departments) under {target}.\n")

    previews, applies = [], []
    preview_queries = apply_queries = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            [preview] = department_moves_preview(moves=move)
        previews.append(time.perf_counter() - started)
        preview_queries = len(ctx.captured_queries)
        version = department_tree_version()
        try:
            with transaction.atomic():
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    department_moves_apply(
                        moves=move, reason="bench", actor=None, expected_version=version
                    )
                applies.append(time.perf_counter() - started)
                apply_queries = len(ctx.captured_queries)
                raise _Rollback
        except _Rollback:
            pass
        # Each rolled-back move leaves ~10,000 dead row versions; autovacuum would clear
        # them in a real deployment (it is off on this server), so clear them here.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM org_department")

    print(
        f"Preview: {preview.departments} departments, {preview.employees} employees; "
        f"{' > '.join(preview.old_path)} -> {' > '.join(preview.new_path)}\n"
    )
    rows = []
    missed = False
    for name, samples, queries in (
        ("preview", previews, preview_queries),
        ("apply (rolled back)", applies, apply_queries),
    ):
        stats = summary_ms(samples)
        met = stats["median"] < TARGET_MS
        missed |= not met
        rows.append(
            [
                name,
                f"{stats['median']:.1f}",
                f"{stats['p95']:.1f}",
                queries,
                f"< {TARGET_MS:.0f} ms: {'met' if met else 'MISSED'}",
            ]
        )
    print(table(["step", "median ms", "p95 ms", "queries", "target"], rows))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
