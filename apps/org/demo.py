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
from django.db.models import Field, ForeignObject, Max, Model
from django.utils import timezone
from pypinyin import lazy_pinyin
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)

from apps.core.history import history_bulk_notify, mark_change
from apps.org import tree
from apps.org.codes import CJK, code_from_index, employee_id_format
from apps.org.models import Department, Employee, Transfer
from apps.org.services import (
    REASON_DEACTIVATED,
    department_create,
    employee_id_next,
    employee_system_account,
)
from apps.org.transfers import transfer_request

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
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
    hire_date: datetime.date
    salary: Decimal
    superuser: bool = False
    manages: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount(
        "admin",
        "Ada",
        "Admin",
        "Administrator",
        "BOG",
        "Systems Administrator",
        datetime.date(2017, 3, 6),
        Decimal("32000"),
        superuser=True,
    ),
    DemoAccount(
        "hr",
        "Hannah",
        "Reed",
        "HR",
        "POP",
        "HR Business Partner",
        datetime.date(2019, 9, 2),
        Decimal("24500"),
    ),
    DemoAccount(
        "manager",
        "Marcus",
        "Chen",
        "Manager",
        "ENG",
        "Head of Engineering",
        datetime.date(2016, 5, 9),
        Decimal("78000"),
        manages="ENG",
    ),
    DemoAccount(
        "security",
        "Sam",
        "Ortiz",
        "Security officer",
        "SEC",
        "Security Officer",
        datetime.date(2021, 2, 1),
        Decimal("33500"),
    ),
    DemoAccount(
        "auditor",
        "Alice",
        "Wong",
        "Auditor",
        "LGL",
        "Internal Auditor",
        datetime.date(2020, 1, 6),
        Decimal("29000"),
    ),
    DemoAccount(
        "staff",
        "Steve",
        "Park",
        "Staff",
        "ST",
        "Support Agent",
        datetime.date(2023, 4, 3),
        Decimal("9800"),
    ),
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

    def person(self, chinese: float = 0.4) -> tuple[str, str, str]:
        """Return (first_name, last_name, ascii handle); Chinese with odds ``chinese``."""
        n = self.names
        if self.rng.random() < chinese:
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
        [
            # A row may carry its version's date (a demo leaver's record predates the leave).
            (*tracked_values(row), getattr(row, "_history_date", None) or timezone.now())
            + (SEED_REASON, "+", actor.pk)
            for row in rows
        ],
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


# --- The demo organisation's people ---------------------------------------------------

# Monthly pay (in SALARY_CURRENCY) of the four levels of a department's ladder, and of
# the head of a department by its depth (the root's head is the chief executive); the
# department's "pay" factor (fixtures/demo_org.json, inherited) scales both.
LEVEL_PAY = (11_000, 16_000, 23_000, 31_000)
HEAD_PAY = (95_000, 60_000, 42_000, 34_000)
YEARS_OF_HIRES = 12
# Hires per year grow: the years since a hire are drawn with this mean (then cut at 12).
HIRE_YEARS_MEAN = 4.5
LEAVER_SHARE = 0.08
LEAVER_DAYS = 730
# Scheduled transfers between sibling teams: (from, to, days ahead, reason).
DEMO_TRANSFERS = (
    ("WEB", "MOB", 21, "Moves to the mobile team for the app redesign."),
    ("SUK", "DACH", 35, "Relocates to Munich; takes over the DACH partner accounts."),
    ("ST", "STT", 14, "Promoted to second-line support."),
    ("CSB", "SJPT", 45, "转岗数据平台，负责数据质量。"),
    ("REC", "POP", 28, "Covers the People Operations vacancy."),
)


@dataclass(frozen=True)
class _Unit:
    """A department of the demo fixture with its staffing profile (inherited down the tree)."""

    code: str
    name: str
    level: int
    people: int
    positions: tuple[str, str, str, str]
    pay: float
    head: str
    chinese: bool
    max_level: int


def _units(node: dict, level: int = 0, parent: _Unit | None = None) -> list[_Unit]:
    """The fixture's departments in tree order, each with its profile."""
    chinese = bool(CJK.search(node["name"]))
    if "head" in node:
        head = node["head"]
    elif chinese:
        head = f"{node['name']}经理"
    elif level <= 1:
        head = f"Head of {node['name']}"
    else:
        head = f"{node['name']} Manager"
    unit = _Unit(
        code=node["code"],
        name=node["name"],
        level=level,
        people=node.get("people", 0),
        positions=tuple(node["positions"])
        if "positions" in node or parent is None
        else parent.positions,
        pay=node.get("pay", parent.pay if parent else 1.0),
        head=head,
        chinese=chinese,
        max_level=node.get("max_level", 3),
    )
    units = [unit]
    for child in node.get("children", ()):
        units += _units(child, level + 1, unit)
    return units


@dataclass
class _Planned:
    """One demo person as planned, before the row exists."""

    person: tuple[str, str, str]
    unit: _Unit
    position: str
    hire_date: datetime.date
    salary: Decimal
    heads: bool = False
    left_on: datetime.date | None = None


class _Planner:
    """The demo organisation's people, drawn from one seeded stream: the same every run."""

    def __init__(self, seed: int, today: datetime.date) -> None:
        self.names = _NameMaker(seed)
        self.rng = self.names.rng
        self.today = today

    def years_ago(self) -> float:
        """Years since a hire: more recent hires than old ones (a growing company)."""
        while True:
            years = self.rng.expovariate(1 / HIRE_YEARS_MEAN)
            if years < YEARS_OF_HIRES:
                return years

    def _pay(self, base: int, unit: _Unit) -> Decimal:
        amount = base * unit.pay * self.rng.uniform(0.93, 1.07)
        return Decimal(round(amount / 100) * 100)

    def _person(self, unit: _Unit) -> tuple[str, str, str]:
        return self.names.person(chinese=0.85 if unit.chinese else 0.3)

    def head(self, unit: _Unit) -> _Planned:
        # Heads have been here a while: the longer of two draws, a year at least.
        years = max(1.0, self.years_ago(), self.years_ago())
        return _Planned(
            person=self._person(unit),
            unit=unit,
            position=unit.head,
            hire_date=self.today - datetime.timedelta(days=round(years * 365.25)),
            salary=self._pay(HEAD_PAY[min(unit.level, len(HEAD_PAY) - 1)], unit),
            heads=True,
        )

    def member(self, unit: _Unit) -> _Planned:
        years = self.years_ago()
        # Seniority grows with tenure, unevenly.
        level = int(years / 4 + self.rng.gauss(0.2, 0.6))
        level = max(0, min(level, unit.max_level))
        return _Planned(
            person=self._person(unit),
            unit=unit,
            position=unit.positions[level],
            hire_date=self.today - datetime.timedelta(days=round(years * 365.25)),
            salary=self._pay(LEVEL_PAY[level], unit),
        )

    def leave(self, planned: _Planned) -> None:
        """Make ``planned`` a leaver, gone some day of the last two years after a first season."""
        left_on = self.today - datetime.timedelta(days=self.rng.randint(1, LEAVER_DAYS))
        if planned.hire_date > left_on - datetime.timedelta(days=90):
            planned.hire_date = left_on - datetime.timedelta(days=self.rng.randint(90, 1500))
        planned.left_on = left_on

    def plan(self, units: list[_Unit], headed_by_accounts: set[str]) -> list[_Planned]:
        people = []
        for unit in units:
            if unit.code not in headed_by_accounts:
                people.append(self.head(unit))
            people += [self.member(unit) for _ in range(unit.people)]
        members = [p for p in people if not p.heads]
        for planned in self.rng.sample(members, round(len(people) * LEAVER_SHARE)):
            self.leave(planned)
        # Employee numbers follow the order of hiring.
        people.sort(key=lambda p: p.hire_date)
        return people


def demo_people_planned(today: datetime.date) -> list[_Planned]:
    """Everyone the demo seed makes besides the demo accounts (tests count from it)."""
    units = _units(_load("demo_org.json")["departments"])
    return _Planner(seed=42, today=today).plan(
        units, {a.manages for a in DEMO_ACCOUNTS if a.manages}
    )


def _demo_username(planned: _Planned, index: int) -> str:
    return f"demo.{planned.person[2]}.{index:03d}"


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _seed_demo_employees(actor: Employee, summary: SeedSummary) -> None:
    today = timezone.localdate()
    planned = demo_people_planned(today)
    departments = {
        d.code: d
        for d in Department.objects.filter(is_active=True, code__in={p.unit.code for p in planned})
    }
    existing = set(
        Employee.objects.filter(username__startswith="demo.").values_list("username", flat=True)
    )
    number = int(employee_id_next()[1:])
    # Demo people cannot log in: one unusable hash for all of them.
    unusable = make_password(None)
    rows: list[Employee] = []
    heads: dict[str, Employee] = {}
    leavers: list[tuple[Employee, datetime.date]] = []
    for index, person in enumerate(planned):
        username = _demo_username(person, index)
        department = departments.get(person.unit.code)
        if username in existing or department is None:
            continue
        first, last, _handle = person.person
        row = Employee(
            id=uuid.uuid4(),
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.com",
            employee_id=employee_id_format(number),
            department_id=department.pk,
            position=person.position,
            hire_date=person.hire_date,
            salary=person.salary,
            password=unusable,
            is_active=True,
            date_joined=_at(person.hire_date, 9),
        )
        number += 1
        rows.append(row)
        if person.heads:
            heads[person.unit.code] = row
        if person.left_on is not None:
            # The record existed before the leave, so its first version is dated then.
            row._history_date = _at(person.hire_date, 9)  # type: ignore[attr-defined]
            leavers.append((row, person.left_on))
    history = Employee.history.model
    last_version = history.objects.aggregate(last=Max("history_id"))["last"] or 0
    _insert_rows_and_history(rows, Employee, history, actor)
    _leavers_deactivate(leavers, actor)
    # No per-row signal on these paths: tell the audit trail about the new versions.
    history_bulk_notify(history, history.objects.filter(history_id__gt=last_version))
    _heads_appoint(heads, actor)
    summary.employees_created += len(rows)


def _leavers_deactivate(leavers: list[tuple[Employee, datetime.date]], actor: Employee) -> None:
    """Deactivate the leavers, each with a version dated on their last day."""
    if not leavers:
        return
    for row, left_on in leavers:
        row.is_active = False
        row._history_date = _at(left_on, 17)  # type: ignore[attr-defined]
    Employee.objects.filter(pk__in=[row.pk for row, _left in leavers]).update(is_active=False)
    get_history_manager_for_model(Employee).bulk_history_create(
        [row for row, _left in leavers],
        update=True,
        default_user=actor,
        default_change_reason=REASON_DEACTIVATED,
    )


def _heads_appoint(heads: dict[str, Employee], actor: Employee) -> None:
    """Make each planned head the manager of their department, unless it has one already."""
    departments = list(Department.objects.filter(code__in=heads, manager__isnull=True))
    if not departments:
        return
    history = Department.history.model
    last_version = history.objects.aggregate(last=Max("history_id"))["last"] or 0
    now = timezone.now()
    for department in departments:
        department.manager = heads[department.code]
        department.updated_at = now
    bulk_update_with_history(
        departments,
        Department,
        ["manager", "updated_at"],
        batch_size=BATCH,
        default_user=actor,
        default_change_reason=SEED_REASON,
    )
    history_bulk_notify(history, history.objects.filter(history_id__gt=last_version))


def _seed_demo_transfers(actor: Employee) -> None:
    """A few transfers waiting for their date, between sibling teams (once)."""
    if Transfer.objects.filter(requested_by=actor).exists():
        return
    today = timezone.localdate()
    departments = {d.code: d for d in Department.objects.filter(is_active=True)}
    for source, target, days, reason in DEMO_TRANSFERS:
        if source not in departments or target not in departments:
            continue
        employee = (
            Employee.objects.filter(
                department=departments[source],
                is_active=True,
                username__startswith="demo.",
                managed_departments__isnull=True,
            )
            .order_by("employee_id")
            .first()
        )
        if employee is None:
            continue
        transfer_request(
            employee=employee,
            to_department=departments[target],
            effective_date=today + datetime.timedelta(days=days),
            reason=reason,
            actor=actor,
        )


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
            "hire_date": account.hire_date,
            "salary": account.salary,
            "is_staff": True,
            "is_superuser": account.superuser,
            "is_active": True,
        }
        user = Employee.objects.filter(username=account.username).first()
        if user is None:
            user = Employee(username=account.username, employee_id=employee_id_next())
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
        _seed_demo_transfers(actor)
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
