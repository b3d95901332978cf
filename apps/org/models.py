"""Departments (an MPTT tree) and employees (the custom user model)."""

import uuid
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from apps.core.history import history
from apps.core.models import BaseModel
from apps.org.codes import CJK
from apps.org.tree import DepartmentManager, node_fields
from apps.org.validators import validate_department_code, validate_phone


class Department(MPTTModel, BaseModel):  # type: ignore[django-manager-missing]  # see objects
    """A unit of the organisation; scope for managers is its subtree."""

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=6,
        unique=True,
        validators=[validate_department_code],
        blank=True,
        help_text=_("2 to 6 capital letters; suggested from the name when left blank."),
    )
    parent = TreeForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    manager = models.ForeignKey(
        "org.Employee",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)

    # Declared explicitly: simple-history builds its model before mptt would add them.
    # No index of its own on the tree id: the one in Meta.indexes serves it, and every
    # index costs a write per renumbered row when a subtree moves (docs/benchmarks.md).
    lft = models.PositiveIntegerField(editable=False)
    rght = models.PositiveIntegerField(editable=False)
    tree_id = models.PositiveIntegerField(editable=False)
    level = models.PositiveIntegerField(editable=False)

    history = history(excluded_fields=list(node_fields(level=True)))

    # Annotated: mptt ships no types, so django-stubs cannot follow its runtime manager
    # class (nor derive the reverse managers, parent.children and manager.managed_departments,
    # from it: the two targeted ignores on the model classes).
    objects: "DepartmentManager[Department]" = DepartmentManager()

    class MPTTMeta:
        order_insertion_by = ["name"]

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        # mptt adds this index at run time without a migration (see pitfalls).
        indexes = [models.Index(fields=["tree_id", "lft"], name="org_dept_tree_lft_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2,6}$"), name="org_dept_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Organisation:
    """The whole organisation as the object of a permission check: the place above the roots.

    ``actor.has_perm(perm, ORGANISATION)`` holds only where ``perm`` is held
    organisation-wide (the auth backend answers it), never through a department subtree:
    creating a top-level department, or moving one to the top, cuts across every scope.
    """

    pk = None

    def __str__(self) -> str:
        return str(_("the whole organisation"))


ORGANISATION = Organisation()

# Asked as ``actor.has_perm(ACCOUNT_PERM, employee)``: may the actor change this person's
# sign-in details, contact address, activation, devices or sessions? Not a stored
# permission: the auth backend answers by rank (apps.access.ranks), not by scope.
ACCOUNT_PERM = "org.manage_account"

# The employee fields that make up the account rather than HR data.
ACCOUNT_FIELDS = frozenset(
    {"username", "email", "phone", "is_active", "is_staff", "is_superuser", "password"}
)


class Employee(AbstractUser):  # type: ignore[django-manager-missing]  # see Department.objects
    """A person in the organisation, and the account they sign in with."""

    # Not columns. django-otp's OTPMiddleware gives a request's user ``is_verified()``;
    # simple-history reads ``_history_user`` as the author of the next history row.
    is_verified: Callable[[], bool]
    _history_user: "Employee | None"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    employee_id = models.CharField(
        _("employee ID"),
        max_length=20,
        unique=True,
        blank=True,
        help_text=_("Generated when left blank."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    position = models.CharField(_("position"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    # Whom to call if something happens to the person at work: HR data, not the account.
    emergency_contact_name = models.CharField(
        _("emergency contact name"), max_length=120, blank=True
    )
    emergency_contact_relationship = models.CharField(
        _("relationship"),
        max_length=60,
        blank=True,
        help_text=_("How the contact is related to the employee, for example spouse or parent."),
    )
    emergency_contact_phone = models.CharField(
        _("emergency contact phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    salary = models.DecimalField(
        _("salary"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    # The hash is not history worth keeping; when it changed, and who changed it, is.
    password_changed_at = models.DateTimeField(
        _("password last changed"), null=True, blank=True, editable=False
    )
    # The account named on changes no person made (seeds, scheduled jobs, a shell). A flag
    # rather than a fixed primary key: existing databases already have that account, and
    # giving it a new key would rewrite every sealed audit row that names it. Never its
    # username: anyone may be renamed "system" (apps.core.history.system_actor).
    is_system = models.BooleanField(_("system account"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Password hashes and login times are not history worth keeping; nor is the system
    # flag, set once on one account (and leaving it out keeps the versions' columns).
    history = history(excluded_fields=["password", "last_login", "is_system"])

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        permissions = [
            ("view_salary", _("Can view salary")),
            ("change_salary", _("Can change salary")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(salary__gte=0) | models.Q(salary__isnull=True),
                name="org_employee_salary_not_negative",
            ),
            models.UniqueConstraint(
                fields=["is_system"],
                condition=models.Q(is_system=True),
                name="org_employee_one_system_account",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "is_active"], name="org_emp_dept_active_idx"),
        ]

    def __str__(self) -> str:
        if self.is_system:
            return gettext("system")
        full = self.get_full_name()
        return f"{full} ({self.employee_id})" if full else self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self.password_changed_at = timezone.now()

    def get_full_name(self) -> str:
        """Chinese names read family name first, with no space (王伟); others given name first."""
        if CJK.search(self.first_name + self.last_name):
            return f"{self.last_name}{self.first_name}".strip()
        return super().get_full_name()


class Transfer(BaseModel):
    """A move of one employee to another department, on a given date."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        APPLIED = "applied", _("applied")
        CANCELLED = "cancelled", _("cancelled")

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="transfers"
    )
    # Null when the employee had no department yet (a first placement).
    from_department = models.ForeignKey(
        Department,
        verbose_name=_("from department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_department = models.ForeignKey(
        Department,
        verbose_name=_("to department"),
        on_delete=models.PROTECT,
        related_name="transfers_in",
        # Also what the admin's department autocomplete offers.
        limit_choices_to={"is_active": True},
    )
    effective_date = models.DateField(_("effective date"))
    reason = models.TextField(_("reason"), max_length=2000)
    requested_by = models.ForeignKey(
        Employee,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="requested_transfers",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        Employee,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cancelled_transfers",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Who takes over the department the employee leaves, when they manage it; set on
    # that department together with the move (apps.org.transfers).
    new_manager = models.ForeignKey(
        Employee,
        verbose_name=_("new manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="succeeding_transfers",
        limit_choices_to={"is_active": True, "is_system": False},
    )

    history = history()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-effective_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee"],
                condition=models.Q(status="scheduled"),
                name="org_transfer_one_scheduled_per_employee",
                violation_error_message=_("This employee already has a scheduled transfer."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "effective_date"], name="org_transfer_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} → {self.to_department} ({self.effective_date})"
