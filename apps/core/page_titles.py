"""The breadcrumbs and the browser tab's title of an admin page: the page the user is on.

Django titles its lists "Select employee to change" and its forms "Change employee";
unfold's breadcrumbs link the app index and the model's list whoever reads them (a 404
and a 403 for someone without rights on the model). Here a list is "Employees", a record
"Ada Lovelace · Employees", and each crumb links only to a page the reader may open.

A page may name its own crumbs: a ``crumbs`` context entry of ``(title, url or None)``.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.db.models.options import Options
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.registry import sidebar_url

SEPARATOR = " · "


def _may_open_list(request: HttpRequest, opts: "Options[Any]") -> bool:
    model_admin = admin.site._registry.get(opts.model)
    return model_admin is not None and bool(model_admin.has_view_or_change_permission(request))


def _list_url(opts: "Options[Any]") -> str | None:
    try:
        return sidebar_url(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    except NoReverseMatch:
        return None


def _app_crumb(request: HttpRequest, opts: "Options[Any]") -> list[tuple[Any, str | None]]:
    """The app's index, for those it shows something to (Django answers 404 otherwise)."""
    if not request.user.has_module_perms(opts.app_label):
        return []
    url = reverse("admin:app_list", args=[opts.app_label])
    return [(opts.app_config.verbose_name, url)]


def _list_crumb(request: HttpRequest, opts: "Options[Any]", *, current: bool) -> list[Any]:
    """The model's list: a link for those who may open it, left out for the others."""
    if current:
        return [(opts.verbose_name_plural, None)]
    if not _may_open_list(request, opts):
        return []
    return [(opts.verbose_name_plural, _list_url(opts))]


def is_home(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name == "admin:index"


def _object(context: Any) -> Model | None:
    original = context.get("original")
    return original if isinstance(original, Model) else None


def page_crumbs(context: Any) -> list[tuple[Any, str | None]]:
    """``(title, url)`` from the outermost crumb to the page itself (whose url is None)."""
    given = context.get("crumbs")
    if given is not None:
        return list(given)
    request = context.get("request")
    opts = context.get("opts")
    title = context.get("title")
    if request is None:
        return [(title, None)] if title else []
    if is_home(request):
        return [(_("Home"), None)]
    if context.get("cl") is not None:
        opts = context["cl"].opts
        return [*_app_crumb(request, opts), *_list_crumb(request, opts, current=True)]
    if isinstance(opts, Options):
        crumbs = [*_app_crumb(request, opts), *_list_crumb(request, opts, current=False)]
        obj = _object(context)
        # A record's form names the record; its other pages (history, delete) their title.
        is_form = obj is not None and "add" in context
        current = obj if is_form else title
        return [*crumbs, (current, None)] if current else crumbs
    return [(title, None)] if title else []


def page_title(context: Any) -> str:
    """The tab's title: the page, then its list when it is one record's page (or adds one)."""
    crumbs = page_crumbs(context)
    if not crumbs:
        return ""
    page = str(capfirst(str(crumbs[-1][0])))
    opts = context.get("opts")
    of_record = _object(context) is not None or isinstance(context.get("object"), Model)
    if (
        context.get("crumbs") is None
        and isinstance(opts, Options)
        and (of_record or context.get("add") is True)
    ):
        # "Ada Lovelace · Employees": the record (or its page) and the list it belongs to.
        return f"{page}{SEPARATOR}{capfirst(opts.verbose_name_plural)}"
    return page
