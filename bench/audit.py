"""Benchmark: the audit trail at 1,000,000 history rows (issue 7).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice_bench \\
    DJANGO_SECRET_KEY=<50+ characters> .venv/bin/python bench/audit.py --rows 1000000

Needs the seeded bench database (bench/seed.py: 10,000 departments, 100,000
employees, each with its "+" history row and audit entry). Steps:

1. Grow: insert employee versions ("position" changed) until the history tables and
   the trail hold ``--rows`` rows in all, dated over the last two years and spread
   over 40 actors, with their audit entries — in SQL, as a bulk load (the per-save
   path is measured in step 5). Then VACUUM ANALYZE.
2. Seal: ``chain.seal()`` over every unsealed entry (the beat task's work), timed.
3. Trail pages through Django's test client (full middleware, view, template): the
   first page and a filtered page (one actor + a 30-day range) as a superuser, the
   auditor and a manager (scope: one department subtree), round-robin; query count
   from a separate request.
4. ``verify_audit`` over the whole chain, in a child process: wall time, peak RSS
   (``ru_maxrss``) and RSS sampled every 100,000 records (constant memory means a
   flat line).
5. One employee save through ``employee_update``, with history (history row + audit
   entry) and with ``SIMPLE_HISTORY_ENABLED = False``, interleaved: the ratio.

Prints Markdown tables; exits 0.
"""

import argparse
import statistics
import subprocess
import sys
import time

from _common import ROOT, machine, setup_django, summary_ms, table

BENCH_REASON = "Bench change"
ACTORS = 40
PAGE_TARGET_MS = 200.0
VERIFY_TARGET_S = 60.0


def grow(total: int) -> int:
    """Insert employee versions and their entries until the trail holds ``total`` rows."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from apps.audit.models import AuditEntry
    from apps.org.models import Employee

    have = AuditEntry.objects.count()
    missing = total - have
    if missing <= 0:
        return 0
    history = Employee.history.model
    tracked = [f.column for f in history.tracked_fields]
    quote = connection.ops.quote_name
    employees = Employee.objects.count()
    rounds = -(-missing // employees)
    ct = ContentType.objects.get_for_model(Employee).pk
    actors = list(
        Employee.objects.filter(username__startswith="scale.")
        .order_by("username")
        .values_list("id", flat=True)[:ACTORS]
    )
    actor_array = "ARRAY[" + ",".join(f"'{a}'::uuid" for a in actors) + "]"
    columns = ", ".join(quote(c) for c in tracked)
    select = ", ".join(
        "'Bench position ' || g::text" if c == "position" else f"e.{quote(c)}" for c in tracked
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(history_id), 0) FROM org_historicalemployee")
        (floor,) = cursor.fetchone()
        cursor.execute(
            f"""
            INSERT INTO org_historicalemployee
                ({columns}, history_date, history_change_reason, history_type, history_user_id)
            SELECT {select},
                   now() - (random() * interval '730 days'),
                   %s, '~',
                   ({actor_array})[1 + floor(random() * {len(actors)})::int]
            FROM (SELECT * FROM org_employee ORDER BY id LIMIT %s) e
            CROSS JOIN generate_series(1, %s) g
            LIMIT %s
            """,
            [BENCH_REASON, employees, rounds, missing],
        )
        cursor.execute(
            """
            INSERT INTO audit_auditentry
                (at, actor_id, actor_name, action, content_type_id, object_id, object_repr,
                 history_id, department_id, department_other_id, changed_fields, sensitive,
                 reason, hash)
            SELECT h.history_date, h.history_user_id, u.username, 'changed', %s, h.id::text,
                   h.first_name || ' ' || h.last_name || ' (' || h.employee_id || ')',
                   h.history_id, h.department_id, NULL, ' position ', false,
                   h.history_change_reason, ''
            FROM org_historicalemployee h JOIN org_employee u ON u.id = h.history_user_id
            WHERE h.history_id > %s
            ORDER BY h.history_date
            """,
            [ct, floor],
        )
        inserted = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE org_historicalemployee")
        cursor.execute("VACUUM ANALYZE audit_auditentry")
    return inserted


def unseal(count: int) -> None:
    """Take the newest ``count`` entries out of the chain (head moved back), as if fresh."""
    from django.db import transaction

    from apps.audit.models import AuditEntry, ChainHead

    with transaction.atomic():
        head = ChainHead.objects.select_for_update().get(pk=1)
        keep = max(head.seq - count, 0)
        AuditEntry.objects.filter(seq__gt=keep).update(seq=None, hash="")
        last = AuditEntry.objects.filter(seq=keep).values_list("hash", flat=True).first()
        head.seq, head.hash = keep, last or ""
        head.save()


def measure_pages(repeat: int) -> list[list[object]]:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from apps.access.roles import AUDITOR, MANAGER
    from apps.access.services import assignment_create
    from apps.audit.models import AuditEntry
    from apps.org.models import Department, Employee
    from apps.org.services import employee_create
    from tests.otp import mark_verified

    setup_test_environment()

    def person(username: str, role: str, department: Department | None) -> Employee:
        user = Employee.objects.filter(username=username).first()
        if user is None:
            user = employee_create(actor=None, username=username, department=department)
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            assignment_create(
                actor=None,
                user=user,
                role=Group.objects.get(name=role),
                department=department,
                reason="Benchmark",
            )
        return user

    # Two managers: of one leaf department, and of a 1,111-department division (11%).
    leaf = Department.objects.get(code="SEC")
    division = Department.objects.get(code="XAAAAB")
    auditor = person("bench-auditor", AUDITOR, None)
    manager = person("bench-audit-manager", MANAGER, leaf)
    division_manager = person("bench-audit-division-manager", MANAGER, division)
    superuser = Employee.objects.get(username="admin")
    busy = (
        AuditEntry.objects.filter(reason=BENCH_REASON)
        .values_list("actor__username", flat=True)
        .first()
    )
    newest = AuditEntry.objects.order_by("-at").values_list("at", flat=True).first()
    start = (newest - __import__("datetime").timedelta(days=30)).date()
    url = reverse("admin:audit_auditentry_changelist")
    filtered = (
        f"{url}?actor={busy}&date_from={start.isoformat()}&date_to={newest.date().isoformat()}"
    )
    pages = []
    for label, user in (
        ("superuser", superuser),
        ("auditor", auditor),
        ("manager of 1 department", manager),
        ("manager of 1,111 departments", division_manager),
    ):
        client = Client()
        client.force_login(user)
        mark_verified(client, user)  # past the sign-in code step, as after a real sign-in
        pages.append((f"{label}: first page", client, url))
        pages.append((f"{label}: actor + 30 days", client, filtered))
    times: dict[str, list[float]] = {label: [] for label, _c, _u in pages}
    counts = {}
    for label, client, address in pages:
        response = client.get(address)
        assert response.status_code == 200, (label, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(address)
        counts[label] = len(captured.captured_queries)
    for _ in range(repeat):
        for label, client, address in pages:
            began = time.perf_counter()
            client.get(address)
            times[label].append(time.perf_counter() - began)
    rows = []
    for label, _client, _address in pages:
        stats = summary_ms(times[label])
        verdict = "met" if stats["median"] < PAGE_TARGET_MS else "MISSED"
        rows.append(
            [label, counts[label], f"{stats['median']:.1f}", f"{stats['p95']:.1f}", verdict]
        )
    return rows


VERIFY_CHILD = r"""
import os, resource, sys, time
sys.path.insert(0, os.environ["BENCH_ROOT"])
sys.path.insert(0, os.path.join(os.environ["BENCH_ROOT"], "bench"))
from _common import setup_django
setup_django()
from apps.audit.chain import verify

def rss_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

samples = []
def progress(done):
    if not samples or done - samples[-1][0] >= 100_000:
        samples.append((done, rss_mib()))

began = time.perf_counter()
result = verify(progress=progress)
elapsed = time.perf_counter() - began
peak = max(
    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,  # the worker processes
) / 1024
print(f"{result.summary()}|{elapsed:.1f}|{peak:.1f}|" + ";".join(f"{d}:{m:.0f}" for d, m in samples))
"""


def measure_verify() -> tuple[str, float, float, str]:
    import os

    env = {**os.environ, "BENCH_ROOT": str(ROOT)}
    out = (
        subprocess.run(
            [sys.executable, "-c", VERIFY_CHILD],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    summary, elapsed, peak, samples = out.split("|")
    return summary, float(elapsed), float(peak), samples


def measure_save(repeat: int) -> list[list[object]]:
    from django.test import override_settings

    from apps.org.models import Employee
    from apps.org.services import employee_update

    hr = Employee.objects.get(username="hr")
    target = Employee.objects.filter(username__startswith="scale.").order_by("username")[500]
    variants = {
        "without history": {"SIMPLE_HISTORY_ENABLED": False},
        "with history: version + audit entry (sealed later by beat)": {
            "AUDIT_SEAL_ON_COMMIT": False
        },
        "with history, sealed at commit (the embedded default)": {"AUDIT_SEAL_ON_COMMIT": True},
    }
    times: dict[str, list[float]] = {label: [] for label in variants}
    for i in range(repeat):
        for label, overrides in variants.items():
            with override_settings(**overrides):
                began = time.perf_counter()
                employee_update(employee=target, actor=hr, position=f"Bench save {i} {label}")
                times[label].append(time.perf_counter() - began)
    base = statistics.median(times["without history"])
    return [
        [
            label,
            f"{statistics.median(times[label]) * 1000:.2f}",
            f"{statistics.median(times[label]) / base:.2f}x",
        ]
        for label in variants
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--reseal",
        type=int,
        default=0,
        help="unseal the newest N sealed entries first, to time sealing them again",
    )
    args = parser.parse_args()
    setup_django()
    from apps.audit.chain import seal
    from apps.audit.models import AuditEntry

    print(machine())
    began = time.perf_counter()
    inserted = grow(args.rows)
    print(
        f"\nGrow: {inserted} versions and entries inserted in {time.perf_counter() - began:.1f} s"
    )
    if args.reseal:
        unseal(args.reseal)
    began = time.perf_counter()
    sealed = seal()
    print(f"Seal: {sealed} entries sealed in {time.perf_counter() - began:.1f} s")
    if sealed > 10_000:
        # As autovacuum would after rewriting that many rows; pages are timed after it.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE audit_auditentry")
    print(f"Trail rows: {AuditEntry.objects.count()}\n")
    print(table(["page", "queries", "median ms", "p95 ms", "< 200 ms"], measure_pages(args.repeat)))
    summary, elapsed, peak, samples = measure_verify()
    verdict = "met" if elapsed < VERIFY_TARGET_S else "MISSED"
    print()
    print(
        table(
            ["verify_audit", "seconds", "peak RSS MiB", "RSS by records checked", "< 60 s"],
            [[summary, f"{elapsed:.1f}", f"{peak:.0f}", samples, verdict]],
        )
    )
    print()
    print(table(["one employee save", "median ms", "ratio"], measure_save(args.repeat * 4)))


if __name__ == "__main__":
    main()
