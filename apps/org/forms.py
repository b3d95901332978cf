"""Admin forms: parse input and fill suggestions; the rules stay in services."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.auth.forms import SetPasswordMixin, UsernameField
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from unfold.forms import UserCreationForm
from unfold.widgets import (
    INPUT_CLASSES,
    UnfoldAdminPasswordWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
)

from apps.core.admin import SafeAutocompleteSelect
from apps.core.admin_extensions import RecordReasonForm
from apps.org.chart import DEPTH_MAX
from apps.org.models import ORGANISATION, Department, Employee, Transfer
from apps.org.selectors import departments_active
from apps.org.services import (
    EMPLOYEE_DETAIL_FIELDS,
    EMPLOYEE_EMERGENCY_FIELDS,
    authorize,
    department_code_suggest,
    department_parent_check,
    employee_department_check,
)
from apps.org.transfers import transfer_date_check
from apps.org.validators import normalize_phone


class DepartmentForm(forms.ModelForm):
    # Who is filling it in, set per request by the admin: placing a department at the
    # top of the tree needs organisation-wide rights.
    actor: Employee | None = None

    class Meta:
        model = Department
        fields = ("name", "code", "parent", "manager", "description")

    def clean(self) -> dict[str, Any]:
        super().clean()  # Django's returns self.cleaned_data (typed Optional by the stubs)
        cleaned = self.cleaned_data
        name = cleaned.get("name")
        if not cleaned.get("code") and name and "code" not in self.errors:
            cleaned["code"] = department_code_suggest(name=name, exclude=self.instance)
        parent = cleaned.get("parent")
        adding = self.instance._state.adding  # pk is a UUID set on creation: not a sign
        if adding or parent != self.instance.parent:
            try:
                department_parent_check(department=self.instance, parent=parent)
                if parent is None:
                    perm = "org.add_department" if adding else "org.change_department"
                    authorize(self.actor, perm, ORGANISATION)
            except ValidationError as exc:
                self.add_error("parent", exc)
        return cleaned


if TYPE_CHECKING:
    from django.db.models import QuerySet

    _EmployeeFormBase = forms.ModelForm[Employee]
else:
    _EmployeeFormBase = object


class EmployeeDepartmentMixin(_EmployeeFormBase):
    """Check the department choice with the same rule the service applies: everyone
    belongs to an active department (keeping the one they have is not a change)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "department" in self.fields:
            self.fields["department"].required = True

    def clean_department(self) -> Department | None:
        department = self.cleaned_data.get("department")
        if department is None or department != getattr(self.instance, "department", None):
            employee_department_check(department)
        return department


class EmployeeCreationForm(EmployeeDepartmentMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = Employee
        fields = ("username", *EMPLOYEE_DETAIL_FIELDS)


class EmployeeChangeForm(EmployeeDepartmentMixin, forms.ModelForm):
    """The HR record. No password field (not even its hash): the record's "Reset password"
    action sets one, with a reason. Which fields appear is the admin's (its fieldsets)."""

    class Meta:
        model = Employee
        fields = (
            "username",
            *EMPLOYEE_DETAIL_FIELDS,
            *EMPLOYEE_EMERGENCY_FIELDS,
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        permissions = self.fields.get("user_permissions")
        if isinstance(permissions, forms.ModelMultipleChoiceField) and permissions.queryset:
            permissions.queryset = permissions.queryset.select_related("content_type")

    def clean_emergency_contact_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("emergency_contact_phone") or "")


class EmployeePasswordResetForm(SetPasswordMixin, RecordReasonForm):
    """The record's "Reset password" action: a new password, twice, and why."""

    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("New password"), label2=_("New password confirmation")
    )

    def __init__(self, user: Employee, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        for name in ("password1", "password2"):
            self.fields[name].widget = UnfoldAdminPasswordWidget(
                attrs={"autocomplete": "new-password"}
            )
        self.order_fields(["password1", "password2", "reason"])

    def clean(self) -> dict[str, Any]:
        self.validate_passwords()
        self.validate_password_for_user(self.user)
        return super().clean() or self.cleaned_data


class TransferRequestForm(forms.Form):
    """The "Transfer…" action's page: target, date and reason for the selected employees."""

    effective_date = forms.DateField(
        label=capfirst(_("effective date")),
        widget=forms.DateInput(
            attrs={"type": "date", "class": " ".join(INPUT_CLASSES)}, format="%Y-%m-%d"
        ),
        help_text=_("Today or earlier applies at once; a later date schedules the transfer."),
    )
    reason = forms.CharField(
        label=capfirst(_("reason")),
        max_length=Transfer._meta.get_field("reason").max_length,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        admin_site: AdminSite,
        leaving: Sequence[tuple[Employee, Department]] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {"effective_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        # The people who manage the department they would leave, and that department.
        self.leaving = list(leaving)
        # An autocomplete, not a <select> of 10,000 departments; it offers active ones only
        # (the model field's limit_choices_to, which the admin's autocomplete view applies).
        self.fields["to_department"] = forms.ModelChoiceField(
            label=capfirst(_("to department")),
            queryset=departments_active(),
            widget=SafeAutocompleteSelect(Transfer._meta.get_field("to_department"), admin_site),
            error_messages={"invalid_choice": _("Choose an active department from the list.")},
        )
        if self.leaving:
            # Offered only when someone leaves a department they manage; the service
            # checks who may take over (scope, rank, not the person moved).
            self.fields["new_manager"] = forms.ModelChoiceField(
                label=capfirst(_("new manager")),
                queryset=Employee.objects.filter(is_active=True, is_system=False),
                required=False,
                widget=SafeAutocompleteSelect(Transfer._meta.get_field("new_manager"), admin_site),
                help_text=_(
                    "Optional: who takes over the department they leave, from that department "
                    "or below it. Set when the transfer applies."
                ),
                error_messages={"invalid_choice": _("Choose an active employee from the list.")},
            )
        self.order_fields(["to_department", "effective_date", "reason", "new_manager"])

    def clean_effective_date(self) -> Any:
        effective_date = self.cleaned_data["effective_date"]
        transfer_date_check(effective_date=effective_date, today=timezone.localdate())
        return effective_date

    def clean_new_manager(self) -> Employee | None:
        successor: Employee | None = self.cleaned_data.get("new_manager")
        if successor is None:
            return None
        if len(self.leaving) > 1:
            raise ValidationError(
                _(
                    "Several of these people manage the department they leave: transfer them "
                    "one at a time to name each department's new manager."
                )
            )
        if any(employee.pk == successor.pk for employee, _department in self.leaving):
            raise ValidationError(
                _("That is the person being transferred; choose someone who stays.")
            )
        return successor


class SourceAutocompleteSelect(SafeAutocompleteSelect):
    """The admin's autocomplete widget asking another endpoint (same ``results`` JSON)."""

    def __init__(self, field: Any, admin_site: AdminSite, *, url: str, **kwargs: Any) -> None:
        super().__init__(field, admin_site, **kwargs)
        self.url = url

    def get_url(self) -> str:
        return self.url


class DepartmentChartForm(forms.Form):
    """The chart page's picker: a department autocomplete and a depth select (GET).

    The departments are the reader's chart (``departments``, from the view) and the
    autocomplete asks the chart's own endpoint (``source_url``): the admin's department
    autocomplete refuses those who may not list departments, who may still see the chart.
    """

    depth = forms.TypedChoiceField(
        label=_("Levels"),
        choices=[(n, str(n)) for n in range(1, DEPTH_MAX + 1)],
        coerce=int,
        widget=UnfoldAdminSelectWidget,
    )

    def __init__(
        self,
        *args: Any,
        admin_site: AdminSite,
        departments: "QuerySet[Department]",
        source_url: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["root"] = forms.ModelChoiceField(
            label=_("Department"),
            queryset=departments,
            required=False,
            widget=SourceAutocompleteSelect(
                Department._meta.get_field("parent"), admin_site, url=source_url
            ),
        )
        self.order_fields(["root", "depth"])


class ProfileForm(forms.Form):
    """The fields a person may change on their own profile (PROFILE_EDITABLE)."""

    phone = forms.CharField(
        label=capfirst(_("phone")),
        max_length=Employee._meta.get_field("phone").max_length,
        required=False,
        widget=forms.TextInput(attrs={"class": " ".join(INPUT_CLASSES), "autocomplete": "tel"}),
        help_text=_("International format, for example +44 20 7946 0000."),
    )
