"""The command palette's people and departments (``UNFOLD["COMMAND"]["search_callback"]``).

unfold's palette only finds apps and models; a person's name found nothing. Results come
from the same selectors as the pages they link to, within the reader's scope: someone who
may open an employee's record gets the record, everyone else the directory filtered to the
name; a department links to its record for those who may open it, else to the org chart
drawn from it. ``BackofficeAdminSite.search`` keeps unfold from serving a cached answer
after the reader's rights changed.
"""

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from unfold.dataclasses import SearchResult

from apps.access import scope
from apps.access.directory import (
    chart_departments,
    directory_people,
    holds_anywhere,
    name_q,
    search_words,
)
from apps.core.types import signed_in
from apps.org.models import Employee

# Each kind's first few, as the palette shows them; the pages behind hold the rest.
LIMIT = 8


def _people(user: Employee, term: str, words: list[str]) -> list[SearchResult]:
    """Records for those who may open them (their scope), the directory for everyone."""
    results = []
    opened: set[object] = set()
    if holds_anywhere(user, "org.view_employee"):
        # Not the system account: it is no person, and its record is no one's to open.
        people = Employee.objects.filter(name_q(words)).exclude(is_system=True)
        records = scope.restrict(user, "org.view_employee", people)
        for person in records.select_related("department").order_by("last_name", "first_name")[
            :LIMIT
        ]:
            opened.add(person.pk)
            results.append(
                SearchResult(
                    title=person.get_full_name() or person.username,
                    description=person.department.name if person.department else _("Employee"),
                    link=reverse("admin:org_employee_change", args=[person.pk]),
                    icon="badge",
                )
            )
    directory = reverse("admin:org_employee_directory")
    for row in directory_people(user, search=term)[:LIMIT]:
        if row["id"] in opened:
            continue
        name = f"{row['first_name']} {row['last_name']}".strip()
        results.append(
            SearchResult(
                title=name,
                description=row["department__name"] or _("People directory"),
                link=f"{directory}?{urlencode({'q': name})}",
                icon="contacts",
            )
        )
    return results


def _departments(user: Employee, words: list[str]) -> list[SearchResult]:
    """Departments by name or code; a record for those who may open it, else the chart."""
    q = Q()
    for word in words:
        q &= Q(name__icontains=word) | Q(code__icontains=word)
    may_open = holds_anywhere(user, "org.view_department")
    chart = reverse("admin:org_department_chart")
    results = []
    for department in chart_departments(user).filter(q).order_by("name")[:LIMIT]:
        if may_open:
            link = reverse("admin:org_department_change", args=[department.pk])
        else:
            link = f"{chart}?{urlencode({'root': str(department.pk)})}"
        results.append(
            SearchResult(title=department.name, description=_("Department"), link=link, icon="lan")
        )
    return results


def search_callback(request: HttpRequest, search_term: str) -> list[SearchResult]:
    """People and departments matching ``search_term`` that the reader may see."""
    words = search_words(search_term)
    if not words:
        return []
    user = signed_in(request)
    return [*_people(user, search_term, words), *_departments(user, words)]
