"""Callbacks unfold reads from settings.UNFOLD: navigation and environment badge."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _


def _can(perm: str) -> Any:
    def check(request: HttpRequest) -> bool:
        return request.user.has_perm(perm)

    return check


def _departments_active(request: HttpRequest) -> bool:
    path = request.path
    own_pages = (reverse("admin:org_department_chart"), reverse("admin:org_department_tree"))
    return path.startswith(reverse("admin:org_department_changelist")) and not path.startswith(
        own_pages
    )


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The sidebar, grouped by what people come to do."""
    return [
        {
            "title": _("Overview"),
            "separator": False,
            "items": [
                {
                    "title": _("Home"),
                    "icon": "home",
                    "link": reverse_lazy("admin:index"),
                },
            ],
        },
        {
            "title": _("Organisation"),
            "separator": True,
            "items": [
                {
                    "title": _("Departments"),
                    "icon": "table_rows",
                    "link": reverse_lazy("admin:org_department_changelist"),
                    "permission": _can("org.view_department"),
                    # The chart and tree live under the department URLs; only one entry lights up.
                    "active": _departments_active,
                },
                {
                    "title": _("Department tree"),
                    "icon": "account_tree",
                    "link": reverse_lazy("admin:org_department_tree"),
                    "permission": _can("org.view_department"),
                },
                {
                    "title": _("Org chart"),
                    "icon": "lan",
                    "link": reverse_lazy("admin:org_department_chart"),
                    "permission": _can("org.view_department"),
                },
                {
                    "title": _("Employees"),
                    "icon": "badge",
                    "link": reverse_lazy("admin:org_employee_changelist"),
                    "permission": _can("org.view_employee"),
                },
                {
                    "title": _("Transfers"),
                    "icon": "swap_horiz",
                    "link": reverse_lazy("admin:org_transfer_changelist"),
                    "permission": _can("org.view_transfer"),
                },
            ],
        },
        {
            "title": _("Access"),
            "separator": True,
            "items": [
                {
                    "title": _("Roles"),
                    "icon": "group",
                    "link": reverse_lazy("admin:auth_group_changelist"),
                    "permission": _can("auth.view_group"),
                },
            ],
        },
    ]


def environment_callback(request: HttpRequest) -> list[str] | None:
    """Show a badge when the site runs with DEBUG on, so nobody mistakes it for production."""
    if settings.DEBUG:
        return [str(_("Development")), "warning"]
    return None
