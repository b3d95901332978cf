"""The admin site, and the callbacks unfold reads from settings.UNFOLD (navigation, badge)."""

from typing import Any

from django.conf import settings
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import BadRequest
from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from unfold.sites import UnfoldAdminSite

# unfold's search pages its results 100 at a time; no page is that far.
SEARCH_PAGE_DIGITS = 6


def _refuse_nul(request: HttpRequest) -> None:
    """PostgreSQL refuses NUL in text: a query string carrying one is a 400, not a 500."""
    if any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
        raise BadRequest(_("The address contains a character that is not allowed."))


class BackofficeAdminSite(UnfoldAdminSite):
    """unfold's site, with its own endpoints answering hostile input with a 400 or 404.

    The model admins refuse NUL in their search terms themselves (``NotFoundMixin``); the
    site's autocomplete and search refuse it in every parameter before reaching them.
    """

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        _refuse_nul(request)
        return super().autocomplete_view(request)

    def search(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        _refuse_nul(request)
        page = request.GET.get("page", "1")
        # unfold reads the page with int(): "abc" would be a ValueError, "0" an EmptyPage.
        if not (page.isascii() and page.isdigit() and len(page) <= SEARCH_PAGE_DIGITS):
            raise Http404(_("No such page."))
        try:
            return super().search(request, extra_context)
        except InvalidPage as exc:
            raise Http404(_("No such page.")) from exc


class BackofficeAdminConfig(AdminConfig):
    """django.contrib.admin with our site as ``admin.site`` (INSTALLED_APPS names this class)."""

    default_site = "apps.core.admin_site.BackofficeAdminSite"


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


def _assignments_active(request: HttpRequest) -> bool:
    path = request.path
    return path.startswith(
        reverse("admin:access_roleassignment_changelist")
    ) and not path.startswith(reverse("admin:access_roleassignment_explain"))


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
                {
                    "title": _("Role assignments"),
                    "icon": "assignment_ind",
                    "link": reverse_lazy("admin:access_roleassignment_changelist"),
                    "permission": _can("access.view_roleassignment"),
                    "active": _assignments_active,
                },
                {
                    "title": _("Permission log"),
                    "icon": "receipt_long",
                    "link": reverse_lazy("admin:access_permissionlog_changelist"),
                    "permission": _can("access.view_permissionlog"),
                },
                {
                    "title": _("Explain access"),
                    "icon": "policy",
                    "link": reverse_lazy("admin:access_roleassignment_explain"),
                    "permission": _can("access.view_roleassignment"),
                },
            ],
        },
        {
            "title": _("Audit"),
            "separator": True,
            "items": [
                {
                    "title": _("Audit trail"),
                    "icon": "manage_search",
                    "link": reverse_lazy("admin:audit_auditentry_changelist"),
                    "permission": _can("audit.view_auditentry"),
                },
                {
                    "title": _("Trail exports"),
                    "icon": "download",
                    "link": reverse_lazy("admin:audit_trailexport_changelist"),
                    "permission": _can("audit.view_trailexport"),
                },
                {
                    "title": _("Chain verifications"),
                    "icon": "verified",
                    "link": reverse_lazy("admin:audit_verificationrun_changelist"),
                    "permission": _can("audit.view_verificationrun"),
                },
            ],
        },
        {
            "title": _("Security"),
            "separator": True,
            "items": [
                {
                    "title": _("Login events"),
                    "icon": "login",
                    "link": reverse_lazy("admin:security_loginevent_changelist"),
                    "permission": _can("security.view_loginevent"),
                },
                {
                    "title": _("Lockouts"),
                    "icon": "lock_person",
                    "link": reverse_lazy("admin:security_lockout_changelist"),
                    "permission": _can("security.unlock_user"),
                },
                {
                    "title": _("Sessions"),
                    "icon": "devices",
                    "link": reverse_lazy("admin:security_usersession_changelist"),
                    "permission": _can("security.view_usersession"),
                },
                {
                    "title": _("Security actions"),
                    "icon": "shield_person",
                    "link": reverse_lazy("admin:security_securityaction_changelist"),
                    "permission": _can("security.view_securityaction"),
                },
            ],
        },
    ]


def environment_callback(request: HttpRequest) -> list[str] | None:
    """Show a badge when the site runs with DEBUG on, so nobody mistakes it for production."""
    if settings.DEBUG:
        return [str(_("Development")), "warning"]
    return None
