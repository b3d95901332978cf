"""Demo and scale data: a realistic organisation, one account per role, bulk paths for size.

Idempotent: departments are keyed by code, employees by username; a second run
adds nothing and resets the demo accounts' passwords to the one given.
"""

import csv
import datetime
import functools
import io
import json
import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Field, ForeignObject, Model
from django.utils import timezone
from pypinyin import lazy_pinyin
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from apps.core.history import history_bulk_notify, mark_change
from apps.org import tree
from apps.org.codes import code_from_index, employee_id_format
from apps.org.models import Department, Employee
from apps.org.services import department_create, employee_id_next, employee_system_account

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_EMPLOYEES = 300
BATCH = 2000
SCALE_CODE_PREFIX = "X"
SEED_REASON = "seed_demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: str
    department_code: str
    position: str
    superuser: bool = False
    manages: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Ada", "Admin", "Administrator", "BOG", "Administrator", superuser=True),
    DemoAccount("hr", "Hannah", "Reed", "HR", "POP", "HR Partner"),
    DemoAccount(
        "manager", "Marcus", "Chen", "Manager", "ENG", "Head of Engineering", manages="ENG"
    ),
    DemoAccount("security", "Sam", "Ortiz", "Security officer", "SEC", "Security Officer"),
    DemoAccount("auditor", "Alice", "Wong", "Auditor", "LGL", "Internal Auditor"),
    DemoAccount("staff", "Steve", "Park", "Staff", "ST", "Support Agent"),
)


@dataclass
class SeedSummary:
    departments_created: int = 0
    employees_created: int = 0
    accounts: list[str] = field(default_factory=list)


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@functools.cache
def _pinyin(text: str) -> str:
    """Toneless pinyin of ``text``; cached: 100,000 scale rows share 30 given names."""
    return "".join(lazy_pinyin(text))


class _NameMaker:
    """Deterministic English and Chinese names with ASCII usernames."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names = _load("demo_names.json")

    def person(self) -> tuple[str, str, str]:
        """Return (first_name, last_name, ascii handle)."""
        n = self.names
        if self.rng.random() < 0.4:
            last = self.rng.choice(n["zh_last"])
            first = self.rng.choice(n["zh_first"])
            handle = f"{n['zh_pinyin_last'][last]}.{_pinyin(first)}"
            return first, last, handle
        first = self.rng.choice(n["en_first"])
        last = self.rng.choice(n["en_last"])
        return first, last, f"{first}.{last}".lower()

    def position(self) -> str:
        return self.rng.choice(self.names["positions"])

    def hire_date(self, today: datetime.date) -> datetime.date:
        return today - datetime.timedelta(days=self.rng.randint(0, 365 * 12))

    def salary(self) -> Decimal:
        return Decimal(self.rng.randrange(3000, 30000, 50))


def _seed_tree(
    node: dict, parent: Department | None, actor: Employee, summary: SeedSummary
) -> None:
    department = Department.objects.filter(code=node["code"]).first()
    if department is None:
        department = department_create(
            actor=actor, name=node["name"], code=node["code"], parent=parent
        )
        summary.departments_created += 1
    for child in node.get("children", ()):
        _seed_tree(child, department, actor, summary)


def _employee_row(
    names: _NameMaker,
    *,
    person: tuple[str, str, str],
    number: int,
    handle: str,
    department: Department,
    password: str,
    today: datetime.date,
) -> Employee:
    first, last, _handle = person
    return Employee(
        id=uuid.uuid4(),
        username=handle,
        first_name=first,
        last_name=last,
        email=f"{handle}@example.com",
        employee_id=employee_id_format(number),
        # The id, not the object: assigning through the relation descriptor costs more per row.
        department_id=department.pk,
        position=names.position(),
        hire_date=names.hire_date(today),
        salary=names.salary(),
        password=password,
        is_active=True,
        date_joined=timezone.now(),
    )


# Field types whose values Python's csv module writes as text PostgreSQL reads back unchanged.
_COPY_TYPES = frozenset(
    {
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "DecimalField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
        "UUIDField",
    }
)
_TEXT_TYPES = frozenset({"CharField", "TextField"})


def _column_type(field: Field) -> str:
    """The internal type of the column: a foreign key's is its target's."""
    return (field.target_field if isinstance(field, ForeignObject) else field).get_internal_type()


def _copy_rows(table: str, fields: Sequence[Field], rows: Sequence[Sequence[object]]) -> None:
    """Load ``rows`` (values in ``fields`` order) with one ``COPY ... FROM STDIN`` in CSV.

    The csv module writes None and "" alike, as an empty field; COPY reads an empty
    field as NULL except in FORCE_NOT_NULL columns. So every column that holds no
    None is listed there, and a text column holding both None and "" is refused.
    """
    not_null = []
    for index, column in enumerate(fields):
        if not column.null:
            not_null.append(column.column)
        elif _column_type(column) in _TEXT_TYPES:
            values = [row[index] for row in rows]
            if None not in values:
                not_null.append(column.column)
            elif "" in values:
                raise ValueError(f"{table}.{column.column}: COPY cannot tell None from ''.")
    buffer = io.StringIO()
    # The default line terminator, \r\n, makes csv quote values holding \r or \n.
    csv.writer(buffer).writerows(rows)
    buffer.seek(0)
    quote = connection.ops.quote_name
    options = "FORMAT csv"
    if not_null:
        options += f", FORCE_NOT_NULL ({', '.join(map(quote, not_null))})"
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {quote(table)} ({columns}) FROM STDIN WITH ({options})", buffer)


def _insert_with_history(rows: Sequence[Model], model: type[Model], actor: Employee) -> None:
    """Insert new rows and one "+" history row each, as ``bulk_create_with_history`` does.

    On PostgreSQL both tables are loaded with COPY: at 100,000 employees the ORM's
    per-value preparation in bulk_create (rows, then history rows) cost more than
    the database's own work. Rows carry their primary key; like bulk_create, no
    signals are sent. Elsewhere, or for a model this path was not written for,
    simple-history's helper does it.
    """
    history = get_history_manager_for_model(model).model
    started = timezone.now()
    _insert_rows_and_history(rows, model, history, actor)
    # No per-row signal on either path: tell the audit trail about the new versions.
    history_bulk_notify(
        history,
        history.objects.filter(history_date__gte=started, history_change_reason=SEED_REASON),
    )


def _insert_rows_and_history(
    rows: Sequence[Model],
    model: type[Model],
    history: Any,  # simple-history's historical model (its library ships no types)
    actor: Employee,
) -> None:
    tracked = history.tracked_fields
    fields = model._meta.concrete_fields
    extra = ("history_date", "history_change_reason", "history_type", "history_user")
    history_fields = [history._meta.get_field(f.name) for f in tracked]
    history_fields += [history._meta.get_field(name) for name in extra]
    expected = {f.column for f in history._meta.concrete_fields if not f.primary_key}
    if (
        connection.vendor != "postgresql"
        or {f.column for f in history_fields} != expected
        or any(_column_type(f) not in _COPY_TYPES for f in (*fields, *history_fields))
    ):
        for start in range(0, len(rows), BATCH):
            bulk_create_with_history(
                rows[start : start + BATCH],
                model,
                batch_size=BATCH,
                default_user=actor,
                default_change_reason=SEED_REASON,
            )
        return
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for row in rows:
        for stamp in stamped:
            stamp.pre_save(row, add=True)
    values = attrgetter(*(f.attname for f in fields))
    _copy_rows(model._meta.db_table, fields, [values(row) for row in rows])
    tracked_values = attrgetter(*(f.attname for f in tracked))
    _copy_rows(
        history._meta.db_table,
        history_fields,
        [(*tracked_values(row), timezone.now(), SEED_REASON, "+", actor.pk) for row in rows],
    )


def _refresh_statistics(models: Sequence[type[Model]]) -> None:
    """After a bulk load on PostgreSQL: VACUUM ANALYZE the tables, as autovacuum would.

    Until autovacuum gets there (if it is on at all), the planner has no statistics
    and prices the trigram GIN indexes, with their long pending lists, above a
    sequential scan: every admin search read all 100,000 employees (250-640 ms
    instead of 0.3-5 ms per query). VACUUM also sets the visibility map, which
    index-only scans (headcounts, COUNT(*)) need. Inside a transaction (tests),
    where VACUUM cannot run, the pending lists are merged and ANALYZE runs instead.
    """
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in models]
    tables += [get_history_manager_for_model(model).model._meta.db_table for model in models]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            for table in tables:
                cursor.execute(f"VACUUM (ANALYZE) {quote(table)}")
            return
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
            " WHERE a.amname = 'gin' AND i.indrelid = ANY(%s::regclass[])",
            [tables],
        )
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}")


def _bulk_employees(rows: list[Employee], actor: Employee) -> None:
    _insert_with_history(rows, Employee, actor)


def _seed_demo_employees(actor: Employee, summary: SeedSummary) -> None:
    names = _NameMaker(seed=42)
    # Only the hand-written departments: the random stream must not depend on scale rows.
    departments = list(
        Department.objects.filter(is_active=True)
        .exclude(code__startswith=SCALE_CODE_PREFIX)
        .order_by("code")
    )
    existing = set(
        Employee.objects.filter(username__startswith="demo.").values_list("username", flat=True)
    )
    number = int(employee_id_next()[1:])
    today = timezone.localdate()
    # Demo people cannot log in: one unusable hash for all of them.
    unusable = make_password(None)
    rows = []
    for i in range(DEMO_EMPLOYEES):
        person = names.person()
        username = f"demo.{person[2]}.{i:03d}"
        # Build every row, even skipped ones, so the random stream stays the same per run.
        row = _employee_row(
            names,
            person=person,
            number=number,
            handle=username,
            department=names.rng.choice(departments),
            password=unusable,
            today=today,
        )
        if username not in existing:
            rows.append(row)
            number += 1
    _bulk_employees(rows, actor)
    summary.employees_created += len(rows)


def _seed_accounts(password: str, actor: Employee, summary: SeedSummary) -> None:
    # The accounts share one password: hash it once (each hash is ~0.5-1 s of PBKDF2).
    hashed = ""
    for account in DEMO_ACCOUNTS:
        wanted = {
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email": f"{account.username}@example.com",
            "department": Department.objects.get(code=account.department_code),
            "position": account.position,
            "is_staff": True,
            "is_superuser": account.superuser,
            "is_active": True,
        }
        user = Employee.objects.filter(username=account.username).first()
        if user is None:
            user = Employee(
                username=account.username,
                employee_id=employee_id_next(),
                hire_date=datetime.date(2020, 1, 6),
            )
        stale = [name for name, value in wanted.items() if getattr(user, name) != value]
        # Save only what differs, so a second run writes no history rows.
        if user._state.adding or stale or not user.check_password(password):
            for name in stale:
                setattr(user, name, wanted[name])
            hashed = hashed or make_password(password)
            user.password = hashed
            user._history_user = actor
            user.save()
        if account.manages:
            # One save each (a handful): the change goes into history like any other.
            for department in Department.objects.filter(code=account.manages).exclude(manager=user):
                department.manager = user
                mark_change(department, actor=actor, reason=SEED_REASON)
                department.save(update_fields=["manager", "updated_at"])
        summary.accounts.append(account.username)


# --- Scale -------------------------------------------------------------------------


def _scale_layout(count: int) -> list[tuple[int | None, int]]:
    """Return (parent index, level) per node of a balanced tree of ``count`` nodes, BFS order."""
    fanout = max(2, math.ceil(count ** (1 / 4)))
    nodes: list[tuple[int | None, int]] = [(None, 0)]
    cursor = 0
    while len(nodes) < count:
        level = nodes[cursor][1] + 1
        for _ in range(fanout):
            if len(nodes) >= count:
                break
            nodes.append((cursor, level))
        cursor += 1
    return nodes


def _scale_code(index: int) -> str:
    """ "X" + 5 letters: never clashes with the hand-written demo codes."""
    return SCALE_CODE_PREFIX + code_from_index(index, 5)


def _scale_name(index: int, level: int) -> str:
    if level == 0:
        return "Regional Operations"
    if level == 1:
        return f"Division {index:05d}"
    return f"Unit {index:05d}"


@transaction.atomic
def _seed_scale_departments(count: int, actor: Employee, summary: SeedSummary) -> list[Department]:
    """Insert ``count`` departments as one subtree under the root, numbering the tree once."""
    if count <= 0 or Department.objects.filter(code=_scale_code(0)).exists():
        return list(Department.objects.filter(code__startswith=SCALE_CODE_PREFIX))
    root = Department.objects.get(code="BOG")
    layout = _scale_layout(count)
    positions = tree.subtree_graft_positions(
        parent=root, name=_scale_name(0, 0), parents=[parent for parent, _level in layout]
    )
    rows: list[Department] = []
    for index, (parent, level) in enumerate(layout):
        rows.append(
            Department(
                id=uuid.uuid4(),
                name=_scale_name(index, level),
                code=_scale_code(index),
                parent=root if parent is None else rows[parent],
                **positions[index],
            )
        )
    _insert_with_history(rows, Department, actor)
    summary.departments_created += len(rows)
    return rows


@transaction.atomic
def _seed_scale_employees(
    count: int, departments: list[Department], actor: Employee, summary: SeedSummary
) -> None:
    if count <= 0 or not departments:
        return
    if Employee.objects.filter(username__startswith="scale.").exists():
        return
    names = _NameMaker(seed=7)
    number = int(employee_id_next()[1:])
    today = timezone.localdate()
    # One shared unusable hash: hashing 100,000 random values costs seconds for nothing.
    unusable = make_password(None)
    rows = [
        _employee_row(
            names,
            person=names.person(),
            number=number + i,
            handle=f"scale.{number + i}",
            department=departments[i % len(departments)],
            password=unusable,
            today=today,
        )
        for i in range(count)
    ]
    _bulk_employees(rows, actor)
    summary.employees_created += len(rows)


def demo_seed(
    *, password: str, departments: int | None = None, employees: int | None = None
) -> SeedSummary:
    """Seed the demo organisation and accounts; with sizes, grow it to that many rows."""
    summary = SeedSummary()
    actor = employee_system_account()
    with transaction.atomic():
        _seed_tree(_load("demo_org.json")["departments"], None, actor, summary)
        _seed_accounts(password, actor, summary)
        _seed_demo_employees(actor, summary)
    before_scale = summary.departments_created + summary.employees_created
    if departments:
        extra = departments - Department.objects.exclude(code__startswith=SCALE_CODE_PREFIX).count()
        generated = _seed_scale_departments(extra, actor, summary)
    else:
        generated = []
    if employees:
        people = Employee.objects.exclude(pk=actor.pk)
        extra = employees - people.exclude(username__startswith="scale.").count()
        _seed_scale_employees(extra, generated or list(Department.objects.all()), actor, summary)
    if summary.departments_created + summary.employees_created > before_scale:
        _refresh_statistics((Department, Employee))
    return summary
