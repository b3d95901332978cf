"""The admin site, and the callbacks unfold reads from settings.UNFOLD (navigation, badge)."""

from typing import Any

from django.conf import settings
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import BadRequest
from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from unfold.sites import UnfoldAdminSite

from apps.core.registry import sidebar_entries, sidebar_url

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


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The sidebar, grouped by what people come to do: the entries each app registered."""
    sections = []
    for section, entries in sidebar_entries():
        items = []
        for entry in entries:
            item: dict[str, Any] = {
                "title": entry.title,
                "icon": entry.icon,
                # Reversed once per URL conf, prefix and language (sidebar_url).
                "link": sidebar_url(entry.url_name),
            }
            if entry.permission is not None:
                item["permission"] = _can(entry.permission)
            if entry.active is not None:
                item["active"] = entry.active
            items.append(item)
        sections.append({"title": section.title, "separator": section.separator, "items": items})
    return sections


def environment_callback(request: HttpRequest) -> list[str] | None:
    """Show a badge when the site runs with DEBUG on, so nobody mistakes it for production."""
    if settings.DEBUG:
        return [str(_("Development")), "warning"]
    return None
