"""The admin index as an HR dashboard: unfold's DASHBOARD_CALLBACK, formatting reports.*."""

import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext

from apps.access import scope
from apps.access.fields import fields_never_visible, rows_with_field_visible
from apps.org import reports
from apps.org.models import Department, Employee

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


def dashboard_salaries_allowed(*, user: Employee | AnonymousUser) -> bool:
    """Salary bands are shown to those who may see salaries somewhere (bands of those only)."""
    return "salary" not in fields_never_visible(user=user, model=Employee)


def _chart(
    labels: list[str], datasets: list[dict[str, Any]], *, legend: bool = False
) -> tuple[str, str]:
    """Chart.js data and options, as the JSON strings unfold's chart components take."""
    options = {**_OPTIONS, "maxBarThickness": 32, "borderRadius": 6}
    if legend:
        options["plugins"] = {"legend": _LEGEND}
    return json.dumps({"labels": labels, "datasets": datasets}), json.dumps(options)


def _trend(today: Any, within: reports.ReportScope) -> dict[str, str]:
    trend = reports.headcount_trend(today=today, within=within)
    data, options = _chart(
        [formats.date_format(row["month"], "M Y") for row in trend],
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


def _by_department(within: reports.ReportScope) -> dict[str, str]:
    rows = reports.headcount_by_top_department(within=within)
    data, options = _chart(
        [row["name"] for row in rows],
        [
            {
                "label": gettext("Active employees"),
                "data": [row["headcount"] for row in rows],
                "backgroundColor": "var(--color-primary-600)",
            }
        ],
    )
    return {"data": data, "options": options}


def _salaries(within: reports.ReportScope) -> dict[str, str]:
    rows = reports.salary_bands_by_top_department(within=within)
    series = [
        ("min", gettext("Lowest"), "var(--color-primary-300)"),
        ("avg", gettext("Average"), "var(--color-primary-600)"),
        ("max", gettext("Highest"), "var(--color-primary-900)"),
    ]
    data, options = _chart(
        [row["name"] for row in rows],
        [
            {
                "label": label,
                "data": [None if row[key] is None else float(row[key]) for row in rows],
                "backgroundColor": color,
            }
            for key, label, color in series
        ],
        legend=True,
    )
    return {"data": data, "options": options}


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """Add ``dashboard`` to the index context: figures only for readers of employees."""
    user = request.user
    if not reports.dashboard_figures_allowed(user=user):
        context["dashboard"] = {"figures": False}
        return context
    today = timezone.localdate()
    # Figures cover the people the user may see; the breakdown is under their subtree(s).
    roots = scope.scope_roots_q(user, "org.view_department")
    within = reports.ReportScope(
        people=scope.restrict(user, "org.view_employee", Employee.objects.all()),
        roots=Department.objects.filter(parent__isnull=True)
        if roots is None
        else Department.objects.filter(roots),
    )
    summary = reports.headcount_summary(today=today, within=within)
    dashboard: dict[str, Any] = {
        "figures": True,
        "cards": [
            {"title": gettext("Active headcount"), "value": summary["active"]},
            {"title": gettext("New hires, last 30 days"), "value": summary["hired_30"]},
            {"title": gettext("New hires, last 90 days"), "value": summary["hired_90"]},
            {
                "title": gettext("Leavers, last 90 days"),
                "value": reports.leavers_count(today=today, days=90, within=within),
            },
            {
                "title": gettext("Average tenure"),
                "value": "—"
                if summary["tenure_years"] is None
                else gettext("%(years)s years")
                % {"years": formats.number_format(summary["tenure_years"], 1)},
            },
        ],
        "trend": _trend(today, within),
        "departments": _by_department(within),
        "salaries": _salaries(
            reports.ReportScope(
                people=rows_with_field_visible(
                    user=user, queryset=Employee.objects.all(), field="salary"
                ),
                roots=within.roots,
            )
        )
        if dashboard_salaries_allowed(user=user)
        else None,
    }
    context["dashboard"] = dashboard
    return context
