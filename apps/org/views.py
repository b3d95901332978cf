"""Admin pages that are not a model's list or form: the org chart and "My profile"."""

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from unfold.views import UnfoldModelAdminViewMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from apps.access.directory import (
    chart_departments,
    chart_scope_tops,
    chart_shows_figures,
    chart_without_figures,
    directory_population,
)
from apps.access.fields import fields_never_visible
from apps.access.services import refusal_record
from apps.core.types import AuthedHttpRequest, signed_in
from apps.org.chart import DEPTH_DEFAULT, DEPTH_MAX, PEOPLE_DEPTH_DEFAULT, org_chart, people_chart
from apps.org.forms import DepartmentChartForm, ProfileForm
from apps.org.models import Department, Employee
from apps.org.services import employee_profile_update


class DepartmentChartView(UnfoldModelAdminViewMixin, TemplateView):
    """The org chart: the selector's nested nodes, drawn as SVG by static/org/orgchart.js."""

    title = _("Org chart")
    # Everyone signed in: names and managers of the departments apps.access.directory
    # lets them see (chart_departments); headcounts only for those who list departments.
    permission_required = ()
    template_name = "admin/org/department_chart.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        root = self._root()
        people = self.request.GET.get("view") == "people"
        depth, depth_ok = self._depth(PEOPLE_DEPTH_DEFAULT if people else DEPTH_DEFAULT)
        form = DepartmentChartForm(
            initial={"root": root, "depth": depth},
            admin_site=self.model_admin.admin_site,
            departments=chart_departments(signed_in(self.request)),
            source_url=reverse("admin:org_department_chart_departments"),
        )
        return super().get_context_data(
            **kwargs,
            opts=Department._meta,
            root=root,
            depth=depth,
            depth_ok=depth_ok,
            form=form,
            media=form.media,
            view="people" if people else "departments",
            chart=self._people(root, depth) if people else self._chart(root, depth),
            chart_labels=_chart_labels(),
        )

    def _root(self) -> Department | None:
        """The requested department, or the top of the user's scope (None: everything)."""
        user = signed_in(self.request)
        visible = chart_departments(user)
        raw = self.request.GET.get("root", "").strip()
        if not raw:
            tops = chart_scope_tops(user)
            if tops is None:
                return None
            # A scoped user starts at the top of their (first) subtree; the form picks others.
            root = visible.filter(tops).tree_ordered().first()
            if root is None:
                raise Http404(_("No such department."))
            return root
        try:
            pk = uuid.UUID(raw)
        except ValueError as exc:
            raise Http404(_("No such department.")) from exc
        root = visible.filter(pk=pk).first()
        if root is None:
            raise Http404(_("No such department."))
        return root

    def _chart(self, root: Department | None, depth: int) -> list[dict[str, Any]]:
        nodes = org_chart(root=root, depth=depth)
        user = signed_in(self.request)
        return nodes if chart_shows_figures(user) else chart_without_figures(nodes)

    def _people(self, root: Department | None, depth: int) -> list[dict[str, Any]]:
        """The people view: names and positions, so the people the directory lists."""
        return people_chart(root=root, depth=depth, people=directory_population())

    def _depth(self, default: int = DEPTH_DEFAULT) -> tuple[int, bool]:
        """The requested depth clamped to 1..DEPTH_MAX; the default when it is not a number."""
        raw = self.request.GET.get("depth", "").strip()
        if not raw:
            return default, True
        try:
            requested = int(raw)
        except ValueError:
            return default, False
        depth = max(1, min(DEPTH_MAX, requested))
        return depth, depth == requested


# The chart picker's answers: a page of departments, and the longest term searched.
CHART_PICKER_PAGE = 20
CHART_PICKER_TERM_MAX = 100


def chart_department_search(request: HttpRequest) -> HttpResponse:
    """The chart picker's autocomplete: the departments the reader's chart shows.

    Select2's JSON (``results`` with ``id`` and ``text``, plus ``name`` and ``code``;
    ``pagination.more``), by name or code, in tree order, ``CHART_PICKER_PAGE`` a page.
    A NUL, an over-long term or a bad page number is a 400.
    """
    term = request.GET.get("term", "")
    raw_page = request.GET.get("page", "1") or "1"
    if "\x00" in term or "\x00" in raw_page or len(term) > CHART_PICKER_TERM_MAX:
        return HttpResponseBadRequest(gettext("Search for a department by its name or code."))
    try:
        page = int(raw_page)
    except ValueError:
        page = 0
    if not 1 <= page <= 10_000:
        return HttpResponseBadRequest(gettext("No such page."))
    departments = chart_departments(signed_in(request))
    term = term.strip()
    if term:
        departments = departments.filter(Q(name__icontains=term) | Q(code__icontains=term))
    start = (page - 1) * CHART_PICKER_PAGE
    rows = list(
        departments.tree_ordered().values_list("pk", "name", "code")[
            start : start + CHART_PICKER_PAGE + 1
        ]
    )
    return JsonResponse(
        {
            "results": [
                {"id": str(pk), "text": f"{name} ({code})", "name": name, "code": code}
                for pk, name, code in rows[:CHART_PICKER_PAGE]
            ],
            "pagination": {"more": len(rows) > CHART_PICKER_PAGE},
        }
    )


def _chart_labels() -> dict[str, str]:
    return {
        "person": gettext("person"),
        "people": gettext("people"),
        "direct": gettext("direct"),
        "noManager": gettext("No manager"),
        "inactive": gettext("Inactive"),
        "showMore": gettext("Open this subtree"),
        "toggle": gettext("Click to collapse or expand"),
        "empty": gettext("No departments to show."),
        "collapsed": gettext("collapsed"),
        "zoomIn": gettext("Zoom in"),
        "zoomOut": gettext("Zoom out"),
        "fit": gettext("Fit to screen"),
        "vacant": gettext("No manager to show"),
        # %(count)s is replaced in the browser.
        "morePeople": gettext("+ %(count)s more"),
        "searchNone": gettext("Nothing drawn matches."),
        "report": gettext("report"),
        "reports": gettext("reports"),
    }


class ProfileView(UnfoldModelAdminViewMixin, FormView):
    """Everyone's own page: their details, and the phone number they may change."""

    request: AuthedHttpRequest  # an admin page: behind login

    title = _("My profile")
    permission_required = ()  # any signed-in staff user; the page only shows themselves
    template_name = "admin/org/profile.html"
    form_class = ProfileForm

    def get_initial(self) -> dict[str, Any]:
        return {"phone": self.request.user.phone}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        hidden = fields_never_visible(user=user, model=Employee)
        details: list[tuple[StrOrPromise, object]] = [
            (pgettext_lazy("person", "Name"), user.get_full_name() or user.username),
            (_("Username"), user.username),
            (_("Employee ID"), user.employee_id),
            (_("Department"), user.department or "—"),
            (_("Position"), user.position or "—"),
            (_("Email"), user.email or "—"),
            (_("Hire date"), user.hire_date or "—"),
        ]
        if "salary" not in hidden:
            details.append((_("Salary"), user.salary if user.salary is not None else "—"))
        return super().get_context_data(**kwargs, opts=user._meta, details=details)

    def form_valid(self, form: ProfileForm) -> HttpResponse:
        try:
            employee_profile_update(
                employee=self.request.user, actor=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            refusal_record(error=exc, where=self.request.path)
            form.add_error("phone", exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Your profile was saved."))
        return HttpResponseRedirect(self.request.path)
