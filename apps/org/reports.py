"""Reads behind the HR dashboard: headcount, hires, leavers, tenure, trend and salary bands.

Every function runs a constant number of queries, whatever the number of employees
or departments. Leavers come from simple-history: an employee's deactivation is the
first ``is_active=False`` history row after their last ``is_active=True`` one.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

from apps.org import tree
from apps.org.models import Department, Employee
from apps.org.selectors import subtree_headcount_expression

HistoricalEmployee = Employee.history.model
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: the people counted and the departments it breaks down under.

    The caller builds it from the access rules (the dashboard does); the default is the
    whole organisation, broken down under the root(s).
    """

    people: QuerySet[Employee] = field(default_factory=lambda: Employee.objects.all())
    roots: QuerySet[Department] = field(
        default_factory=lambda: Department.objects.filter(parent__isnull=True)
    )

    def __post_init__(self) -> None:
        # The system account acts (seeds, scheduled jobs) but is nobody's colleague.
        object.__setattr__(self, "people", self.people.exclude(is_system=True))


def dashboard_figures_allowed(*, user: Employee | AnonymousUser) -> bool:
    """Who sees the dashboard figures: readers of employees (of their scope)."""
    return bool(user.has_perm("org.view_employee"))


def _deactivated_at() -> Subquery:
    """Per outer Employee: when it last went inactive (NULL if never active in history)."""
    # Nested: OuterRef("id") is the employee id of the history row being tested.
    last_active = (
        HistoricalEmployee.objects.filter(id=OuterRef("id"), is_active=True)
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    first_inactive_after = (
        HistoricalEmployee.objects.filter(
            id=OuterRef("pk"), is_active=False, history_date__gt=Subquery(last_active)
        )
        .order_by("history_date")
        .values("history_date")[:1]
    )
    return Subquery(first_inactive_after, output_field=DateTimeField())


class _Deactivated(TypedDict):
    deactivated_at: datetime.datetime


def _leavers(people: QuerySet[Employee]) -> "QuerySet[WithAnnotations[Employee, _Deactivated]]":
    """Currently inactive employees, annotated with ``deactivated_at``."""
    return people.filter(is_active=False).annotate(deactivated_at=_deactivated_at())


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def left_between(
    people: QuerySet[Employee],
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[Employee]:
    """Leavers whose deactivation falls on ``since`` … ``until`` (days, both included).

    The list behind the dashboard's leavers figure (the employee list's leave-date filter).
    """
    leavers = _leavers(people)
    if since is not None:
        leavers = leavers.filter(deactivated_at__gte=_day_start(since))
    if until is not None:
        leavers = leavers.filter(deactivated_at__lt=_day_start(until + datetime.timedelta(days=1)))
    return leavers


@dataclass(frozen=True)
class Period:
    """Days ``start`` … ``end``, both included."""

    start: datetime.date
    end: datetime.date


def _hired_by(day: datetime.date) -> Q:
    """Employed by the end of ``day`` as far as the hire date tells (none: long ago)."""
    return Q(hire_date__lte=day) | Q(hire_date__isnull=True)


def period_figures(*, period: Period, within: ReportScope | None = None) -> dict[str, Any]:
    """Headcount now, hires, leavers and turnover over ``period``, tenure today (two queries).

    Headcount on a day (at its end) is the trend's: hired by then, and not deactivated by
    then. Turnover = leavers in the period / average headcount, the average being
    (headcount the day before the period + headcount on its last day) / 2; None when that
    average is 0. Hires count the people hired in the period who are still active (the list
    behind the figure shows them).
    """
    within = within or ReportScope()
    today = timezone.localdate()
    before = period.start - datetime.timedelta(days=1)
    tenure = ExpressionWrapper(Value(today) - F("hire_date"), output_field=DurationField())
    active = within.people.filter(is_active=True).aggregate(
        active=Count("pk"),
        hired=Count("pk", filter=Q(hire_date__gte=period.start, hire_date__lte=period.end)),
        at_start=Count("pk", filter=_hired_by(before)),
        at_end=Count("pk", filter=_hired_by(period.end)),
        tenure=Avg(tenure, filter=Q(hire_date__lte=today)),
    )
    start_at = _day_start(period.start)
    after_end = _day_start(period.end + datetime.timedelta(days=1))
    gone = _leavers(within.people).aggregate(
        left=Count("pk", filter=Q(deactivated_at__gte=start_at, deactivated_at__lt=after_end)),
        at_start=Count("pk", filter=_hired_by(before) & Q(deactivated_at__gte=start_at)),
        at_end=Count("pk", filter=_hired_by(period.end) & Q(deactivated_at__gte=after_end)),
    )
    headcount_start = active["at_start"] + gone["at_start"]
    headcount_end = active["at_end"] + gone["at_end"]
    average = (headcount_start + headcount_end) / 2
    avg = active["tenure"]
    return {
        "active": active["active"],
        "hired": active["hired"],
        "left": gone["left"],
        "headcount_start": headcount_start,
        "headcount_end": headcount_end,
        "average_headcount": average,
        "turnover": None if not average else gone["left"] / average,
        "tenure_years": None
        if avg is None
        else round(avg.total_seconds() / 86400 / DAYS_PER_YEAR, 1),
    }


def headcount_summary(*, today: datetime.date, within: ReportScope | None = None) -> dict[str, Any]:
    """Active headcount, hires in the last 30 and 90 days, average tenure in years (one query)."""
    within = within or ReportScope()
    hired = Q(hire_date__lte=today)
    tenure = ExpressionWrapper(Value(today) - F("hire_date"), output_field=DurationField())
    row = within.people.filter(is_active=True).aggregate(
        active=Count("pk"),
        hired_30=Count("pk", filter=hired & Q(hire_date__gt=today - datetime.timedelta(days=30))),
        hired_90=Count("pk", filter=hired & Q(hire_date__gt=today - datetime.timedelta(days=90))),
        tenure=Avg(tenure, filter=hired),
    )
    avg = row["tenure"]
    years = None if avg is None else round(avg.total_seconds() / 86400 / DAYS_PER_YEAR, 1)
    return {
        "active": row["active"],
        "hired_30": row["hired_30"],
        "hired_90": row["hired_90"],
        "tenure_years": years,
    }


def leavers_count(
    *, today: datetime.date, days: int = 90, within: ReportScope | None = None
) -> int:
    """Employees now inactive whose deactivation falls in the last ``days`` days."""
    within = within or ReportScope()
    since = _day_start(today - datetime.timedelta(days=days - 1))
    until = _day_start(today + datetime.timedelta(days=1))
    return (
        _leavers(within.people).filter(deactivated_at__gte=since, deactivated_at__lt=until).count()
    )


def _month_starts(*, today: datetime.date, months: int) -> list[datetime.date]:
    first = today.replace(day=1)
    starts = []
    for back in range(months - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        starts.append(datetime.date(index // 12, index % 12 + 1, 1))
    return starts


def _as_date(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def headcount_trend(
    *, today: datetime.date, months: int = 12, within: ReportScope | None = None
) -> list[dict[str, Any]]:
    """Headcount at the end of each of the last ``months`` months (this one: today), two queries.

    Month granularity: people hired up to the end of a month count for it, people whose
    deactivation falls in it do not. Approximations: a missing hire date counts as hired
    long ago; only the current deactivation counts (an earlier leave-and-return does not
    dent the past); an inactive employee with no deactivation in history counts as never
    employed.
    """
    within = within or ReportScope()
    hires = (
        within.people.filter(Q(hire_date__lte=today) | Q(hire_date__isnull=True))
        .annotate(month=TruncMonth("hire_date"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    exits = (
        _leavers(within.people)
        .filter(Q(deactivated_at__lt=_day_start(today + datetime.timedelta(days=1))))
        .annotate(month=TruncMonth("deactivated_at"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    hired_by_month = [(_as_date(r["month"]), r["n"]) for r in hires]
    left_by_month = [(_as_date(r["month"]), r["n"]) for r in exits]
    trend = []
    for start in _month_starts(today=today, months=months):
        hired = sum(n for month, n in hired_by_month if month is None or month <= start)
        left = sum(n for month, n in left_by_month if month is None or month <= start)
        trend.append({"month": start, "headcount": hired - left})
    return trend


def _top_level_departments(within: ReportScope) -> QuerySet[Department]:
    """Active children of the scope's root(s), in tree order."""
    return Department.objects.filter(parent__in=within.roots, is_active=True).tree_ordered()


def headcount_by_top_department(*, within: ReportScope | None = None) -> list[dict[str, Any]]:
    """Active employees in each top-level department's subtree (one query)."""
    rows = _top_level_departments(within or ReportScope()).annotate(
        headcount=subtree_headcount_expression()
    )
    return [{"pk": d.pk, "name": d.name, "code": d.code, "headcount": d.headcount} for d in rows]


def salary_bands_by_top_department(*, within: ReportScope | None = None) -> list[dict[str, Any]]:
    """Lowest, average and highest active salary per top-level subtree (two queries).

    One pass over the salaries with a filtered MIN/AVG/MAX per top-level department:
    per-department correlated subqueries read the big subtrees three times over
    (351 ms against 100,000 employees on PostgreSQL). Only for users who may see
    salaries (``apps.org.dashboard.dashboard_salaries_allowed``), over the people whose
    salary they see.
    """
    within = within or ReportScope()
    tops = list(_top_level_departments(within))
    if not tops:
        return []
    aggregates = {}
    for index, top in enumerate(tops):
        inside = tree.subtree_q([tree.subtree_of(top)], prefix="department")
        for name, function in (("min", Min), ("avg", Avg), ("max", Max)):
            aggregates[f"{name}_{index}"] = function("salary", filter=inside)
    figures = within.people.filter(is_active=True, salary__isnull=False).aggregate(**aggregates)
    cent = Decimal("0.01")

    def money(value: Any) -> Decimal | None:
        return None if value is None else Decimal(value).quantize(cent)

    return [
        {
            "pk": top.pk,
            "name": top.name,
            "code": top.code,
            "min": money(figures[f"min_{index}"]),
            "avg": money(figures[f"avg_{index}"]),
            "max": money(figures[f"max_{index}"]),
        }
        for index, top in enumerate(tops)
    ]
