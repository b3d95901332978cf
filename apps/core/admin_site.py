"""The admin site, and the callbacks unfold reads from settings.UNFOLD (navigation, badge)."""

import hashlib
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.contrib.admin.apps import AdminConfig
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.core.paginator import InvalidPage
from django.core.validators import EMPTY_VALUES
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.encoding import force_bytes
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from unfold.sites import UnfoldAdminSite

from apps.core.registry import sidebar_entries, sidebar_url

# unfold's search pages its results 100 at a time; no page is that far.
SEARCH_PAGE_DIGITS = 6


def _refuse_nul(request: HttpRequest) -> None:
    """PostgreSQL refuses NUL in text: a query string carrying one is a 400, not a 500."""
    if any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
        raise BadRequest(_("The address contains a character that is not allowed."))


def _forget_cached_search(request: HttpRequest) -> None:
    """Drop unfold's cached answer to this search, so it is computed with today's rights.

    unfold 0.91 caches each user's results five minutes under ``<user pk>_<term>``
    (``UnfoldAdminSite.search``), whoever's rights changed meanwhile, and the sidebar's
    search and the command palette share the key. Our results (the palette's people and
    departments, ``apps.access.search``) are a few indexed queries: always recomputed.
    """
    term = request.GET.get("s")
    if term in EMPTY_VALUES or not isinstance(term, str):
        return
    base = f"{request.user.pk}_{term.lower()}"
    cache.delete(f"unfold_search_{hashlib.sha256(force_bytes(base)).hexdigest()}")


class BackofficeAdminSite(UnfoldAdminSite):
    """unfold's site, with its own endpoints answering hostile input with a 400 or 404.

    The model admins refuse NUL in their search terms themselves (``NotFoundMixin``); the
    site's autocomplete and search refuse it in every parameter before reaching them.
    """

    def _get_is_active(self, request: HttpRequest, link: Any, is_tab: bool = False) -> bool:
        """unfold 0.91.0's rule for a lit sidebar entry, the index address reversed once.

        unfold compares each entry's link with ``reverse_lazy(f"{self.name}:index")``,
        which reverses the index again at each comparison: some 40 ``reverse`` calls a
        page for our sidebar (~4 ms). The rule is unfold's, line for line; only the index
        address comes from ``sidebar_url``. ``apps/core/tests/test_unfold_rows.py`` pins
        the unfold release this was copied from.
        """
        if not isinstance(link, str):
            link = str(link)
        index_path = sidebar_url(f"{self.name}:index")
        link_path = urlparse(link).path
        if link_path == request.path == index_path:
            return True
        if link_path != "" and link_path in request.path and link_path != index_path:
            query_params = parse_qs(urlparse(link).query)
            request_params = parse_qs(request.GET.urlencode())
            # In case of tabs, the query parameters must be the same.
            return not is_tab or all(request_params.get(k) == v for k, v in query_params.items())
        return False

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> Any:
        """Django's list of apps and models, built only when a page reads it.

        ``each_context`` puts it on every admin page as ``available_apps``, but only the
        app indexes and Django's own navigation read it; our sidebar comes from the
        registry. Building it checks every model's permissions (~1 ms a page).
        """
        build = super().get_app_list
        if app_label is not None:
            return build(request, app_label)
        return SimpleLazyObject(lambda: build(request))

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        _refuse_nul(request)
        return super().autocomplete_view(request)

    def search(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        _refuse_nul(request)
        page = request.GET.get("page", "1")
        # unfold reads the page with int(): "abc" would be a ValueError, "0" an EmptyPage.
        if not (page.isascii() and page.isdigit() and len(page) <= SEARCH_PAGE_DIGITS):
            raise Http404(_("No such page."))
        _forget_cached_search(request)
        try:
            return super().search(request, extra_context)
        except InvalidPage as exc:
            raise Http404(_("No such page.")) from exc


class BackofficeAdminConfig(AdminConfig):
    """django.contrib.admin with our site as ``admin.site`` (INSTALLED_APPS names this class)."""

    default_site = "apps.core.admin_site.BackofficeAdminSite"


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The sidebar, grouped by what people come to do: the entries each app registered.

    Only the entries this person may open, and only sections left with one: unfold hides
    a refused item but keeps its section's heading, a heading over nothing.
    """
    sections = []
    for section, entries in sidebar_entries():
        items = []
        for entry in entries:
            if entry.permission is not None and not request.user.has_perm(entry.permission):
                continue
            item: dict[str, Any] = {
                "title": entry.title,
                "icon": entry.icon,
                # Reversed once per URL conf, prefix and language (sidebar_url).
                "link": sidebar_url(entry.url_name),
            }
            if entry.active is not None:
                item["active"] = entry.active
            items.append(item)
        if items:
            sections.append(
                {"title": section.title, "separator": section.separator, "items": items}
            )
    return sections


# The user menu (top right), as URL names: settings.UNFOLD["ACCOUNT"] names account_links.
ACCOUNT_LINKS = (
    (_("My profile"), "admin:org_employee_me"),
    (_("Change password"), "admin:password_change"),
    (_("My sessions"), "security_my_sessions"),
    (_("Backup codes"), "security_backup_codes"),
)


def account_links(request: HttpRequest) -> list[dict[str, Any]]:
    """The user menu's links, reversed once (sidebar_url), not on every page (reverse_lazy)."""
    return [{"title": title, "link": sidebar_url(name)} for title, name in ACCOUNT_LINKS]


def environment_callback(request: HttpRequest) -> list[str] | None:
    """Show a badge when the site runs with DEBUG on, so nobody mistakes it for production."""
    if settings.DEBUG:
        return [str(_("Development")), "warning"]
    return None
