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
display callables) and nothing else. (These run on ``UnfoldAdminSite``s, so even
the bare Django one renders unfold's templates; the stock site below does not.) Bare admins show 100
rows and, as ``select_related()`` skips nullable foreign keys, fetch each row's
department with its own query; so a third, "matched" bare unfold admin shows 50
rows with ``list_select_related = ("department",)`` like ours, for a like-for-like
reference. The 1.3x target is checked against both.

Each big changelist (employees, departments, transfers, login events) is also
rendered by a **stock** ``django.contrib.admin.AdminSite`` with a plain
``django.contrib.admin.ModelAdmin`` (issue 13): our list_display (the same display
callables), list_display_links, ordering, sortable_by, rows per page,
list_select_related, search fields, whether the full count is shown, and rows from
our admin's ``get_queryset`` (the same annotations); the action checkbox only where
ours has actions; no filters. Its responses are rendered by an extra template engine
that sees only Django's own admin templates, so it is Django's HTML, not unfold's.
The target is ours / stock <= 1.5x (medians, same run). ``--fill`` first adds
login events and transfers to an empty bench database (bulk inserts, no history;
the seed makes neither).
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
STOCK_RATIO_TARGET = 1.5  # ours / stock Django admin, page 1, every big list

# (app label, model name) of the big changelists, ours next to a stock admin.
STOCK_LISTS = [
    ("org", "employee"),
    ("org", "department"),
    ("org", "transfer"),
    ("security", "loginevent"),
]
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
    # False: rendered with unfold's own row code (apps.core.unfold_rows taken off).
    overrides: bool = True


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

    stock_site = stock_admin_site()

    urls = types.ModuleType("bench_urls")
    urls.urlpatterns = [
        path("bench/stock/", stock_site.urls),
        path("bench/unfold/", unfold_site.urls),
        path("bench/matched/", matched_site.urls),
        path("bench/django/", django_site.urls),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules["bench_urls"] = urls
    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()


STOCK_ENGINE = "stock-django-admin"


def stock_template_engine() -> None:
    """A template engine that finds only Django's own admin templates (not unfold's)."""
    from pathlib import Path

    import django.contrib.admin
    from django.conf import settings
    from django.template import engines

    default = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        *settings.TEMPLATES,
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "NAME": STOCK_ENGINE,
            "DIRS": [Path(django.contrib.admin.__file__).parent / "templates"],
            "APP_DIRS": False,
            "OPTIONS": {"context_processors": default["OPTIONS"]["context_processors"]},
        },
    ]
    # The engine handler read TEMPLATES already (system checks): read it again.
    engines.__dict__.pop("templates", None)
    engines._templates = None
    engines._engines = {}


def stock_admin_site():
    """A stock AdminSite with a plain ModelAdmin per big list, mirroring ours."""
    from django.apps import apps
    from django.contrib import admin as django_admin
    from django.template.response import TemplateResponse

    stock_template_engine()
    site = django_admin.AdminSite(name="bench_stock")
    for app_label, model_name in STOCK_LISTS:
        model = apps.get_model(app_label, model_name)
        ours = django_admin.site._registry[model]
        ours_class = type(ours)
        columns = {
            name: getattr(ours_class, name)
            for name in ours.list_display
            if isinstance(name, str) and callable(getattr(ours_class, name, None))
        }

        def get_queryset(self, request, _ours=ours):
            return _ours.get_queryset(request)

        def get_actions(self, request, _ours=ours):
            # The checkbox column only where ours has one (its actions).
            return (
                django_admin.ModelAdmin.get_actions(self, request)
                if _ours.get_actions(request)
                else {}
            )

        def changelist_view(self, request, extra_context=None):
            response = django_admin.ModelAdmin.changelist_view(self, request, extra_context)
            if isinstance(response, TemplateResponse):
                response.using = STOCK_ENGINE
            return response

        attrs = {
            **columns,
            "list_display": ours.list_display,
            "list_display_links": ours.list_display_links,
            "ordering": ours.ordering,
            "sortable_by": ours.sortable_by,
            "list_per_page": ours.list_per_page,
            "list_select_related": ours.list_select_related,
            "search_fields": ours.search_fields,
            "show_full_result_count": ours.show_full_result_count,
            "get_queryset": get_queryset,
            "get_actions": get_actions,
            "changelist_view": changelist_view,
        }
        site.register(model, type(f"Stock{model.__name__}Admin", (django_admin.ModelAdmin,), attrs))
    return site


def fill(count_events: int, count_transfers: int) -> None:
    """Login events and transfers for an empty bench database (bulk, no history rows)."""
    import datetime
    import random

    from django.utils import timezone

    from apps.org.models import Department, Employee, Transfer
    from apps.security.models import LoginEvent

    rng = random.Random(13)
    people = list(Employee.objects.order_by("pk").values_list("pk", "username", "department_id"))
    departments = list(Department.objects.values_list("pk", flat=True))
    now = timezone.now()
    if not LoginEvent.objects.exists():
        outcomes = [o.value for o in LoginEvent.Outcome]
        agents = [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        ]
        events = []
        for n in range(count_events):
            pk, username, _ = rng.choice(people)
            outcome = rng.choice(outcomes)
            events.append(
                LoginEvent(
                    at=now - datetime.timedelta(minutes=n * 7),
                    username=username,
                    user_id=pk,
                    ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                    user_agent=rng.choice(agents),
                    outcome=outcome,
                    risk_score=rng.choice([0, 10, 40, 70]),
                    risk_reasons=rng.choice([[], ["new_ip"], ["new_ip", "new_browser"]]),
                )
            )
        LoginEvent.objects.bulk_create(events, batch_size=2000)
    # The demo seed schedules a few transfers of its own: top the bench's up to the count.
    missing = count_transfers - Transfer.objects.filter(reason="bench").count()
    if missing > 0:
        statuses = [s.value for s in Transfer.Status]
        transfers = []
        moving = set(Transfer.objects.values_list("employee_id", flat=True))
        free = [p for p in people if p[0] not in moving]
        # One scheduled transfer per employee at most (a constraint): distinct people.
        for n, (pk, _, department) in enumerate(rng.sample(free, missing)):
            transfers.append(
                Transfer(
                    employee_id=pk,
                    from_department_id=department,
                    to_department_id=rng.choice(departments),
                    effective_date=(now + datetime.timedelta(days=n % 400 - 200)).date(),
                    reason="bench",
                    requested_by_id=people[0][0],
                    status=rng.choice(statuses),
                )
            )
        Transfer.objects.bulk_create(transfers, batch_size=2000)


def fetch(client, page: Page) -> tuple[float, object]:
    from apps.core import unfold_rows

    if not page.overrides:
        unfold_rows.unapply()
    try:
        started = time.perf_counter()
        response = client.get(page.url)
        elapsed = time.perf_counter() - started
    finally:
        unfold_rows.apply()
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


def missed(name: str, ratio: float, limit: float) -> bool:
    """A missed target fails the run; the "before" rows are for comparison only."""
    return ratio > limit and "before" not in name


def bare_checks(stats: dict, searches: list[str]) -> list[tuple[str, float, float]]:
    """The earlier targets: ours against the bare unfold admins, searches against page 1."""
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
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page")
    parser.add_argument(
        "--fill",
        action="store_true",
        help="add 10,000 login events and 2,000 transfers where there are none",
    )
    parser.add_argument(
        "--stock-only",
        action="store_true",
        help="only ours next to the stock admin (no bare unfold admins, searches, EXPLAIN)",
    )
    parser.add_argument(
        "--before",
        action="store_true",
        help="also our lists with unfold's own row rendering (apps.core.unfold_rows off)",
    )
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
    if args.fill:
        fill(10_000, 2_000)
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
    if args.stock_only:
        pages = [pages[0], pages[-1]]
    for app_label, model_name in STOCK_LISTS:
        if (app_label, model_name) not in {("org", "employee"), ("org", "department")}:
            url = f"/admin/{app_label}/{model_name}/"
            pages.append(Page(f"ours:{model_name}", f"{model_name}, ours, page 1", url))
        url = f"/bench/stock/{app_label}/{model_name}/"
        pages.append(Page(f"stock:{model_name}", f"{model_name}, stock Django admin, page 1", url))
    ours_key = {"employee": "ours", "department": "dept"}
    if args.before:
        for app_label, model_name in STOCK_LISTS:
            url = f"/admin/{app_label}/{model_name}/"
            label = f"{model_name}, ours with unfold's own rows (before), page 1"
            pages.append(Page(f"before:{model_name}", label, url, overrides=False))

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
            f"{model_name}: ours / stock Django admin, page 1",
            stats[ours_key.get(model_name, f"ours:{model_name}")]["median"]
            / stats[f"stock:{model_name}"]["median"],
            STOCK_RATIO_TARGET,
        )
        for _, model_name in STOCK_LISTS
    ]
    if args.before:
        checks += [
            (
                f"{model_name}: ours before the row overrides / stock Django admin, page 1",
                stats[f"before:{model_name}"]["median"] / stats[f"stock:{model_name}"]["median"],
                STOCK_RATIO_TARGET,
            )
            for _, model_name in STOCK_LISTS
        ]
    if not args.stock_only:
        checks += bare_checks(stats, searches)
    print(
        table(
            ["target (medians)", "ratio", "limit", "result"],
            [(n, f"{r:.2f}x", f"<= {t}x", verdict(r, t)) for n, r, t in checks],
        )
    )
    print(f"\nload average at the end: {loadavg()}")
    if args.stock_only:
        sys.exit(1 if any(missed(name, ratio, limit) for name, ratio, limit in checks) else 0)

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
    dept = next(page for page in pages if page.key == "dept")
    slowest = max(dept.captured, key=lambda q: float(q["time"]))
    print(f"\n## EXPLAIN ANALYZE, {dept.label}: its slowest query\n")
    print(slowest["sql"])
    print()
    print(explain(slowest["sql"]))
    sys.exit(1 if any(missed(name, ratio, limit) for name, ratio, limit in checks) else 0)


if __name__ == "__main__":
    main()
