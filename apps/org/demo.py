"""Demo and scale data: a realistic organisation, one account per role, bulk paths for size.

Idempotent: departments are keyed by code, employees by username; a second run
adds nothing and resets the demo accounts' passwords to the one given.
"""

import datetime
import json
import math
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from pypinyin import lazy_pinyin
from simple_history.utils import bulk_create_with_history

from apps.org import roles
from apps.org.codes import code_from_index, employee_id_format
from apps.org.models import Department, Employee
from apps.org.services import department_create, employee_id_next, employee_system_account

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_EMPLOYEES = 300
BATCH = 2000
SCALE_CODE_PREFIX = "X"


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
    DemoAccount("admin", "Ada", "Admin", roles.ADMINISTRATOR, "BOG", "Administrator", superuser=True),
    DemoAccount("hr", "Hannah", "Reed", roles.HR, "POP", "HR Partner"),
    DemoAccount("manager", "Marcus", "Chen", roles.MANAGER, "ENG", "Head of Engineering", manages="ENG"),
    DemoAccount("security", "Sam", "Ortiz", roles.SECURITY_OFFICER, "SEC", "Security Officer"),
    DemoAccount("auditor", "Alice", "Wong", roles.AUDITOR, "LGL", "Internal Auditor"),
    DemoAccount("staff", "Steve", "Park", roles.STAFF, "ST", "Support Agent"),
)


@dataclass
class SeedSummary:
    departments_created: int = 0
    employees_created: int = 0
    accounts: list[str] = field(default_factory=list)


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


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
            handle = f"{n['zh_pinyin_last'][last]}.{''.join(lazy_pinyin(first))}"
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


def _seed_tree(node: dict, parent: Department | None, actor: Employee, summary: SeedSummary) -> None:
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
        department=department,
        position=names.position(),
        hire_date=names.hire_date(today),
        salary=names.salary(),
        password=password,
        is_active=True,
        date_joined=timezone.now(),
    )


def _bulk_employees(rows: list[Employee], actor: Employee) -> None:
    for start in range(0, len(rows), BATCH):
        bulk_create_with_history(
            rows[start : start + BATCH],
            Employee,
            batch_size=BATCH,
            default_user=actor,
            default_change_reason="seed_demo",
        )


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
    groups = roles.roles_ensure()
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
            user.set_password(password)
            user._history_user = actor
            user.save()
        user.groups.set([groups[account.role]])
        if account.manages:
            Department.objects.filter(code=account.manages).exclude(manager=user).update(
                manager=user
            )
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


def _number_tree(layout: list[tuple[int | None, int]], start: int) -> list[tuple[int, int]]:
    """Assign (lft, rght) to each node by depth-first walk, starting at ``start``."""
    children: dict[int, list[int]] = {}
    for index, (parent, _level) in enumerate(layout):
        if parent is not None:
            children.setdefault(parent, []).append(index)
    bounds = [(0, 0)] * len(layout)
    counter = start
    stack: list[tuple[int, bool]] = [(0, False)]
    lefts: dict[int, int] = {}
    while stack:
        index, done = stack.pop()
        if done:
            bounds[index] = (lefts[index], counter)
            counter += 1
            continue
        lefts[index] = counter
        counter += 1
        stack.append((index, True))
        stack.extend((child, False) for child in reversed(children.get(index, [])))
    return bounds


def _scale_code(index: int) -> str:
    """"X" + 5 letters: never clashes with the hand-written demo codes."""
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
    name = _scale_name(0, 0)
    # Siblings stay in name order (order_insertion_by): go right after the last one before us.
    previous = root.get_children().filter(name__lt=name).order_by("-rght").first()
    anchor = previous.rght if previous else root.lft
    # Make room: shift everything right of the anchor by the new block.
    size = 2 * count
    Department.objects.filter(tree_id=root.tree_id, rght__gt=anchor).update(rght=F("rght") + size)
    Department.objects.filter(tree_id=root.tree_id, lft__gt=anchor).update(lft=F("lft") + size)
    layout = _scale_layout(count)
    bounds = _number_tree(layout, start=anchor + 1)
    rows: list[Department] = []
    for index, (parent, level) in enumerate(layout):
        lft, rght = bounds[index]
        rows.append(
            Department(
                id=uuid.uuid4(),
                name=_scale_name(index, level),
                code=_scale_code(index),
                parent=root if parent is None else rows[parent],
                tree_id=root.tree_id,
                lft=lft,
                rght=rght,
                level=root.level + 1 + level,
            )
        )
    for start in range(0, len(rows), BATCH):
        bulk_create_with_history(
            rows[start : start + BATCH], Department, batch_size=BATCH, default_user=actor,
            default_change_reason="seed_demo",
        )
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


def demo_seed(*, password: str, departments: int | None = None, employees: int | None = None) -> SeedSummary:
    """Seed the demo organisation and accounts; with sizes, grow it to that many rows."""
    summary = SeedSummary()
    actor = employee_system_account()
    with transaction.atomic():
        _seed_tree(_load("demo_org.json")["departments"], None, actor, summary)
        _seed_accounts(password, actor, summary)
        _seed_demo_employees(actor, summary)
    if departments:
        extra = departments - Department.objects.exclude(code__startswith=SCALE_CODE_PREFIX).count()
        generated = _seed_scale_departments(extra, actor, summary)
    else:
        generated = []
    if employees:
        people = Employee.objects.exclude(pk=actor.pk)
        extra = employees - people.exclude(username__startswith="scale.").count()
        _seed_scale_employees(extra, generated or list(Department.objects.all()), actor, summary)
    return summary
