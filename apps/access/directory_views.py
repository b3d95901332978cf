"""The people directory: every signed-in person's read-only phone book of colleagues.

Mounted under the employees (``admin/org/employee/directory/``) by ``apps.access.admin``;
who sees what is ``apps.access.directory``.
"""

from typing import Any

from django.core.paginator import Paginator
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from apps.access import directory
from apps.core.types import AuthedHttpRequest

PER_PAGE = 25


class DirectoryView(UnfoldModelAdminViewMixin, TemplateView):  # type: ignore[misc]  # unfold is untyped
    """GET ?q=&department=&page=: active colleagues by name, 25 a page."""

    request: AuthedHttpRequest  # an admin page: behind login

    title = _("People directory")
    permission_required = ()  # everyone signed in; the selector decides what they see
    template_name = "admin/access/directory.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        params = self.request.GET
        query = params.get("q", "")
        department = directory.directory_department(user, params.get("department", ""))
        people = directory.directory_people(user, search=query, department=department)
        page = Paginator(people, PER_PAGE).get_page(params.get("page"))
        rows = list(page.object_list)
        openable = directory.directory_openable(user, [row["id"] for row in rows])
        for row in rows:
            row["openable"] = row["id"] in openable
        return super().get_context_data(
            **kwargs,
            crumbs=[(self.title, None)],
            query=query if directory.search_words(query) is not None else "",
            department=department,
            # Indented by level: the filter keeps a department and everything under it.
            departments=[
                (d.pk, "\u00a0\u00a0" * d.level + d.name)
                for d in directory.directory_departments(user)
            ],
            page_obj=page,
            rows=rows,
        )


def directory_urls(model_admin: Any) -> list[URLPattern]:
    """The page, under the employee admin (``admin_pages_register`` in apps.access.admin)."""
    view = model_admin.admin_site.admin_view(DirectoryView.as_view(model_admin=model_admin))
    return [path("directory/", view, name="org_employee_directory")]
