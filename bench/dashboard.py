"""Benchmark: the HR dashboard (admin index) on a seeded organisation.

Needs a database seeded with ``seed_demo --departments 10000 --employees 100000``
(see bench/seed.py). Requests /admin/ as ``hr`` (with salary bands) and as
``auditor`` (without) through Django's test client, after a warm-up, and prints
median/p95 server time, query count and SQL time per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice_bench \
    DJANGO_SECRET_KEY=... .venv/bin/python bench/dashboard.py --repeat 20
"""

import argparse
import time

from _common import machine, setup_django, summary_ms, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    setup_django()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from apps.org.models import Department, Employee
    from tests.otp import mark_verified

    setup_test_environment()
    print(f"# dashboard benchmark\n{machine()}\n")
    print(
        f"{Department.objects.count()} departments, "
        f"{Employee.objects.filter(is_active=True).count()} active employees\n"
    )
    rows = []
    for username in ("hr", "auditor"):
        client = Client()
        user = Employee.objects.get(username=username)
        client.force_login(user)
        mark_verified(client, user)  # past the sign-in code step (issue 6)
        for _ in range(args.warmup):
            client.get("/admin/")
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("/admin/")
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        stats = summary_ms(samples)
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        rows.append(
            [
                f"/admin/ as {username}",
                f"{stats['median']:.1f}",
                f"{stats['p95']:.1f}",
                len(ctx.captured_queries),
                f"{sql_ms:.0f}",
                f"{len(response.content) // 1024}",
            ]
        )
    print(table(["page", "median ms", "p95 ms", "queries", "SQL ms", "KiB"], rows))


if __name__ == "__main__":
    main()
