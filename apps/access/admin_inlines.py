"""Access's panel on the employee record: the person's role assignments, read-only.

Contributed to org's employee admin through ``apps.core.admin_extensions`` (org does not
import access); registered in ``AccessConfig.ready()``.
"""

from django.contrib.admin import display
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.access import scope
from apps.access.models import RoleAssignment
from apps.access.roles import ROLE_LABELS
from apps.access.selectors import assignment_state
from apps.core.admin_extensions import ReadOnlyInline, admin_inline_register

VIEW_PERM = "access.view_roleassignment"


class RoleAssignmentInline(ReadOnlyInline):
    """Which roles the person holds, where and when; given and revoked on their own screen."""

    model = RoleAssignment
    fk_name = "user"
    verbose_name = _("role assignment")
    verbose_name_plural = _("role assignments")
    fields = ("role_name", "where", "valid_from", "valid_until", "state", "reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        queryset: QuerySet[RoleAssignment] = super().get_queryset(request)
        queryset = queryset.select_related("user", "role", "department")
        return scope.restrict(request.user, VIEW_PERM, queryset).order_by("-valid_from")

    @display(description=_("role"))
    def role_name(self, obj: RoleAssignment) -> str:
        return str(ROLE_LABELS.get(obj.role.name, obj.role.name))

    @display(description=_("department"))
    def where(self, obj: RoleAssignment) -> str:
        return str(obj.department) if obj.department is not None else str(_("organisation-wide"))

    @display(description=_("state"))
    def state(self, obj: RoleAssignment) -> str:
        # Plain text: unfold draws its badges in lists, not in an inline's read-only cells.
        return str(assignment_state(obj).label)


def inlines_register() -> None:
    admin_inline_register(model="org.Employee", inline=RoleAssignmentInline)
