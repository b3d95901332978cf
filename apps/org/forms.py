"""Admin forms: parse input and fill suggestions; the rules stay in services."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from unfold.forms import UserChangeForm, UserCreationForm

from apps.org.models import Department, Employee
from apps.org.services import (
    department_code_suggest,
    department_parent_check,
    employee_department_check,
)

EMPLOYEE_DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "employee_id",
    "department",
    "position",
    "phone",
    "hire_date",
    "salary",
)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ("name", "code", "parent", "manager", "description")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name = cleaned.get("name")
        if not cleaned.get("code") and name and "code" not in self.errors:
            cleaned["code"] = department_code_suggest(name=name, exclude=self.instance)
        parent = cleaned.get("parent")
        if self.instance.pk is None or parent != self.instance.parent:
            try:
                department_parent_check(department=self.instance, parent=parent)
            except ValidationError as exc:
                self.add_error("parent", exc)
        return cleaned


class EmployeeDepartmentMixin:
    """Check the department choice with the same rule the service applies."""

    def clean_department(self) -> Department | None:
        department = self.cleaned_data.get("department")
        if department != getattr(self.instance, "department", None):
            employee_department_check(department)
        return department


class EmployeeCreationForm(EmployeeDepartmentMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = Employee
        fields = ("username", *EMPLOYEE_DETAIL_FIELDS)


class EmployeeChangeForm(EmployeeDepartmentMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Employee
        fields = "__all__"
