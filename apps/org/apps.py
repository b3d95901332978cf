from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "apps.org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        _register_models()
        _register_sidebar()
        from apps.org.job_kinds import register

        register()  # "Apply due transfers now", a background job


def _register_models() -> None:
    from apps.core.registry import ProtectedField, model_register
    from apps.org.models import Department, Employee, Transfer
    from apps.org.money import salary_format
    from apps.org.services import EMPLOYEE_DETAIL_FIELDS

    model_register(
        Department,
        scope_paths=("",),
        move_field="parent",
        revert_fields=("name", "code", "parent", "manager", "description", "is_active"),
    )
    model_register(
        Employee,
        scope_paths=("department",),
        # Salary has its own permissions, scoped like any other.
        protected=(ProtectedField("salary", "org.view_salary", "org.change_salary"),),
        move_field="department",
        # Account fields (username, password, staff and superuser flags) are not put back
        # by a revert: they have their own screens and rules.
        revert_fields=(*EMPLOYEE_DETAIL_FIELDS, "is_active"),
        # History, the trail and its exports write a salary as money.
        displays=(("salary", salary_format),),
    )
    model_register(Transfer, scope_paths=("from_department", "to_department"))


def _register_sidebar() -> None:
    from apps.core.registry import (
        SidebarEntry,
        active_under,
        sidebar_entry_register,
        sidebar_section_register,
    )

    departments = "admin:org_department_changelist"
    chart, tree = "admin:org_department_chart", "admin:org_department_tree"
    employees, me = "admin:org_employee_changelist", "admin:org_employee_me"
    directory = "admin:org_employee_directory"  # mounted by apps.access
    sidebar_section_register(
        "org",
        title=_("Organisation"),
        order=10,
        entries=(
            # The chart and tree live under the department URLs; only one entry lights up.
            SidebarEntry(
                _("Departments"),
                "table_rows",
                departments,
                "org.view_department",
                active=active_under(departments, except_under=(chart, tree)),
            ),
            SidebarEntry(_("Department tree"), "account_tree", tree, "org.view_department"),
            SidebarEntry(
                _("Employees"),
                "badge",
                employees,
                "org.view_employee",
                # "My profile" and the people directory live under the employee URLs.
                active=active_under(employees, except_under=(me, directory)),
            ),
            SidebarEntry(
                _("Transfers"), "swap_horiz", "admin:org_transfer_changelist", "org.view_transfer"
            ),
        ),
    )
    # Everyone's: their own profile and the org chart (names and managers; apps.access
    # decides what each reader sees of it).
    for entry in (
        SidebarEntry(_("My profile"), "person", me, order=10),
        SidebarEntry(_("Org chart"), "lan", chart, order=30),
    ):
        sidebar_entry_register(section="overview", entry=entry)
