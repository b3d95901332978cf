"""The department tree page and its JSON endpoints: lazy children, search, move preview, apply.

The page shows the roots only (fetched from the children endpoint) and static/org/tree.js
loads children on expand, collects drag-and-drop moves in a pending list and sends them to
``department_moves_preview`` and ``department_moves_apply`` (apps/org/moves.py), which hold
every rule.
"""

import json
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from apps.access import scope
from apps.access.services import refusal_record
from apps.core.types import AuthedHttpRequest
from apps.core.validators import validate_storable_text
from apps.org import tree
from apps.org.models import Department
from apps.org.moves import (
    MAX_MOVES,
    Move,
    MovePreview,
    department_move_targets,
    department_moves_apply,
    department_moves_preview,
    department_tree_version,
    managers_of,
)
from apps.org.selectors import (
    department_ancestor_ids,
    department_search,
    departments_with_headcount,
)

MAX_BODY = 100 * 1024
# Two Latin characters, but one CJK character is already a useful query (财 finds 财务部).
SEARCH_MIN = 2
SEARCH_MIN_WIDE = 1
SEARCH_MAX = 100
SEARCH_LIMIT = 20


class BadRequest(Exception):
    """Input the endpoints refuse with a 400 and this message."""


def _nodes(queryset: QuerySet[Department]) -> QuerySet[Department]:
    """One query: the rows, their headcounts and their manager."""
    return departments_with_headcount(queryset.select_related("manager")).order_by("name")


def _node(department: Department) -> dict[str, Any]:
    manager = department.manager
    return {
        "id": str(department.pk),
        "name": department.name,
        "code": department.code,
        "manager": (manager.get_full_name() or manager.username) if manager else "",
        "direct_headcount": department.direct_headcount,
        "subtree_headcount": department.subtree_headcount,
        "is_active": department.is_active,
        "has_children": tree.department_has_descendants(department),
    }


def _uuid(raw: Any) -> uuid.UUID:
    if not isinstance(raw, str):
        raise BadRequest(gettext("Department ids must be strings."))
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise BadRequest(gettext("“%(id)s” is not a valid department id.") % {"id": raw}) from exc


def _visible(request: HttpRequest) -> tree.DepartmentQuerySet:
    """The departments this user may see: the tree, search and moves stay inside them."""
    return scope.restrict(request.user, "org.view_department", Department.objects.all())


class JsonAdminView(UnfoldModelAdminViewMixin, View):
    """An admin JSON endpoint: refusals and bad input answer in JSON, never HTML."""

    title = _("Department tree")
    permission_required: tuple[str, ...] = ("org.view_department",)

    def handle_no_permission(self) -> HttpResponse:
        if not self.request.user.is_authenticated:
            return super().handle_no_permission()
        return JsonResponse({"error": gettext("You may not do this.")}, status=403)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            _refuse_unstorable(
                (key + value for key, values in request.GET.lists() for value in values),
                gettext("The address contains a character that is not allowed."),
            )
            return super().dispatch(request, *args, **kwargs)
        except BadRequest as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        except ValidationError as exc:
            refusal_record(error=exc, where=request.path)
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)


class DepartmentTreeView(UnfoldModelAdminViewMixin, TemplateView):
    """The tree page: the version it was read at, the permissions and the labels."""

    title = _("Department tree")
    permission_required = ("org.view_department",)
    template_name = "admin/org/department_tree.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The roots come from the children endpoint right after load: the page itself
        # stays at the session, user and permission reads plus the version (5 queries).
        # The version is read first, so anything changed after it makes Save refuse.
        return super().get_context_data(
            **kwargs,
            opts=Department._meta,
            tree={
                "version": department_tree_version(),
                "can_move": self.request.user.has_perm("org.change_department"),
            },
            tree_labels=_labels(),
        )


class DepartmentTreeChildrenView(JsonAdminView):
    """GET ?parent=<uuid>: the children of one node, in one query; without parent, the roots."""

    def get(self, request: HttpRequest) -> JsonResponse:
        visible = _visible(request)
        if "parent" not in request.GET:
            # Everyone's roots: the organisation's, or the tops of the subtrees in scope.
            tops = scope.scope_roots_q(request.user, "org.view_department")
            roots = _nodes(
                visible.filter(parent__isnull=True) if tops is None else visible.filter(tops)
            )
            return JsonResponse({"parent": None, "children": [_node(d) for d in roots]})
        try:
            parent = _uuid(request.GET["parent"])
        except BadRequest:
            return _not_found()
        children = [_node(d) for d in _nodes(visible.filter(parent_id=parent))]
        # Only an empty answer needs telling apart from an unknown (or unseen) parent.
        if not children and not visible.filter(pk=parent).exists():
            return _not_found()
        return JsonResponse({"parent": str(parent), "children": children})


class DepartmentTreeSearchView(JsonAdminView):
    """GET ?q=: departments whose name or code contains q, each with its ancestors' ids."""

    def get(self, request: HttpRequest) -> JsonResponse:
        query = request.GET.get("q", "").strip()
        minimum = SEARCH_MIN if query.isascii() else SEARCH_MIN_WIDE
        if not minimum <= len(query) <= SEARCH_MAX:
            raise BadRequest(
                gettext("Search with %(min)d to %(max)d characters.")
                % {"min": SEARCH_MIN, "max": SEARCH_MAX}
            )
        visible = _visible(request)
        matches = list(department_search(query=query, limit=SEARCH_LIMIT, within=visible))
        paths = department_ancestor_ids(departments=matches, within=visible)
        return JsonResponse(
            {
                "results": [
                    {
                        "id": str(d.pk),
                        "name": d.name,
                        "code": d.code,
                        "is_active": d.is_active,
                        "path": paths[d.pk],
                    }
                    for d in matches
                ]
            }
        )


class DepartmentTreeTargetsView(JsonAdminView):
    """GET ?node=<uuid>&q=: where that department may be moved, for "Move to…".

    Only departments the reader may change (move into), never the current parent or the
    department's own subtree; ``top`` says whether it may be placed at the top (that needs
    organisation-wide rights, as the service checks).
    """

    permission_required = ("org.view_department", "org.change_department")

    def get(self, request: HttpRequest) -> JsonResponse:
        movable = scope.restrict(request.user, "org.change_department", Department.objects.all())
        try:
            pk = _uuid(request.GET.get("node", ""))
        except BadRequest:
            return _not_found()
        department = _visible(request).filter(pk=pk).first()
        if department is None or not movable.filter(pk=pk).exists():
            return _not_found()
        query = request.GET.get("q", "").strip()
        if len(query) > SEARCH_MAX:
            raise BadRequest(
                gettext("Search with %(min)d to %(max)d characters.")
                % {"min": SEARCH_MIN_WIDE, "max": SEARCH_MAX}
            )
        targets = list(department_move_targets(department=department, within=movable, query=query))
        paths = department_ancestor_ids(departments=targets, within=_visible(request))
        # The top needs the right organisation-wide (department_move's rule).
        top = (
            department.parent_id is not None
            and scope.department_ranges(request.user, "org.change_department") is None
        )
        return JsonResponse(
            {
                "node": str(department.pk),
                "top": top,
                "results": [
                    {"id": str(d.pk), "name": d.name, "code": d.code, "path": paths[d.pk]}
                    for d in targets
                ],
            }
        )


class MovesView(JsonAdminView):
    """Parse {"moves": [{"department": id, "parent": id}], "version": token, ...}."""

    permission_required = ("org.view_department", "org.change_department")

    def body(self) -> dict[str, Any]:
        declared = self.request.META.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit() or int(declared) > MAX_BODY or len(self.request.body) > MAX_BODY:
            raise BadRequest(gettext("The request is too large."))
        try:
            data = json.loads(self.request.body)
        # RecursionError: 100 KB of "[" nests deeper than the parser recurses.
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise BadRequest(gettext("The request body is not valid JSON.")) from exc
        if not isinstance(data, dict):
            raise BadRequest(gettext("The request body must be a JSON object."))
        _refuse_unstorable(
            _strings(data), gettext("The request contains a character that is not allowed.")
        )
        return data

    def moves(self, data: dict[str, Any]) -> list[Move]:
        raw = data.get("moves")
        if not isinstance(raw, list) or not raw:
            raise BadRequest(gettext("“moves” must be a non-empty list."))
        if len(raw) > MAX_MOVES:
            raise BadRequest(
                gettext("At most %(limit)d moves can be applied at once.") % {"limit": MAX_MOVES}
            )
        pairs = []
        for item in raw:
            if not isinstance(item, dict) or "department" not in item or "parent" not in item:
                raise BadRequest(gettext("Each move needs a “department” and a “parent”."))
            parent = item["parent"]
            pairs.append((_uuid(item["department"]), None if parent is None else _uuid(parent)))
        ids = {pk for pair in pairs for pk in pair if pk is not None}
        found = _visible(self.request).select_related("manager").in_bulk(ids)
        unknown = ids - found.keys()
        if unknown:
            raise BadRequest(
                gettext("No such department: %(id)s.")
                % {"id": ", ".join(sorted(map(str, unknown)))}
            )
        return [Move(department=found[d], parent=found[p] if p else None) for d, p in pairs]

    def version(self, data: dict[str, Any]) -> str:
        version = data.get("version")
        if not isinstance(version, str) or not version:
            raise BadRequest(gettext("“version” must be the token the page was loaded with."))
        return version


class DepartmentTreePreviewView(MovesView):
    """POST the pending moves: what each would do, or why the batch is refused."""

    def post(self, request: HttpRequest) -> JsonResponse:
        data = self.body()
        previews = department_moves_preview(moves=self.moves(data))
        # The chains reach above the reader's scope: name only the departments (and their
        # managers) the reader may see, and say nothing of the others.
        above = {d.pk for p in previews for d in (*p.old_chain, *p.new_chain)}
        visible = set(_visible(request).filter(pk__in=above).values_list("pk", flat=True))
        return JsonResponse({"previews": [_preview(p, visible) for p in previews]})


class DepartmentTreeApplyView(MovesView):
    """POST the pending moves with a reason: all are applied, or none."""

    def post(self, request: AuthedHttpRequest) -> JsonResponse:
        data = self.body()
        moves = self.moves(data)
        version = self.version(data)
        reason = data.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise BadRequest(gettext("Give a reason for these moves; it is kept in the history."))
        try:
            department_moves_apply(
                moves=moves, reason=reason, actor=request.user, expected_version=version
            )
        except ValidationError as exc:
            refusal_record(error=exc, where=request.path)
            # Tells the page to offer a reload; the service made the decision.
            stale = version != department_tree_version()
            return JsonResponse({"error": " ".join(exc.messages), "stale": stale}, status=400)
        return JsonResponse({"applied": len(moves), "version": department_tree_version()})


def _names(departments: list[Department], visible: set[uuid.UUID]) -> list[str]:
    """The managers of the ``visible`` departments, each once."""
    people = managers_of([d for d in departments if d.pk in visible])
    return [p.get_full_name() or p.username for p in people]


def _preview(preview: MovePreview, visible: set[uuid.UUID]) -> dict[str, Any]:
    return {
        "department": str(preview.department.pk),
        "name": preview.department.name,
        "parent": str(preview.parent.pk) if preview.parent else None,
        "departments": preview.departments,
        "employees": preview.employees,
        "old_path": [d.name for d in preview.old_chain if d.pk in visible],
        "new_path": [d.name for d in preview.new_chain if d.pk in visible],
        "managers_losing": _names(preview.losing, visible),
        "managers_gaining": _names(preview.gaining, visible),
    }


def _strings(data: Any) -> Iterator[str]:
    """Every string of a parsed JSON value, keys included; iterative, for any depth."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _refuse_unstorable(texts: Iterable[str], message: str) -> None:
    """NUL or a lone surrogate would fail on write (or in PostgreSQL's search): a 400."""
    try:
        for text in texts:
            validate_storable_text(text)
    except ValidationError as exc:
        raise BadRequest(message) from exc


def _not_found() -> JsonResponse:
    return JsonResponse({"error": gettext("No such department.")}, status=404)


def _labels() -> dict[str, str]:
    return {
        "moveTo": gettext("Move to…"),
        "undo": gettext("Undo"),
        "noManager": gettext("No manager"),
        "inactive": gettext("Inactive"),
        "people": gettext("people"),
        "direct": gettext("direct"),
        "departments": gettext("departments"),
        "employees": gettext("employees"),
        "from": pgettext("department move", "From"),
        "to": pgettext("department move", "To"),
        "losing": gettext("Managers losing these people"),
        "gaining": gettext("Managers gaining these people"),
        "none": gettext("none"),
        "noResults": gettext("No departments found."),
        "saved": gettext("The moves were saved."),
        "failed": gettext("The request failed; try again."),
        "reload": gettext("Reload"),
        "loading": gettext("Loading…"),
        "expand": gettext("Expand or collapse"),
        "cancel": gettext("Cancel"),
        "pendingEmpty": gettext("No pending moves. Drag a department onto another."),
        "under": gettext("under"),
        "top": gettext("The top of the organisation"),
        "noTargets": gettext("No department to move it to."),
        "close": gettext("Close"),
    }


def tree_urls(model_admin: Any) -> list[URLPattern]:
    """The page and its endpoints, mounted by DepartmentAdmin.get_urls."""
    wrap = model_admin.admin_site.admin_view
    views = [
        ("tree/", DepartmentTreeView, "org_department_tree"),
        ("tree/children/", DepartmentTreeChildrenView, "org_department_tree_children"),
        ("tree/search/", DepartmentTreeSearchView, "org_department_tree_search"),
        ("tree/targets/", DepartmentTreeTargetsView, "org_department_tree_targets"),
        ("tree/preview/", DepartmentTreePreviewView, "org_department_tree_preview"),
        ("tree/apply/", DepartmentTreeApplyView, "org_department_tree_apply"),
    ]
    return [
        path(route, wrap(view.as_view(model_admin=model_admin)), name=name)
        for route, view, name in views
    ]
