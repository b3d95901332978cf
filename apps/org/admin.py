"""Screens for departments and employees; every write goes through apps.org.services."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, QuerySet, Value
from django.forms import Media, ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_POST
from unfold.contrib.filters.admin import BooleanRadioFilter, RangeDateFilter
from unfold.decorators import action, display

from apps.access import fields, scope
from apps.core.admin import ReadOnlyDomainAdmin, SoftDeleteDomainAdmin, adopt_saved
from apps.core.admin_extensions import (
    ReadOnlyInline,
    RecordAction,
    record_action_register,
)
from apps.core.history import is_system_account
from apps.core.jobs import job_start
from apps.core.types import signed_in
from apps.org import services, transfers, tree
from apps.org.filters import DepartmentSubtreeFilter, LeaveDateFilter
from apps.org.forms import (
    DepartmentForm,
    EmployeeChangeForm,
    EmployeeCreationForm,
    EmployeePasswordResetForm,
    TransferRequestForm,
)
from apps.org.job_kinds import APPLY_DUE, APPLY_PERM
from apps.org.models import ACCOUNT_FIELDS, ACCOUNT_PERM, Department, Employee, Transfer
from apps.org.money import salary_format
from apps.org.selectors import departments_with_headcount, employee_reports_to
from apps.org.tree_views import tree_urls
from apps.org.views import DepartmentChartView, ProfileView, chart_department_search

# .bo-indent-1 … -12 in static/core/admin.css; deeper departments stay at the last step.
TREE_INDENT_STEPS = 12


@admin.register(Department)
class DepartmentAdmin(SoftDeleteDomainAdmin[Department]):
    form = DepartmentForm
    list_before_template = "admin/org/department_chart_link.html"
    list_display = ("tree_name", "code", "manager", "direct_count", "subtree_count", "active_badge")
    list_display_links = ("tree_name",)
    list_filter = (("is_active", BooleanRadioFilter),)
    list_filter_submit = True
    list_select_related = ("manager",)
    search_fields = ("name", "code")
    ordering = tree.tree_order()
    sortable_by = ()
    autocomplete_fields = ("parent", "manager")
    fields = ("name", "code", "parent", "manager", "description")

    def get_form(
        self,
        request: HttpRequest,
        obj: Department | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> "type[ModelForm[Any]]":
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": signed_in(request)})

    def get_urls(self) -> list[URLPattern]:
        chart = self.admin_site.admin_view(DepartmentChartView.as_view(model_admin=self))
        # Before the inherited ones: their "<path:object_id>/" would swallow "chart/".
        return [
            path("chart/", chart, name="org_department_chart"),
            path(
                "chart/departments/",
                self.admin_site.admin_view(chart_department_search),
                name="org_department_chart_departments",
            ),
            *tree_urls(self),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        queryset = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            # Autocomplete shows names only: no per-row headcount subqueries.
            return queryset
        return departments_with_headcount(queryset)

    @display(description=_("department"))
    def tree_name(self, obj: Department) -> str:
        # Indented by depth through classes (static/core/admin.css): no inline style
        # under the Content-Security-Policy.
        indent = f"bo-indent-{min(obj.level, TREE_INDENT_STEPS)}" if obj.level else ""
        return format_html(
            '<span class="{}">{}</span>',
            " ".join(c for c in (indent, "" if obj.is_active else "opacity-50") if c),
            obj.name,
        )

    @display(description=_("direct headcount"))
    def direct_count(self, obj: Department) -> int:
        return obj.direct_headcount

    @display(description=_("subtree headcount"))
    def subtree_count(self, obj: Department) -> int:
        return obj.subtree_headcount

    @display(description=_("active"), label={True: "success", False: "danger"})
    def active_badge(self, obj: Department) -> tuple[bool, str]:
        return obj.is_active, str(_("Active") if obj.is_active else _("Inactive"))

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in self.fields if f in form.cleaned_data}
        if change:
            changed = {f: data[f] for f in form.changed_data if f in data}
            services.department_update(
                department=obj, actor=signed_in(request), reason=self.change_reason(form), **changed
            )
        else:
            adopt_saved(obj, services.department_create(actor=signed_in(request), **data))

    def deactivate_object(self, obj: Department, actor: Employee) -> Department:
        return services.department_deactivate(department=obj, actor=actor)

    def restore_object(self, obj: Department, actor: Employee) -> Department:
        return services.department_restore(department=obj, actor=actor)


class TransferHistoryInline(ReadOnlyInline):
    """The employee's transfers, newest first, as far as the reader sees transfers."""

    model = Transfer
    fk_name = "employee"
    verbose_name = _("transfer")
    # Not "… history": the tab sits beside the record's own "History" link.
    verbose_name_plural = _("transfers")
    fields = ("effective_date", "from_department", "to_department", "status", "reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Transfer]:
        queryset = (
            super()
            .get_queryset(request)
            .select_related("employee", "from_department", "to_department")
        )
        return scope.restrict(request.user, "org.view_transfer", queryset).order_by(
            "-effective_date", "-created_at"
        )


RESET_PASSWORD = "reset-password"


def _may_reset_password(request: HttpRequest, employee: Employee) -> bool:
    """Someone else's password, in the reader's change scope, and of someone they outrank.

    One's own password has Django's page (it asks for the current one); the system
    account never signs in.
    """
    user = request.user
    return (
        employee.pk != user.pk
        and not is_system_account(employee)
        and user.has_perm("org.change_employee", employee)
        and user.has_perm(ACCOUNT_PERM, employee)
    )


def _reset_password(request: HttpRequest, employee: Employee, data: dict[str, Any]) -> str:
    services.employee_password_set(
        employee=employee,
        actor=signed_in(request),
        password=data["password1"],
        reason=data["reason"].strip(),
    )
    return str(_("The password of %(person)s was reset; their sessions were ended.")) % {
        "person": employee.get_full_name() or employee.get_username()
    }


record_action_register(
    model="org.Employee",
    action=RecordAction(
        name=RESET_PASSWORD,
        label=_("Reset password…"),
        intro=_(
            "Set a new password for this person and tell it to them in person. Their open "
            "sessions end; the reason is kept in the record's history."
        ),
        submit_label=_("Reset password"),
        icon="key",
        allowed=_may_reset_password,
        perform=_reset_password,
        form_class=EmployeePasswordResetForm,
        form_takes_record=True,
        order=10,
    ),
)


@admin.register(Employee)
class EmployeeAdmin(DjangoUserAdmin, SoftDeleteDomainAdmin[Employee]):  # type: ignore[misc]  # guardian vs django-stubs (apps.core.admin)
    """People: Django's user admin first for its add form and password pages.

    Security contributes "Reset two-factor devices" (``apps.security.admin_devices``).
    """

    form = EmployeeChangeForm
    add_form = EmployeeCreationForm
    list_display = (
        "employee_id",
        "display_name",
        "department",
        "position",
        "hire_date",
        "salary",
        "active_badge",
    )
    list_display_links = ("employee_id", "display_name")
    list_filter = (
        ("department", DepartmentSubtreeFilter),
        ("is_active", BooleanRadioFilter),
        ("hire_date", RangeDateFilter),
        LeaveDateFilter,
    )
    list_filter_submit = True
    list_select_related = ("department",)
    search_fields = ("employee_id", "first_name", "last_name", "email")
    actions = (
        "deactivate_selected",
        "restore_selected",
        "transfer_selected",
    )
    ordering = ("employee_id",)
    autocomplete_fields = ("department",)
    inlines = (TransferHistoryInline,)
    # Shown, never edited here: activation is an action (deactivate / restore), the
    # password has the "Reset password" action, and "reports to" follows the tree.
    readonly_fields = (
        "is_active",
        "last_login",
        "date_joined",
        "reports_to",
        "account_active",
        "password_status",
        "salary_display",
    )
    filter_horizontal = ("groups", "user_permissions")
    # The HR record in sections; rights come from role assignments (their own inline and
    # screen), so only superusers get the section with the flags and the raw permissions.
    fieldsets = (
        (_("Person"), {"fields": ("first_name", "last_name")}),
        (
            _("Job"),
            {
                "fields": (
                    "employee_id",
                    "department",
                    "position",
                    "reports_to",
                    "hire_date",
                    "salary",
                )
            },
        ),
        (_("Contact"), {"fields": ("email", "phone")}),
        (
            _("Emergency contact"),
            {
                "fields": (
                    "emergency_contact_name",
                    "emergency_contact_relationship",
                    "emergency_contact_phone",
                )
            },
        ),
        (
            _("Account"),
            {
                "fields": (
                    "username",
                    "account_active",
                    "last_login",
                    "date_joined",
                    "password_status",
                )
            },
        ),
    )
    superuser_fieldsets = (
        (
            _("Superuser only: status and permissions"),
            {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")},
        ),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "usable_password", "password1", "password2")}),
        (_("Personal"), {"fields": ("first_name", "last_name", "email", "phone")}),
        (
            _("Employment"),
            {"fields": ("employee_id", "department", "position", "hire_date", "salary")},
        ),
    )

    def get_urls(self) -> list[URLPattern]:
        profile = self.admin_site.admin_view(ProfileView.as_view(model_admin=self))
        # Before the inherited ones: their "<path:object_id>/" would swallow "me/".
        return [path("me/", profile, name="org_employee_me"), *super().get_urls()]

    # Salary per row: someone may hold org.view_salary for one subtree only (an HR role
    # scoped to a department) while seeing more people; outside it the value is masked.
    def get_queryset(self, request: HttpRequest) -> QuerySet[Employee]:
        # The system account (seeds and jobs act as it) is not a person: out of the list,
        # its search, filters, counts and autocompletes, for everyone.
        return self._employees(request).exclude(is_system=True)

    def _employees(self, request: HttpRequest) -> QuerySet[Employee]:
        """The reader's employees with the salary mask, the system account included."""
        queryset = super().get_queryset(request)
        if "salary" in self.get_protected_fields(request):
            return queryset
        inside = fields.field_visible_q(user=request.user, model=Employee, field="salary")
        visible = Value(True) if inside is None else ExpressionWrapper(inside, BooleanField())
        return queryset.annotate(salary_visible=visible)

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        # After the protected-field stripping: the column, where kept, is masked per row.
        # Sorting by it would order the masked rows too (and so reveal them): only someone
        # who sees every salary in the list may sort by salary.
        everywhere = fields.field_visible_everywhere(
            user=request.user, model=Employee, field="salary"
        )
        column = "salary_shown" if everywhere else "salary_masked"
        return [column if name == "salary" else name for name in super().get_list_display(request)]

    @display(description=_("salary"), ordering="salary")
    def salary_shown(self, obj: Employee) -> Any:
        return self.salary_masked(obj)

    @display(description=_("salary"))
    def salary_masked(self, obj: Employee) -> Any:
        if obj.salary is None or not getattr(obj, "salary_visible", False):
            return "—"
        return salary_format(obj.salary)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None and request.user.is_superuser:
            # Its record stays reachable to superusers (simple-history links a version's
            # actor to it), never listed.
            obj = self._system_account(request, object_id, from_field)
        if obj is not None:
            # The record's read-only panels (reports to, password) link by the reader's
            # rights; Django calls them with the object only.
            obj._record_request = request
        return obj

    def _system_account(
        self, request: HttpRequest, object_id: str, from_field: Any = None
    ) -> Employee | None:
        field = Employee._meta.pk if from_field is None else Employee._meta.get_field(from_field)
        try:
            value = field.to_python(object_id)  # type: ignore[union-attr]  # a concrete field
        except (ValidationError, ValueError):
            return None
        return self._employees(request).filter(is_system=True, **{field.name: value}).first()

    def get_fieldsets(self, request: HttpRequest, obj: Employee | None = None) -> list:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        if request.user.is_superuser:
            # Before the "reason for this change" section, which closes the form.
            at = next(
                (i for i, (_t, o) in enumerate(fieldsets) if "change_reason" in o["fields"]),
                len(fieldsets),
            )
            fieldsets[at:at] = list(self.superuser_fieldsets)
        hidden = set(fields.fields_hidden(user=request.user, obj=obj))
        # A salary the reader sees but may not change reads as money, not as a number.
        locked = "salary" in fields.fields_locked(user=request.user, obj=obj)
        shown = {"salary": "salary_display"} if locked else {}
        return [
            (
                title,
                {
                    **options,
                    "fields": [shown.get(f, f) for f in options["fields"] if f not in hidden],
                },
            )
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Employee | None = None) -> list[str]:
        # Roles come from role assignments (their own screen, rules and log); the groups
        # shown here only mirror them. Only superusers hand out staff or superuser status
        # or raw permissions. The account of someone the user does not outrank (sign-in
        # name, e-mail, phone) is read-only: the rule is apps.access.ranks.
        readonly = [*super().get_readonly_fields(request, obj), "groups"]
        if not request.user.is_superuser:
            readonly += ["is_staff", "is_superuser", "user_permissions"]
        if obj is not None:
            readonly += sorted(fields.fields_locked(user=request.user, obj=obj) - set(readonly))
        if obj is not None and not request.user.has_perm(ACCOUNT_PERM, obj):
            readonly += sorted(ACCOUNT_FIELDS - {"password"} - set(readonly))
        return readonly

    @display(description=_("reports to"))
    def reports_to(self, obj: Employee) -> str:
        manager = employee_reports_to(employee=obj)
        if manager is None:
            return "—"
        request = getattr(obj, "_record_request", None)
        if request is None or not request.user.has_perm("org.view_employee", manager):
            return str(manager)
        return format_html(
            '<a href="{}" class="text-primary-600 dark:text-primary-500" '
            'data-testid="reports-to">{}</a>',
            reverse("admin:org_employee_change", args=[manager.pk]),
            manager,
        )

    @display(description=_("active"))
    def account_active(self, obj: Employee) -> str:
        # Not Django's flag with its "unselect this instead of deleting" help: here an
        # account is deactivated and restored by the list's actions, with their rules.
        state = _("Active") if obj.is_active else _("Inactive")
        return format_html(
            '{} <span class="text-font-subtle-light dark:text-font-subtle-dark">— {}</span>',
            state,
            _("deactivated and restored from the list of employees."),
        )

    @display(description=_("password"))
    def password_status(self, obj: Employee) -> str:
        """When it was last set and the way to reset it; never the hash or its algorithm."""
        if not obj.has_usable_password():
            state = str(_("Password sign-in is disabled."))
        elif obj.password_changed_at is not None:
            state = str(_("Set; last changed %(when)s.")) % {
                "when": date_format(localtime(obj.password_changed_at), "DATETIME_FORMAT")
            }
        else:
            state = str(_("Set."))
        request = getattr(obj, "_record_request", None)
        if request is not None and obj.pk == request.user.pk:
            return format_html(
                '{} <a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>',
                state,
                reverse("admin:password_change"),
                _("Change your password…"),
            )
        if request is None or not _may_reset_password(request, obj):
            return state
        return format_html(
            '{} <a href="{}" class="text-primary-600 dark:text-primary-500" '
            'data-testid="reset-password-link">{}</a>',
            state,
            self.record_action_url(obj, RESET_PASSWORD),
            _("Reset password…"),
        )

    @display(description=_("salary"))
    def salary_display(self, obj: Employee) -> str:
        return salary_format(obj.salary)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's password page, kept as an address: the record's "Reset password…".

        Setting someone else's password asks a reason and logs it in one place (the record
        action); this page keeps its rules (scope: 404; rank: sent back with the reason
        why; one's own password: Django's page, which asks for the current one) and sends
        everyone else there, a POST included (nothing is saved here).
        """
        employee = self.get_object(request, unquote(id))
        if employee is None:
            raise Http404(_("No such record."))
        if not self.has_change_permission(request, employee):
            raise PermissionDenied
        if employee.pk == request.user.pk:
            # One's own password: Django's own page, which asks for the current one (a
            # session left open must not be enough to take the account over).
            return HttpResponseRedirect(reverse("admin:password_change"))
        try:
            services.account_authorize(signed_in(request), employee)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("admin:org_employee_change", args=[employee.pk]))
        return HttpResponseRedirect(self.record_action_url(employee, RESET_PASSWORD))

    @display(description=pgettext_lazy("person", "name"), ordering="last_name")
    def display_name(self, obj: Employee) -> str:
        return obj.get_full_name() or obj.username

    @display(description=_("active"), label={True: "success", False: "danger"})
    def active_badge(self, obj: Employee) -> tuple[bool, str]:
        return obj.is_active, str(_("Active") if obj.is_active else _("Inactive"))

    def save_model(self, request: HttpRequest, obj: Employee, form: Any, change: bool) -> None:
        editable = services.EMPLOYEE_EDITABLE
        if change:
            changed = {f: form.cleaned_data[f] for f in form.changed_data if f in editable}
            services.employee_update(
                employee=obj, actor=signed_in(request), reason=self.change_reason(form), **changed
            )
            return
        data = {f: v for f, v in form.cleaned_data.items() if f in editable}
        # Django's form turns the "usable_password" radio into "set_usable_password".
        usable = form.cleaned_data.get("set_usable_password", True)
        password = form.cleaned_data.get("password1") if usable else None
        adopt_saved(
            obj, services.employee_create(actor=signed_in(request), password=password, **data)
        )

    def deactivate_object(self, obj: Employee, actor: Employee) -> Employee:
        return services.employee_deactivate(employee=obj, actor=actor)

    def restore_object(self, obj: Employee, actor: Employee) -> Employee:
        return services.employee_restore(employee=obj, actor=actor)

    def has_transfer_permission(self, request: HttpRequest) -> bool:
        # Changing employees alone (managers) is not enough: transfers are HR's to request.
        return self.has_change_permission(request) and request.user.has_perm("org.add_transfer")

    @action(description=_("Transfer…"), permissions=["transfer"])
    def transfer_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        submitted = request.POST.get("post") == "yes"
        leaving = transfers.transfer_managers_leaving(employees=list(queryset))
        form = TransferRequestForm(
            request.POST if submitted else None,
            admin_site=self.admin_site,
            leaving=[(e, leaving[e.pk]) for e in queryset if e.pk in leaving],
        )
        done: list[Transfer] = []

        def request_one(employee: Employee, data: dict[str, Any]) -> Transfer:
            transfer = transfers.transfer_request(
                employee=employee,
                actor=signed_in(request),
                to_department=data["to_department"],
                effective_date=data["effective_date"],
                reason=data["reason"],
                # The successor is for the one department its manager leaves (the form
                # allows it only when there is one).
                new_manager=data.get("new_manager") if employee.pk in leaving else None,
            )
            done.append(transfer)
            return transfer

        return self.form_action(
            request,
            queryset,
            form=form,
            action_name="transfer_selected",
            title=_("Transfer employees"),
            intro=_transfer_intro(form),
            submit_label=_("Request transfer"),
            submit_testid="confirm-transfer",
            service=request_one,
            done=lambda n: _transfer_done(self, request, done),
            # The admin's actions.js speaks through Django's JavaScript catalogue.
            media=Media(js=[reverse("admin:jsi18n")]) + self.media + form.media,
        )


def _transfer_done(admin: "EmployeeAdmin", request: HttpRequest, done: list[Transfer]) -> str:
    """The success message; a warning first for each manager still heading the department
    they left."""
    for warning in transfers.transfer_left_managing(done):
        admin.message_user(request, warning, messages.WARNING)
    return transfers.transfer_summary(done)


def _transfer_intro(form: TransferRequestForm) -> Any:
    """The action page's question, with a warning for each manager leaving their department."""
    intro = _("Transfer these employees to another department:")
    if not form.leaving:
        return intro
    warnings = format_html_join(
        "",
        '<span class="block bg-orange-100 font-normal mt-2 px-3 py-2 rounded-default '
        'text-orange-700" data-testid="transfer-manager-warning">{}</span>',
        (
            (
                _(
                    "%(employee)s manages %(department)s and leaves it. Choose its new "
                    "manager below, or it keeps %(employee)s as its manager."
                )
                % {"employee": e.get_full_name() or e.username, "department": d},
            )
            for e, d in form.leaving
        ),
    )
    return format_html("{}{}", intro, warnings)


@admin.register(Transfer)
class TransferAdmin(ReadOnlyDomainAdmin[Transfer]):
    """Read-only list of transfers; they are requested from the employee list."""

    list_display = (
        "employee",
        "from_department",
        "to_department",
        "effective_date",
        "status_badge",
        "requested_by",
    )
    list_filter = ("status", ("effective_date", RangeDateFilter))
    list_filter_submit = True
    list_select_related = ("employee", "from_department", "to_department", "requested_by")
    search_fields = ("employee__employee_id", "employee__first_name", "employee__last_name")
    ordering = ("-effective_date", "-created_at")
    actions = ("cancel_selected",)
    fields = (
        "employee",
        "from_department",
        "to_department",
        "effective_date",
        "reason",
        "new_manager",
        "status",
        "requested_by",
        "applied_at",
        "cancelled_by",
        "cancelled_at",
    )
    readonly_fields = fields
    # "Apply due transfers now" (a POST form, for HR): runs as a background job.
    list_before_template = "admin/org/apply_due_now.html"

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("org.change_transfer")

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(require_POST(self.apply_due_view))
        return [path("apply-due/", view, name="org_transfer_apply_due"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra = {**(extra_context or {}), "can_apply_due": request.user.has_perm(APPLY_PERM)}
        return super().changelist_view(request, extra)

    def apply_due_view(self, request: HttpRequest) -> HttpResponse:
        """POST (CSRF-checked): apply the transfers due by today, as a background job."""
        if not request.user.has_perm(APPLY_PERM):
            raise PermissionDenied
        started = job_start(APPLY_DUE, user=signed_in(request), params={})
        return HttpResponseRedirect(started.url)

    @display(
        description=_("status"),
        label={
            Transfer.Status.SCHEDULED: "warning",
            Transfer.Status.APPLIED: "success",
            Transfer.Status.CANCELLED: "danger",
        },
    )
    def status_badge(self, obj: Transfer) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @action(description=_("Cancel selected"), permissions=["cancel"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self.confirmed_action(
            request,
            queryset.select_related("employee", "to_department"),
            action_name="cancel_selected",
            service=lambda transfer, actor: transfers.transfer_cancel(
                transfer=transfer, actor=actor
            ),
            title=_("Cancel transfers"),
            question=_("Cancel these transfers? The employees stay where they are."),
            done=lambda n: (
                ngettext("Cancelled %(count)d transfer.", "Cancelled %(count)d transfers.", n)
                % {"count": n}
            ),
        )
