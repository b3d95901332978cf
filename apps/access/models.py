"""Role assignments (who holds which role, where and when) and the permission log."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.history import history
from apps.core.models import BaseModel


class RoleAssignment(BaseModel):
    """``user`` holds ``role`` from ``valid_from`` until ``valid_until`` (open-ended if empty).

    With a department the role's permissions reach that department's subtree only;
    without one they are organisation-wide. The rights follow the validity window at
    the moment of every check; group membership is only a tidy mirror of it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    role = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("role")
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("department"),
        help_text=_("Empty: organisation-wide. Otherwise the department and everything under it."),
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    reason = models.CharField(_("reason"), max_length=500)
    # Set once the expiry has been written to the permission log (by the tidy task).
    expiry_logged = models.BooleanField(default=False, editable=False)

    history = history(excluded_fields=["expiry_logged"])

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        indexes = [models.Index(fields=["user", "valid_from"], name="access_assign_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="access_assign_window",
                violation_error_message=_("“Valid until” must be after “valid from”."),
            )
        ]

    def __str__(self) -> str:
        where = self.department.name if self.department is not None else _("organisation-wide")
        return f"{self.user} — {self.role} ({where})"


class PermissionLog(models.Model):
    """One grant, revocation, expiry or refused access. Written by services only."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("granted")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")
        DENIED = "denied", _("access refused")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="permission_logs",
        verbose_name=_("whose access"),
    )
    role = models.ForeignKey(
        Group,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("role"),
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    assignment = models.ForeignKey(
        RoleAssignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="log",
        verbose_name=_("assignment"),
    )
    permission = models.CharField(_("permission"), max_length=150, blank=True)
    target = models.CharField(_("object"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("permission log entry")
        verbose_name_plural = _("permission log")
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=["user", "-at"], name="access_log_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.user or ''}"
