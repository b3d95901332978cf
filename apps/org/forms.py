"""Admin forms: parse input and fill suggestions; the rules stay in services."""

from typing import Any

from django import forms
from unfold.forms import UserChangeForm, UserCreationForm

from apps.org.models import Department, Employee
from apps.org.services import department_code_suggest

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
        return cleaned


class EmployeeCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = Employee
        fields = ("username", *EMPLOYEE_DETAIL_FIELDS)


class EmployeeChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Employee
        fields = "__all__"
