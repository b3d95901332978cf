"""Roles, role assignments and the permission log in the admin."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import action, display

from apps.access import role_pages, services
from apps.access.directory_views import directory_urls
from apps.access.models import PermissionLog, RoleAssignment
from apps.access.role_pages import role_label
from apps.access.selectors import roles_assignable
from apps.access.views import explain_urls
from apps.core.admin import (
    DomainAdmin,
    ReadOnlyLogAdmin,
    ReasonForm,
    adopt_saved,
    reason_widget,
)
from apps.core.admin_extensions import admin_pages_register
from apps.core.texts import text_shown
from apps.core.types import signed_in

admin.site.unregister(Group)
# The people directory lives under the employees: admin/org/employee/directory/.
admin_pages_register(model="org.Employee", urls=directory_urls)


class RoleFilter(admin.RelatedFieldListFilter):
    """The role filter, with role names in the reader's language."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[Any]:
        choices = super().field_choices(field, request, model_admin)
        return [(pk, role_label(str(name))) for pk, name in choices]


class RolePaginator(Paginator):
    """The roles list says "6 roles" (unfold includes a paginator's own template)."""

    template_name = "admin/access/role_pagination.html"


@admin.register(Group)
class RoleAdmin(DjangoGroupAdmin, ReadOnlyLogAdmin[Group]):  # type: ignore[misc]  # guardian vs django-stubs (apps.core.admin)
    """Roles, read-only: their permissions are the matrix in roles.py (and
    docs/permissions.md), so an edit here would silently disagree with both. A role's
    page shows what it may do (``role_pages``)."""

    show_full_result_count = True  # a handful of rows
    list_display = ("role_name", "members", "description")
    paginator = RolePaginator
    search_fields = ("name",)
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        return role_pages.roles_with_members(super().get_queryset(request))

    @display(description=_("role"), ordering="name")
    def role_name(self, obj: Group) -> str:
        return role_pages.role_label(obj.name)

    @display(description=_("members"), ordering="members")
    def members(self, obj: Group) -> int:
        return int(getattr(obj, "members", 0))

    @display(description=_("description"))
    def description(self, obj: Group) -> str:
        return role_pages.role_description(obj.name) or "—"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        roles = _("Roles")
        context = {"title": roles, "crumbs": [(roles, None)], **(extra_context or {})}
        return super().changelist_view(request, context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The role's page: what it may do, read from the matrix (nothing to edit)."""
        if not self.has_view_permission(request) or request.method not in ("GET", "HEAD"):
            raise PermissionDenied  # read-only: nothing to post
        if not object_id.isascii() or not object_id.isdigit() or len(object_id) > 12:
            raise Http404(_("No such role."))
        group = self.get_queryset(request).filter(pk=int(object_id)).first()
        if group is None:
            raise Http404(_("No such role."))
        label = role_pages.role_label(group.name)
        roles_url = reverse("admin:auth_group_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": label,
            "crumbs": [(_("Roles"), roles_url), (label, None)],
            "role": group,
            "role_label": label,
            "description": role_pages.role_description(group.name),
            "rights": role_pages.role_rights(group),
            "members": getattr(group, "members", 0),
            "assignments_url": f"{reverse('admin:access_roleassignment_changelist')}"
            f"?role__id__exact={group.pk}",
            "may_list_assignments": request.user.has_perm("access.view_roleassignment"),
        }
        return TemplateResponse(request, "admin/access/role.html", context)


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "department", "valid_from", "valid_until", "reason")
        widgets = {"reason": reason_widget(rows=2)}


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(DomainAdmin[RoleAssignment]):
    """Assignments are created and revoked, never edited: the log stays true."""

    form = RoleAssignmentForm
    list_display = (
        "user",
        "role_label",
        "department",
        "valid_from",
        "valid_until",
        "state_badge",
        "assigned_by",
    )
    list_filter = (("role", RoleFilter), ("valid_from", RangeDateTimeFilter))
    list_filter_submit = True
    list_select_related = ("user", "role", "department", "assigned_by")
    search_fields = ("user__username", "user__first_name", "user__last_name", "role__name")
    ordering = ("-valid_from",)
    autocomplete_fields = ("user", "department")
    actions = ("revoke_selected",)
    fields = ("user", "role", "department", "valid_from", "valid_until", "reason")
    readonly_fields = ("assigned_by",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            # Read-only once made: the role shown by its name in the reader's language.
            return tuple("role_label" if f == "role" else f for f in self.fields)
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return (*self.get_fields(request, obj), "assigned_by")
        return ()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"valid_from": timezone.now().replace(second=0, microsecond=0)}

    def get_urls(self) -> list[URLPattern]:
        # Before the inherited ones: their "<path:object_id>/" would swallow "explain/".
        return [*explain_urls(self), *super().get_urls()]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            kwargs["queryset"] = roles_assignable(signed_in(request)).order_by("name")
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "role" and formfield is not None:
            # The choices show role names in the reader's language.
            formfield.label_from_instance = lambda group: role_label(group.name)
        return formfield

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Existing assignments are read-only; "change" is the right to revoke them.
        return obj is None and super().has_change_permission(request)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.REVOKE_PERM)

    @display(description=_("role"))
    def role_label(self, obj: RoleAssignment) -> str:
        return role_label(obj.role.name)

    @display(
        description=_("state"),
        label={"current": "success", "future": "info", "ended": "danger"},
    )
    def state_badge(self, obj: RoleAssignment) -> tuple[str, str]:
        now = timezone.now()
        if not obj.is_active or (obj.valid_until and obj.valid_until <= now):
            return "ended", str(_("ended"))
        if obj.valid_from > now:
            return "future", str(_("not yet valid"))
        return "current", str(_("current"))

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        if change:
            raise ValidationError(_("Role assignments cannot be edited; revoke and assign again."))
        data = {f: form.cleaned_data.get(f) for f in self.fields}
        adopt_saved(obj, services.assignment_create(actor=signed_in(request), **data))

    @action(description=_("Revoke…"), permissions=["revoke"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        submitted = request.POST.get("post") == "yes"
        return self.form_action(
            request,
            queryset.select_related("user", "role", "department"),
            form=ReasonForm(request.POST if submitted else None),
            action_name="revoke_selected",
            title=_("Revoke role assignments"),
            intro=_("End these role assignments now:"),
            submit_label=_("Revoke"),
            submit_testid="confirm-revoke",
            service=lambda assignment, data: services.assignment_revoke(
                assignment=assignment, actor=signed_in(request), reason=data["reason"]
            ),
            done=lambda n: (
                ngettext("Revoked %(count)d assignment.", "Revoked %(count)d assignments.", n)
                % {"count": n}
            ),
        )


@admin.register(PermissionLog)
class PermissionLogAdmin(ReadOnlyLogAdmin[PermissionLog]):
    """Read-only: entries are written by the access services, never by hand."""

    list_display = (
        "at",
        "action",
        "user",
        "role_shown",
        "department",
        "permission",
        "shown_target",
        "actor",
    )
    list_filter = ("action", ("at", RangeDateTimeFilter))
    list_filter_submit = True
    list_select_related = ("user", "role", "department", "actor")
    search_fields = ("user__username", "actor__username", "target", "permission")
    ordering = ("-at", "-id")
    list_per_page = 50
    # The object is stored as a text translated when shown (``services.target_stored``),
    # on the list and on the entry's page alike.
    exclude = ("target",)
    readonly_fields = ("shown_target",)

    @display(description=_("role"), ordering="role__name")
    def role_shown(self, obj: PermissionLog) -> str:
        return role_label(obj.role.name) if obj.role else "—"

    @display(description=_("object"), ordering="target")
    def shown_target(self, obj: PermissionLog) -> str:
        return text_shown(obj.target)
