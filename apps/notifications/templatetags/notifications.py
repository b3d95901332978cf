"""The bell and the banners of every admin page: one query for the bell, none for banners
when no announcement is showing."""

from typing import Any

from django import template

from apps.notifications import selectors

register = template.Library()


def _viewer(context: template.Context) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not context.get("has_permission") or user is None or not user.is_authenticated:
        return None
    return user


@register.inclusion_tag("admin/notifications/bell_menu.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    """The unread count and the last number, in one query; the list loads when opened."""
    user = _viewer(context)
    if user is None:
        return {"show": False}
    figures = selectors.bell_figures(user)
    return {
        "show": True,
        "user_pk": user.pk,
        "unread": figures["unread"],
        "last_seq": figures["last_seq"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("admin/notifications/banners.html", takes_context=True)
def announcement_banners(context: template.Context) -> dict[str, Any]:
    """The announcements showing for the viewer (no query when none is showing). The live
    topics they arrive on are fetched by the page's script, not computed here."""
    user = _viewer(context)
    if user is None:
        return {"show": False}
    return {
        "show": True,
        "announcements": selectors.banners_for(user),
        "csrf_token": context.get("csrf_token"),
    }
