"""Faster changelist rows for django-unfold 0.91.0, with the same HTML (issue 13 §6).

Rendering is most of a list page (84% against 6% of SQL, measured at 100,000
employees), and unfold's row rendering does per row and per cell what is the same for
every row. Five small overrides, applied once at start-up (``CoreConfig.ready``), do
that work once and change no byte of the page; ``apps/core/tests/test_unfold_rows.py``
compares the pages with and without them, and fails when the installed unfold is not
``UNFOLD_VERSION``, so that whoever upgrades re-checks each override against the new
release (and drops the ones it makes unnecessary). The figures per override are in
docs/benchmarks.md (issue 13: changelist rendering).

1. **Headers once per list, not once per row.** ``items_for_result`` rebuilds every
   column header for each row (``list(result_headers(cl))``: the header text, and for
   each sortable column three query strings) only to read the header text as the
   cell's ``data-label``. The headers are now built once per ChangeList and reused.
   Upstream fixed this after 0.91.0 (docs: pitfalls).
2. **Badges without a template per cell.** ``display_for_label`` (``@display(label=…)``:
   the status badges) renders ``display_label.html`` and ``label.html`` for every cell.
   The rendered template depends only on the badge type and the number of texts, so it
   is rendered once per (type, count, language) with placeholder texts, and each cell
   puts its texts, escaped as the template escapes them, in the placeholders' places.
3. **The row checkbox without the form-widget templates.** ``action_checkbox`` renders
   the same widget (``UnfoldBooleanWidget``, through ``checkbox.html``, ``input.html``
   and ``attrs.html``) for every row; only the value (the primary key) differs. It is
   rendered once per (name, language) with a placeholder value, likewise.

4. **Header texts translated once.** The cached headers keep each lazy (translatable)
   header text as the string it is in the request's language, so the ``data-label`` of
   each cell does not translate it again (a gettext per cell).
5. **No failed template lookup per row.** ``change_list_results.html`` asks twice per
   row for ``cl.model_admin.list_sections``, which unfold's ModelAdmin does not define:
   each miss makes Django's template engine call ``dir()`` on the model admin (hundreds
   of names). unfold's ModelAdmin gets ``list_sections = ()``, which the template shows
   exactly as the missing attribute (``|length`` is 0 either way); an admin that sets
   its own is unaffected.

Three more cut the page around the list (the "chrome"), which a stock admin page does
not have. Each is a template of the same name in ``templates/unfold/`` that
holds one tag, ``{% unfold_fragment %}`` (``apps/core/templatetags/unfold_chrome.py``):
it renders unfold's own template (the next one of that name) once per *key* and reuses
the output. The key is every value the template reads, as the template shows it (the
text in the request's language, whether it is safe HTML), plus the language; so two
requests share an output only when unfold would have printed the same bytes for both,
and nothing about the person but what the page shows goes in. Whatever the key cannot
hold (a value of another type) renders unfold's template as before.

6. **The sidebar entries** (``unfold/helpers/app_list.html``, ~5 ms a page): the
   entries, each one's ``has_permission`` and ``active`` as unfold's ``each_context``
   computed them for this request (so a change of rights or of page shows at once),
   their links, titles, icons and badges.
7. **The filter panel's buttons** (``unfold/helpers/change_list_filter_actions.html``,
   ~3 ms): each ``{% component "unfold/components/button.html" %}`` copies the whole
   context and runs every context processor again. The output depends on the admin's
   filter options, the facet and clear-all links (the query string) and the language.

8. **The empty date-time range filter** (``unfold/filters/filters_datetime_range.html``,
   ~3 ms): four form widgets through the form templates. Only while none of the
   filter's four parameters is in the address (the list as it opens): the output then depends
   on the filter's class, form, parameter name and title and the language. A range
   someone typed renders as before (and cannot fill the cache).

Anything the cached forms do not cover exactly (a callable or non-text badge value, a
non-text checkbox value, extra attributes) goes to unfold's own code.
"""

import re
import secrets
from collections.abc import Callable, Iterator
from importlib.metadata import version
from typing import Any

from django.template import Context
from django.template.base import render_value_in_context
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeText, mark_safe
from django.utils.translation import get_language

# The release these overrides were written for and checked against.
UNFOLD_VERSION = "0.91.0"

# Bounds the caches whatever the badge types and counts are (a few dozen are in use).
_CACHE_LIMIT = 512
# Placeholders: letters and digits only, so no escaping or formatting changes them.
_TOKEN = "unfoldrows" + secrets.token_hex(8)
_PLACEHOLDER = re.compile(_TOKEN + r"x(\d+)x")

_originals: dict[str, Any] = {}


def unfold_version() -> str:
    return version("django-unfold")


def _placeholder(number: int) -> str:
    return f"{_TOKEN}x{number}x"


def _split(rendered: str, count: int) -> list[str] | None:
    """The fixed parts around placeholders 0..count-1, or None if they are not in order."""
    parts = _PLACEHOLDER.split(rendered)
    # re.split keeps the captured numbers at the odd positions.
    if parts[1::2] != [str(n) for n in range(count)]:
        return None
    return parts[0::2]


def _join(parts: list[str], texts: list[str]) -> SafeText:
    out = [parts[0]]
    for text, part in zip(texts, parts[1:], strict=True):
        out.append(text)
        out.append(part)
    return mark_safe("".join(out))


# --- 1. Column headers once per ChangeList -------------------------------------------

_HEADERS_ATTR = "_unfold_rows_headers"


def _result_headers_once(cl: Any) -> Iterator[dict[str, Any]]:
    """unfold's ``result_headers(cl)``, built on the first call for this ChangeList."""
    headers = getattr(cl, _HEADERS_ATTR, None)
    if headers is None:
        headers = list(_originals["result_headers"](cl))
        for header in headers:
            if isinstance(header["text"], Promise):
                header["text"] = str(header["text"])  # translated once (4.)
        setattr(cl, _HEADERS_ATTR, headers)
    return iter(headers)


# --- 2. Badges (display_for_label) ---------------------------------------------------

_CONTEXT = Context(autoescape=True)


def _shown(text: Any) -> str:
    """``{{ text }}`` as the badge template shows it (render_value_in_context)."""
    if isinstance(text, str):
        return conditional_escape(text)
    if isinstance(text, Promise):
        return conditional_escape(str(text))  # localize() leaves it as it is
    return render_value_in_context(text, _CONTEXT)  # numbers: localized


_label_parts: dict[tuple[Any, ...], list[str] | None] = {}


def _is_text(value: Any) -> bool:
    # What ``{{ text }}`` shows as is: strings (lazy ones too) and numbers; a callable
    # would be called by the template, so it goes to unfold's code.
    return isinstance(value, str | Promise | int | float) and not callable(value)


def _display_for_label(value: Any, empty_value_display: str, label: Any) -> SafeText:
    """unfold's ``display_for_label``, with its template rendered once per badge form."""
    original: Callable[..., SafeText] = _originals["display_for_label"]
    label_type = None
    shown = value
    if isinstance(label, dict):
        if isinstance(shown, tuple):
            try:
                label_type = label[shown[0]]
                shown = shown[1]
            except KeyError:
                shown = shown[0]
        elif shown in label:
            label_type = label[shown]
    if not shown:
        # The template's "no label" branch: the same output for every empty value.
        key: tuple[Any, ...] = ("empty",)
        empty = _label_parts.get(key)
        if empty is None:
            empty = _label_parts[key] = [original(value, empty_value_display, label)]
        return mark_safe(empty[0])
    multiple = isinstance(shown, tuple | list)
    texts = list(shown) if multiple else [shown]
    if not isinstance(label_type, str | None) or not all(map(_is_text, texts)):
        return original(value, empty_value_display, label)
    key = (label_type, multiple, len(texts), get_language())
    parts = _label_parts.get(key)
    if key not in _label_parts:
        if len(_label_parts) >= _CACHE_LIMIT:
            return original(value, empty_value_display, label)
        placeholders = [_placeholder(n) for n in range(len(texts))]
        probe = (label_type, placeholders if multiple else placeholders[0])
        parts = _split(original(probe, empty_value_display, {label_type: label_type}), len(texts))
        _label_parts[key] = parts
    if parts is None:
        return original(value, empty_value_display, label)
    return _join(parts, [_shown(text) for text in texts])


# --- 3. The row checkbox (action_checkbox) -------------------------------------------

_checkbox_parts: dict[tuple[Any, ...], list[str] | None] = {}


def _checkbox_class() -> type:
    from unfold.widgets import UnfoldBooleanWidget

    class RowCheckbox(UnfoldBooleanWidget):  # type: ignore[misc]  # unfold ships no types
        """unfold's row checkbox, its template rendered once per (name, language)."""

        def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
            if attrs is not None or renderer is not None or not isinstance(value, str) or not value:
                return super().render(name, value, attrs, renderer)
            key = (name, get_language())
            if key not in _checkbox_parts:
                if len(_checkbox_parts) >= _CACHE_LIMIT:
                    return super().render(name, value, attrs, renderer)
                _checkbox_parts[key] = _split(super().render(name, _placeholder(0)), 1)
            parts = _checkbox_parts[key]
            if parts is None or self.check_test(value):
                return super().render(name, value, attrs, renderer)
            return _join(parts, [conditional_escape(value)])

    return RowCheckbox


# --- 6, 7. Page fragments rendered once per key --------------------------------------


class Uncacheable(Exception):
    """A value the key cannot hold: render unfold's template as it is."""


def _shown_key(value: Any) -> Any:
    """``value`` as a template shows it: for text, the text and whether it is safe HTML."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str | Promise):
        text = str(value)  # a lazy text in the request's language
        return (isinstance(text, SafeData), text)
    if isinstance(value, list | tuple):
        return tuple(_shown_key(v) for v in value)
    raise Uncacheable


# What unfold/helpers/app_list.html (and app_list_badge.html) read of a group and an item.
_GROUP_KEYS = (
    "title",
    "separator",
    "collapsible",
    "badge",
    "badge_callback",
    "badge_style",
    "badge_variant",
)
_ITEM_KEYS = (
    "has_permission",
    "active",
    "link",
    "link_callback",
    "icon",
    "title",
    "badge",
    "badge_callback",
    "badge_style",
    "badge_variant",
)


def _item_key(item: Any) -> tuple[Any, ...]:
    if not isinstance(item, dict):
        raise Uncacheable
    nested = item.get("items")
    return (
        tuple(_shown_key(item.get(k)) for k in _ITEM_KEYS),
        None if nested is None else tuple(_item_key(i) for i in nested),
    )


def _sidebar_key(context: Any) -> tuple[Any, ...]:
    if context.get("sidebar_show_all_applications"):
        raise Uncacheable  # the list of all applications: not in the key
    groups = context.get("sidebar_navigation") or ()
    return tuple(
        (
            tuple(_shown_key(group.get(k)) for k in _GROUP_KEYS),
            tuple(_item_key(item) for item in group.get("items") or ()),
        )
        for group in groups
    )


def _filter_actions_key(context: Any) -> tuple[Any, ...]:
    cl = context.get("cl")
    if cl is None:
        raise Uncacheable
    admin = cl.model_admin
    facets = cl.is_facets_optional
    return (
        _shown_key(bool(getattr(admin, "list_filter_submit", False))),
        _shown_key(bool(getattr(admin, "list_filter_sheet", False))),
        _shown_key(bool(facets)),
        _shown_key(bool(cl.has_active_filters)),
        _shown_key(bool(cl.add_facets) if facets else None),
        _shown_key(cl.remove_facet_link if facets and cl.add_facets else None),
        _shown_key(cl.add_facet_link if facets and not cl.add_facets else None),
        _shown_key(cl.clear_all_filters_qs if cl.has_active_filters else None),
    )


def _empty_range_key(context: Any) -> tuple[Any, ...]:
    spec = context.get("spec")
    params = getattr(spec, "expected_parameters", lambda: None)()
    used = getattr(spec, "used_parameters", None)
    if not params or used is None or any(p in used for p in params):
        raise Uncacheable  # a range was asked for (even an empty one): its values show
    return (
        type(spec),
        getattr(spec, "form_class", None),
        _shown_key(spec.parameter_name),
        _shown_key(context.get("title")),
    )


FRAGMENT_KEYS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "unfold/helpers/app_list.html": _sidebar_key,
    "unfold/helpers/change_list_filter_actions.html": _filter_actions_key,
    "unfold/filters/filters_datetime_range.html": _empty_range_key,
}

_fragments: dict[tuple[Any, ...], SafeText] = {}


def fragment_render(name: str, context: Any, render: Callable[[], str]) -> str:
    """unfold's template ``name`` (``render()``), once per key of what it shows."""
    if not applied():
        return render()
    try:
        key = (name, get_language(), context.autoescape, FRAGMENT_KEYS[name](context))
    except Uncacheable:
        return render()
    html = _fragments.get(key)
    if html is None:
        html = mark_safe(render())
        if len(_fragments) < _CACHE_LIMIT:
            _fragments[key] = html
    return html


# --- Applying -------------------------------------------------------------------------


def applied() -> bool:
    return bool(_originals)


def apply() -> None:
    """Install the overrides (idempotent)."""
    if applied():
        return
    from unfold import admin as unfold_admin
    from unfold.templatetags import unfold_list

    _originals["result_headers"] = unfold_list.result_headers
    _originals["display_for_label"] = unfold_list.display_for_label
    _originals["checkbox"] = unfold_admin.checkbox
    original = unfold_admin.checkbox
    checkbox = _checkbox_class()(original.attrs, original.check_test)
    checkbox.attrs = dict(original.attrs)  # as given, not with the classes added twice
    unfold_list.result_headers = _result_headers_once
    unfold_list.display_for_label = _display_for_label
    unfold_admin.checkbox = checkbox
    if "list_sections" not in vars(unfold_admin.ModelAdmin):
        _originals["list_sections"] = True
        unfold_admin.ModelAdmin.list_sections = ()


def unapply() -> None:
    """Put unfold's own code back (tests and the benchmark's "before")."""
    if not applied():
        return
    from unfold import admin as unfold_admin
    from unfold.templatetags import unfold_list

    unfold_list.result_headers = _originals.pop("result_headers")
    unfold_list.display_for_label = _originals.pop("display_for_label")
    unfold_admin.checkbox = _originals.pop("checkbox")
    if _originals.pop("list_sections", False):
        del unfold_admin.ModelAdmin.list_sections
    _label_parts.clear()
    _checkbox_parts.clear()
    _fragments.clear()
