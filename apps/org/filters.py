"""Changelist filters that stay usable with 10,000 departments."""

import datetime
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters, ModelAdmin
from django.core.exceptions import ValidationError
from django.core.validators import EMPTY_VALUES
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import AutocompleteSelectFilter
from unfold.contrib.filters.forms import RangeDateForm

from apps.access import scope
from apps.org import reports
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


class LeaveDateFilter(admin.ListFilter):
    """People who left between two dates: inactive, deactivated (per history) in the range.

    Employees have no leave-date column; the date is the one the dashboard counts leavers
    by (``apps.org.reports.deactivated_at``). Parameters ``left_from`` / ``left_to``, ISO
    dates or the locale's input formats, either bound optional.
    """

    title = _("leave date")
    parameter_name = "left"
    template = "unfold/filters/filters_date_range.html"

    def __init__(
        self,
        request: HttpRequest,
        params: dict[str, Any],
        model: type[Model],
        model_admin: ModelAdmin,
    ) -> None:
        super().__init__(request, params, model, model_admin)
        for key in self._keys():
            if key in params:
                value = params.pop(key)
                value = value[-1] if isinstance(value, list) else value
                if value not in EMPTY_VALUES:
                    self.used_parameters[key] = value

    def _keys(self) -> list[str]:
        return [f"{self.parameter_name}_from", f"{self.parameter_name}_to"]

    def expected_parameters(self) -> list[str | None]:
        return list(self._keys())

    def has_output(self) -> bool:
        return True

    def _bound(self, key: str) -> datetime.date | None:
        value = self.used_parameters.get(key)
        if value is None:
            return None
        # The locale's input formats and ISO (what the admin's date picker writes in either
        # language); anything else, a NUL or 10 KB included, is Django's "?e=1" page.
        try:
            day: datetime.date | None = forms.DateField().clean(str(value))
        except ValidationError as exc:
            raise IncorrectLookupParameters(exc) from exc
        return day

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        since = self._bound(f"{self.parameter_name}_from")
        until = self._bound(f"{self.parameter_name}_to")
        if since is None and until is None:
            return queryset
        return reports.left_between(queryset, since=since, until=until)

    # unfold's date-range template reads a form, not Django's selected/query_string/display.
    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        yield {
            "request": self.request,
            "parameter_name": self.parameter_name,
            "form": RangeDateForm(
                name=self.parameter_name,
                data={key: self.used_parameters.get(key) for key in self._keys()},
            ),
        }
