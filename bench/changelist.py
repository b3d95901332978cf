"""Server time of the admin changelists: ours next to bare ModelAdmins, in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice_bench \\
    DJANGO_SECRET_KEY=<50+ characters> .venv/bin/python bench/changelist.py

Run it on a database filled by ``bench/seed.py`` (``seed_demo --departments 10000
--employees 100000``), with DEBUG off (SSL redirect and the manifest static
storage are switched off by default, see ``_common.setup_django``). Every page is requested through Django's
test ``Client`` as the seeded ``admin`` superuser (full middleware, view and
template rendering, no network). Pages are warmed up, then requested round-robin
(so a burst of load on the machine hits all of them alike); the query count
comes from a separate request under ``CaptureQueriesContext``, so capturing does
not slow the timed ones. The search queries are then shown with EXPLAIN ANALYZE.

For comparison, ``Employee`` is also registered on two extra ``UnfoldAdminSite``
instances: one with a bare ``unfold.admin.ModelAdmin``, one with a bare
``django.contrib.admin.ModelAdmin``; both have our ``list_display`` (the same
display callables) and nothing else. (A plain ``AdminSite`` cannot render here:
unfold's templates replace Django's admin templates for every site, and they
need the URLs and context an ``UnfoldAdminSite`` provides.) Bare admins show 100
rows and, as ``select_related()`` skips nullable foreign keys, fetch each row's
department with its own query; so a third, "matched" bare unfold admin shows 50
rows with ``list_select_related = ("department",)`` like ours, for a like-for-like
reference. The 1.3x target is checked against both.
"""

import argparse
import re
import sys
import time
import types
import warnings
from dataclasses import dataclass, field

from _common import loadavg, machine, setup_django, summary_ms, table

PAGE_RATIO_TARGET = 1.3  # ours / bare unfold, page 1
SEARCH_RATIO_TARGET = 2.0  # our search / our page 1


@dataclass
class Page:
    key: str
    label: str
    url: str
    times: list[float] = field(default_factory=list)
    queries: int = 0
    sql_ms: float = 0.0
    results: str = ""
    kbytes: float = 0.0
    captured: list[dict] = field(default_factory=list)


def install_bench_sites() -> None:
    """Register the bare admins on their own sites and route /bench/ to them."""
    from django.conf import settings
    from django.contrib import admin as django_admin
    from django.urls import clear_url_caches, include, path
    from unfold.admin import ModelAdmin as UnfoldModelAdmin
    from unfold.sites import UnfoldAdminSite

    from apps.org.admin import EmployeeAdmin
    from apps.org.models import Employee

    # The same display callables as ours (display_name, active_badge), nothing else.
    columns = {
        name: getattr(EmployeeAdmin, name)
        for name in EmployeeAdmin.list_display
        if hasattr(EmployeeAdmin, name)
    }
    attrs = {"list_display": EmployeeAdmin.list_display, **columns}
    unfold_site = UnfoldAdminSite(name="bench_unfold")
    unfold_site.register(Employee, type("BareUnfoldAdmin", (UnfoldModelAdmin,), attrs))
    matched = {**attrs, "list_per_page": 50, "list_select_related": ("department",)}
    matched_site = UnfoldAdminSite(name="bench_matched")
    matched_site.register(Employee, type("MatchedUnfoldAdmin", (UnfoldModelAdmin,), matched))
    django_site = UnfoldAdminSite(name="bench_django")
    django_site.register(Employee, type("BareDjangoAdmin", (django_admin.ModelAdmin,), attrs))

    urls = types.ModuleType("bench_urls")
    urls.urlpatterns = [
        path("bench/unfold/", unfold_site.urls),
        path("bench/matched/", matched_site.urls),
        path("bench/django/", django_site.urls),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules["bench_urls"] = urls
    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()


def fetch(client, page: Page) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(page.url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{page.url}: HTTP {response.status_code}")
    return elapsed, response


def describe(response) -> str:
    """Result count as the page states it (our admins skip the full COUNT)."""
    cl = (getattr(response, "context_data", None) or {}).get("cl")
    if cl is None:
        return "?"
    return f"{cl.result_count} ({len(cl.result_list)} shown)"


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page")
    parser.add_argument(
        "--search",
        action="append",
        help="search term for our employee changelist (repeatable); "
        "default: a surname, a partial employee id, a Chinese surname",
    )
    args = parser.parse_args()
    # WhiteNoise warns that nothing was collected: irrelevant to changelist timings.
    warnings.filterwarnings("ignore", message="No directory at")
    searches = args.search or ["Anderson", "E0421", "王"]

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
    install_bench_sites()

    pages = [
        Page("ours", "employees, ours (EmployeeAdmin), page 1", "/admin/org/employee/"),
        Page("unfold", "employees, bare unfold ModelAdmin, page 1", "/bench/unfold/org/employee/"),
        Page("django", "employees, bare Django ModelAdmin, page 1", "/bench/django/org/employee/"),
        Page(
            "matched",
            "employees, bare unfold, 50 rows + select_related, page 1",
            "/bench/matched/org/employee/",
        ),
    ]
    for term in searches:
        url = "/admin/org/employee/?" + urlencode({"q": term})
        pages.append(Page(f"q:{term}", f"employees, ours, search q={term}", url))
    pages.append(
        Page("dept", "departments, ours (DepartmentAdmin), page 1", "/admin/org/department/")
    )

    print(f"# Changelist benchmark\n{machine()}")
    print(
        f"rows: {Department.objects.count()} departments, {Employee.objects.count()} employees; "
        f"{args.warmup} warm-up + {args.repeat} timed requests per page, round-robin\n"
    )

    client = Client()
    admin = Employee.objects.get(username="admin")
    client.force_login(admin)
    mark_verified(client, admin)  # past the sign-in code step (issue 6)
    for page in pages:
        for _ in range(args.warmup):
            fetch(client, page)
        with CaptureQueriesContext(connection) as ctx:
            _, response = fetch(client, page)
        page.queries = len(ctx.captured_queries)
        page.sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        page.captured = ctx.captured_queries
        page.results = describe(response)
        page.kbytes = len(response.content) / 1024
    for _ in range(args.repeat):
        for page in pages:
            page.times.append(fetch(client, page)[0])

    rows = []
    stats = {}
    for page in pages:
        stats[page.key] = summary_ms(page.times)
        s = stats[page.key]
        rows.append(
            (
                page.label,
                f"{s['median']:.1f}",
                f"{s['p95']:.1f}",
                f"{s['min']:.1f}",
                page.queries,
                f"{page.sql_ms:.1f}",
                page.results,
                f"{page.kbytes:.0f}",
            )
        )
    headers = ["page", "median ms", "p95 ms", "min ms", "queries", "SQL ms", "results", "KiB"]
    print(table(headers, rows))

    def verdict(ratio: float, target: float) -> str:
        return "met" if ratio <= target else "MISSED"

    print()
    checks = [
        (
            "ours / bare unfold, page 1",
            stats["ours"]["median"] / stats["unfold"]["median"],
            PAGE_RATIO_TARGET,
        ),
        (
            "ours / bare unfold matched (50 rows, select_related), page 1",
            stats["ours"]["median"] / stats["matched"]["median"],
            PAGE_RATIO_TARGET,
        ),
    ]
    for term in searches:
        checks.append(
            (
                f"our search q={term} / our page 1",
                stats[f"q:{term}"]["median"] / stats["ours"]["median"],
                SEARCH_RATIO_TARGET,
            )
        )
    print(
        table(
            ["target (medians)", "ratio", "limit", "result"],
            [(n, f"{r:.2f}x", f"<= {t}x", verdict(r, t)) for n, r, t in checks],
        )
    )
    print(f"\nload average at the end: {loadavg()}")

    print("\n## Queries of our employee page 1\n")
    for number, query in enumerate(pages[0].captured, 1):
        print(f"{number}. ({float(query['time']) * 1000:.1f} ms) {query['sql'][:300]}")
    for page in pages:
        if not page.key.startswith("q:"):
            continue
        for query in page.captured:
            if "LIKE" not in query["sql"]:
                continue
            plan = explain(query["sql"])
            used = sorted(set(re.findall(r"Bitmap Index Scan on (\w+_trgm)", plan)))
            print(f"\n## EXPLAIN ANALYZE, {page.label}\n")
            print(f"trigram GIN indexes used: {', '.join(used) or 'none'}\n")
            print(query["sql"])
            print()
            print(plan)
    slowest = max(pages[-1].captured, key=lambda q: float(q["time"]))
    print(f"\n## EXPLAIN ANALYZE, {pages[-1].label}: its slowest query\n")
    print(slowest["sql"])
    print()
    print(explain(slowest["sql"]))
    sys.exit(1 if any(ratio > limit for _, ratio, limit in checks) else 0)


if __name__ == "__main__":
    main()
