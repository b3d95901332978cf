"""Benchmark: opening the department tree page (issue 4: at most 5 queries, under 200 KB).

Needs a database seeded with ``seed_demo --departments 10000 --employees 100000``.
"Opening" is what the browser fetches before the person can act: the page, the
roots (children endpoint without parent) and the first level below the root (one
children call), measured as hr through Django's test client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice_bench \
    DJANGO_SECRET_KEY=... .venv/bin/python bench/tree.py --repeat 20
"""

import argparse
import sys
import time

from _common import machine, setup_django, summary_ms, table

MAX_QUERIES = 5
MAX_BYTES = 200 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup_django()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from apps.org.models import Department, Employee
    from tests.otp import mark_verified

    setup_test_environment()
    client = Client()
    hr = Employee.objects.get(username="hr")
    client.force_login(hr)
    mark_verified(client, hr)  # past the sign-in code step (issue 6)
    root = Department.objects.get(parent__isnull=True)
    children = reverse("admin:org_department_tree_children")
    requests = [
        ("page", reverse("admin:org_department_tree"), {}),
        ("roots (JSON)", children, {}),
        ("children of the root (JSON)", children, {"parent": str(root.pk)}),
    ]
    print(f"# tree page benchmark\n{machine()}\n")
    rows = []
    total_bytes = 0
    for name, url, params in requests:
        client.get(url, params)
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, params)
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        stats = summary_ms(samples)
        total_bytes += len(response.content)
        rows.append(
            [
                name,
                f"{stats['median']:.1f}",
                f"{stats['p95']:.1f}",
                len(ctx.captured_queries),
                f"{len(response.content) / 1024:.1f}",
            ]
        )
    print(table(["request", "median ms", "p95 ms", "queries", "KiB"], rows))
    page_queries = rows[0][3]
    ok = page_queries <= MAX_QUERIES and total_bytes < MAX_BYTES
    print(
        f"\npage queries {page_queries} (<= {MAX_QUERIES}); "
        f"page + roots + first level {total_bytes / 1024:.1f} KiB (< 200 KiB): "
        f"{'met' if ok else 'MISSED'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
