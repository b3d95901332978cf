"""The admin index as an HR dashboard: unfold's DASHBOARD_CALLBACK, formatting reports.*.

The reader picks a department (one they may view) and a period in a small GET form; every
figure links to the employee list filtered to the rows behind it, through the filters that
list offers (``EmployeeAdmin.list_filter``: department subtree, active, hire date, leave
date), so each link passes the list's offered-lookups check.
"""

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from unfold.widgets import INPUT_CLASSES, UnfoldAdminSelectWidget

from apps.access import scope
from apps.access.fields import fields_never_visible, rows_with_field_visible
from apps.core.admin import SafeAutocompleteSelect
from apps.org import money, reports
from apps.org.models import Department, Employee
from apps.org.selectors import employee_in_subtree_q

# Chart.js options: unfold's defaults draw 4-pixel bars, too thin for a handful of departments.
_GRID = {"grid": {"drawTicks": False}, "border": {"width": 0}, "ticks": {"color": "#9ca3af"}}
_OPTIONS = {
    "animation": False,
    "responsive": True,
    "maintainAspectRatio": False,
    "plugins": {"legend": {"display": False}},
    "scales": {"x": _GRID, "y": {**_GRID, "beginAtZero": True, "ticks": {"precision": 0}}},
}
_LEGEND = {"display": True, "align": "end", "labels": {"usePointStyle": True, "boxWidth": 6}}

# The list filters' parameters (EmployeeAdmin.list_filter); the links use these only.
DEPARTMENT_PARAM = "department__id__exact"
ACTIVE_PARAM = "is_active__exact"
HIRED_FROM, HIRED_TO = "hire_date_from", "hire_date_to"
LEFT_FROM, LEFT_TO = "left_from", "left_to"

# Custom periods: far enough for any real record, near enough that no date overflows.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)

PERIOD_30_DAYS = "30d"
PERIOD_QUARTER = "quarter"
PERIOD_12_MONTHS = "12m"
PERIOD_YEAR = "year"
PERIOD_CUSTOM = "custom"
DEFAULT_PERIOD = PERIOD_30_DAYS
PERIODS = [
    (PERIOD_30_DAYS, gettext_lazy("Last 30 days")),
    (PERIOD_QUARTER, gettext_lazy("This quarter")),
    (PERIOD_12_MONTHS, gettext_lazy("Last 12 months")),
    (PERIOD_YEAR, gettext_lazy("This year")),
    (PERIOD_CUSTOM, gettext_lazy("Custom")),
]


def dashboard_salaries_allowed(*, user: Employee | AnonymousUser) -> bool:
    """Salary bands are shown to those who may see salaries somewhere (bands of those only)."""
    return "salary" not in fields_never_visible(user=user, model=Employee)


# --- The filter form -------------------------------------------------------------------


def period_bounds(period: str, *, today: datetime.date) -> reports.Period:
    """The days a named period covers, up to ``today`` included."""
    if period == PERIOD_QUARTER:
        first_month = (today.month - 1) // 3 * 3 + 1
        return reports.Period(today.replace(month=first_month, day=1), today)
    if period == PERIOD_12_MONTHS:
        try:
            year_ago = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            year_ago = today.replace(year=today.year - 1, day=28)
        return reports.Period(year_ago + datetime.timedelta(days=1), today)
    if period == PERIOD_YEAR:
        return reports.Period(today.replace(month=1, day=1), today)
    return reports.Period(today - datetime.timedelta(days=29), today)


class _DepartmentChoice(forms.ModelChoiceField):  # type: ignore[type-arg]  # not subscriptable at run time
    """One message for every value that is not a department the reader may view.

    Django's own says "“…” is not a valid UUID." and echoes the value (10 KB of it, or a NUL);
    an unknown id and an id outside the scope read the same, so neither is told apart.
    """

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from exc


class _DepartmentAutocomplete(SafeAutocompleteSelect):
    """The autocomplete, saying what an empty choice means (Django's placeholder is "")."""

    def build_attrs(self, base_attrs: Any, extra_attrs: Any = None) -> dict[str, Any]:
        attrs: dict[str, Any] = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-placeholder"] = gettext("All departments")
        return attrs


class DashboardFilterForm(forms.Form):
    """Department (autocomplete, limited to the reader's) and period of the dashboard."""

    department = _DepartmentChoice(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "That department is unknown or outside the departments you may view."
            )
        },
    )
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=PERIODS,
        required=False,
        initial=DEFAULT_PERIOD,
        widget=UnfoldAdminSelectWidget,
    )
    start = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, user: Employee | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        # The employee form's department autocomplete: the Department admin's scoped list.
        field.widget = _DepartmentAutocomplete(Employee._meta.get_field("department"), admin.site)
        # A department outside the reader's scope is as unknown as a made-up id (setting
        # the queryset also hands the widget its choices).
        field.queryset = scope.restrict(user, "org.view_department", Department.objects.all())
        for name in ("start", "end"):
            self.fields[name].widget.attrs["class"] = " ".join(INPUT_CLASSES)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        # Dates count for a custom period (or with no period named); a named one wins.
        if data.get("period") == PERIOD_CUSTOM or (not data.get("period") and (start or end)):
            if start is None or end is None:
                raise forms.ValidationError(gettext("A custom period needs both dates."))
            if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
                raise forms.ValidationError(
                    gettext("Dates must fall between %(first)s and %(last)s.")
                    % {"first": EARLIEST.year, "last": LATEST.year}
                )
            if start > end:
                raise forms.ValidationError(gettext("The period starts after it ends."))
            data["period"] = PERIOD_CUSTOM
        return data


@dataclass(frozen=True)
class Selection:
    """What the dashboard shows: a department (None: all the reader's) and a period."""

    department: Department | None
    period_name: str
    period: reports.Period


def selection_from(
    query: QueryDict, *, user: Employee | AnonymousUser, today: datetime.date
) -> tuple[DashboardFilterForm, Selection, list[str]]:
    """The form to draw, the selection, and what was wrong with the query (then: default)."""
    default = Selection(None, DEFAULT_PERIOD, period_bounds(DEFAULT_PERIOD, today=today))
    asked = {key: query.get(key, "") for key in ("department", "period", "start", "end")}
    if not any(asked.values()):
        return DashboardFilterForm(user=user), default, []
    form = DashboardFilterForm(asked, user=user)
    if not form.is_valid():
        errors = [str(message) for messages in form.errors.values() for message in messages]
        return DashboardFilterForm(user=user), default, errors
    data = form.cleaned_data
    name = data.get("period") or DEFAULT_PERIOD
    if name == PERIOD_CUSTOM:
        period = reports.Period(data["start"], data["end"])
    else:
        period = period_bounds(name, today=today)
    return form, Selection(data.get("department"), name, period), []


# --- Links to the lists behind the figures -----------------------------------------------


def _employees(**params: Any) -> str:
    query = {key: value for key, value in params.items() if value is not None}
    return f"{reverse('admin:org_employee_changelist')}?{urlencode(query)}"


def _department_param(department: Department | None) -> dict[str, Any]:
    return {DEPARTMENT_PARAM: department.pk} if department is not None else {}


def _active_link(department: Department | None) -> str:
    return _employees(**_department_param(department), **{ACTIVE_PARAM: "1"})


def _hires_link(department: Department | None, period: reports.Period) -> str:
    return _employees(
        **_department_param(department),
        **{
            ACTIVE_PARAM: "1",
            HIRED_FROM: period.start.isoformat(),
            HIRED_TO: period.end.isoformat(),
        },
    )


def _leavers_link(department: Department | None, period: reports.Period) -> str:
    return _employees(
        **_department_param(department),
        **{ACTIVE_PARAM: "0", LEFT_FROM: period.start.isoformat(), LEFT_TO: period.end.isoformat()},
    )


def _department_link(pk: Any) -> str:
    return _employees(**{DEPARTMENT_PARAM: pk, ACTIVE_PARAM: "1"})


# --- Charts ----------------------------------------------------------------------------


def _chart(
    labels: list[str], datasets: list[dict[str, Any]], *, legend: bool = False, **extra: Any
) -> tuple[str, str]:
    """Chart.js data and options, as the JSON strings unfold's chart components take.

    ``extra`` goes into the data object for static/org/dashboard.js (links, money prefix).
    """
    options = {**_OPTIONS, "maxBarThickness": 32, "borderRadius": 6}
    if legend:
        options["plugins"] = {"legend": _LEGEND}
    return json.dumps({"labels": labels, "datasets": datasets, **extra}), json.dumps(options)


def _trend(today: datetime.date, within: reports.ReportScope) -> dict[str, str]:
    trend = reports.headcount_trend(today=today, within=within)
    data, options = _chart(
        # "Dec 2026", "2026年12月": the locale's year-and-month format.
        [formats.date_format(row["month"], "YEAR_MONTH_FORMAT") for row in trend],
        [
            {
                "label": gettext("Headcount"),
                "data": [row["headcount"] for row in trend],
                "borderColor": "var(--color-primary-600)",
                "backgroundColor": "var(--color-primary-600)",
                "tension": 0,
            }
        ],
    )
    return {"data": data, "options": options}


def _by_department(within: reports.ReportScope) -> dict[str, Any]:
    rows = reports.headcount_by_top_department(within=within)
    links = [_department_link(row["pk"]) for row in rows]
    data, options = _chart(
        [row["name"] for row in rows],
        [
            {
                "label": gettext("Active employees"),
                "data": [row["headcount"] for row in rows],
                "backgroundColor": "var(--color-primary-600)",
            }
        ],
        links=links,
    )
    table = [
        {"name": row["name"], "headcount": row["headcount"], "link": link}
        for row, link in zip(rows, links, strict=True)
    ]
    return {"data": data, "options": options, "rows": table}


def _salaries(within: reports.ReportScope) -> dict[str, Any]:
    rows = reports.salary_bands_by_top_department(within=within)
    series = [
        ("min", gettext("Lowest"), "var(--color-primary-300)"),
        ("avg", gettext("Average"), "var(--color-primary-600)"),
        ("max", gettext("Highest"), "var(--color-primary-900)"),
    ]
    code = money.currency_code()
    symbol = money.CURRENCY_SYMBOLS.get(code)
    data, options = _chart(
        [row["name"] for row in rows],
        [
            {
                "label": label,
                "data": [None if row[key] is None else float(row[key]) for row in rows],
                # What the tooltip shows (static/org/dashboard.js): the salary as it reads.
                "formatted": [money.salary_format(row[key]) for row in rows],
                "backgroundColor": color,
            }
            for key, label, color in series
        ],
        legend=True,
        links=[_department_link(row["pk"]) for row in rows],
        moneyPrefix=symbol if symbol is not None else f"{code} ",
    )
    table = [
        {
            "name": row["name"],
            "link": _department_link(row["pk"]),
            **{key: money.salary_format(row[key]) for key, _label, _color in series},
        }
        for row in rows
    ]
    return {"data": data, "options": options, "rows": table}


def _percent(rate: float | None) -> str:
    if rate is None:
        return "—"
    # Translators: a percentage, e.g. "12.5%".
    return gettext("%(value)s%%") % {"value": formats.number_format(rate * 100, 1)}


def _period_label(period: reports.Period) -> str:
    return gettext("%(start)s – %(end)s") % {
        "start": formats.date_format(period.start),
        "end": formats.date_format(period.end),
    }


def _within(user: Employee | AnonymousUser, department: Department | None) -> reports.ReportScope:
    """The people the user may see (in ``department``'s subtree if one is picked)."""
    people: QuerySet[Employee] = scope.restrict(user, "org.view_employee", Employee.objects.all())
    if department is not None:
        return reports.ReportScope(
            people=people.filter(employee_in_subtree_q(department=department)),
            roots=Department.objects.filter(pk=department.pk),
        )
    roots = scope.scope_roots_q(user, "org.view_department")
    return reports.ReportScope(
        people=people,
        roots=Department.objects.filter(parent__isnull=True)
        if roots is None
        else Department.objects.filter(roots),
    )


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """Add ``dashboard`` to the index context: figures only for readers of employees."""
    user = request.user
    if not reports.dashboard_figures_allowed(user=user):
        context["dashboard"] = {"figures": False}
        return context
    today = timezone.localdate()
    form, selection, errors = selection_from(request.GET, user=user, today=today)
    department, period = selection.department, selection.period
    within = _within(user, department)
    figures = reports.period_figures(period=period, within=within)
    leavers = _leavers_link(department, period)
    dashboard: dict[str, Any] = {
        "figures": True,
        "form": form,
        "errors": errors,
        "department": department,
        "period_label": _period_label(period),
        "cards": [
            {
                "title": gettext("Active headcount"),
                "value": figures["active"],
                "link": _active_link(department),
                "help": gettext("Active employees today."),
            },
            {
                "title": gettext("New hires"),
                "value": figures["hired"],
                "link": _hires_link(department, period),
                "help": gettext("Active employees hired in the period."),
            },
            {
                "title": gettext("Leavers"),
                "value": figures["left"],
                "link": leavers,
                "help": gettext("People deactivated in the period."),
            },
            {
                "title": gettext("Turnover rate"),
                "value": _percent(figures["turnover"]),
                "link": leavers,
                "help": gettext(
                    "Leavers in the period ÷ average headcount × 100; the average is "
                    "(headcount the day before the period + headcount on its last day) ÷ 2 "
                    "= (%(start)s + %(end)s) ÷ 2."
                )
                % {"start": figures["headcount_start"], "end": figures["headcount_end"]},
                "note": gettext("Leavers ÷ average headcount (%(average)s).")
                % {"average": formats.number_format(figures["average_headcount"], 1)},
            },
            {
                "title": gettext("Average tenure"),
                "value": "—"
                if figures["tenure_years"] is None
                else gettext("%(years)s years")
                % {"years": formats.number_format(figures["tenure_years"], 1)},
                "link": _active_link(department),
                "help": gettext("Of the active employees, today."),
            },
        ],
        "trend": _trend(min(period.end, today), within),
        "departments": _by_department(within),
        "salaries": _salaries(
            reports.ReportScope(
                people=rows_with_field_visible(user=user, queryset=within.people, field="salary"),
                roots=within.roots,
            )
        )
        if dashboard_salaries_allowed(user=user)
        else None,
    }
    context["dashboard"] = dashboard
    return context
