"""Changelist filters that stay usable with 10,000 departments."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import AutocompleteSelectFilter

from apps.access import scope
from apps.org.models import Department
from apps.org.selectors import employee_in_subtree_q


class DepartmentSubtreeFilter(AutocompleteSelectFilter):
    """Pick one department by autocomplete; list everyone in it and below it."""

    title = _("department (and sub-departments)")

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        # A department outside the user's scope is as unknown as a made-up id.
        visible = scope.restrict(request.user, "org.view_department", Department.objects.all())
        try:
            department = visible.get(pk=value)
        except (Department.DoesNotExist, ValidationError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc
        return queryset.filter(employee_in_subtree_q(department=department))
