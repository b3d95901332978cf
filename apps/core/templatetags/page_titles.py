"""``{% page_crumbs %}`` and ``{% page_title %}``: the page's breadcrumbs and tab title.

The rules are ``apps.core.page_titles``; ``templates/admin/base_site.html`` and
``templates/unfold/helpers/welcomemsg.html`` use these tags.
"""

from typing import Any

from django import template
from django.template.loader import render_to_string
from unfold.templatetags.unfold import header_title

from apps.core import page_titles

register = template.Library()


@register.simple_tag(takes_context=True)
def page_crumbs(context: Any) -> str:
    """unfold's header title, made of crumbs the reader may open."""
    request = context.get("request")
    crumbs = page_titles.page_crumbs(context)
    if not crumbs:
        return str(header_title(context))  # unfold's: "Welcome <name>"
    parts = [{"title": title, "link": url} for title, url in crumbs]
    return render_to_string("unfold/helpers/header_title.html", {"parts": parts}, request=request)


@register.simple_tag(takes_context=True)
def page_title(context: Any) -> str:
    return page_titles.page_title(context)
