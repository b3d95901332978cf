from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "apps.access"
    verbose_name = _("Access")

    def ready(self) -> None:
        from apps.access import fields, signals  # noqa: F401  (signals: the grant loggers)
        from apps.access.actions import permission_log_store
        from apps.access.models import RoleAssignment
        from apps.core.registry import fields_answer_register, model_register

        permission_log_store()  # the trail and the chain know its kinds from the start

        # As the scope reaches an assignment: through the person holding it.
        model_register(RoleAssignment, scope_paths=("user__department",))
        fields_answer_register(fields.fields_never_visible)
        _register_sidebar()

        from apps.access.admin_inlines import inlines_register

        inlines_register()  # the role assignments on the employee record


def _register_sidebar() -> None:
    from apps.core.registry import (
        SidebarEntry,
        active_under,
        sidebar_entry_register,
        sidebar_section_register,
    )

    assignments = "admin:access_roleassignment_changelist"
    explain = "admin:access_roleassignment_explain"
    sidebar_section_register(
        "access",
        title=_("Access"),
        order=20,
        entries=(
            SidebarEntry(_("Roles"), "group", "admin:auth_group_changelist", "auth.view_group"),
            SidebarEntry(
                _("Role assignments"),
                "assignment_ind",
                assignments,
                "access.view_roleassignment",
                # "Explain access" lives under the assignment URLs and has its own entry.
                active=active_under(assignments, except_under=(explain,)),
            ),
            SidebarEntry(
                _("Permission log"),
                "receipt_long",
                "admin:access_permissionlog_changelist",
                "access.view_permissionlog",
            ),
            SidebarEntry(_("Explain access"), "policy", explain, "access.view_roleassignment"),
        ),
    )
    # Everyone's phone book of colleagues (apps.access.directory decides what it shows).
    sidebar_entry_register(
        section="overview",
        entry=SidebarEntry(
            _("People directory"), "contacts", "admin:org_employee_directory", order=20
        ),
    )
