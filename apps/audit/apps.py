from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "apps.audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from apps.audit import checks, signals  # noqa: F401  (deploy check; history -> entries)
        from apps.audit.models import AuditEntry
        from apps.audit.receivers import connect
        from apps.core.registry import SidebarEntry, model_register, sidebar_section_register

        connect()  # logged actions -> entries

        # The export, the verification and the archive run as background jobs.
        from apps.audit.job_kinds import register

        register()

        # An entry is in scope where the object's department (at the time) is.
        model_register(AuditEntry, scope_paths=("department", "department_other"))
        sidebar_section_register(
            "audit",
            title=_("Audit"),
            order=30,
            entries=(
                SidebarEntry(
                    _("Audit trail"),
                    "manage_search",
                    "admin:audit_auditentry_changelist",
                    "audit.view_auditentry",
                ),
                SidebarEntry(
                    _("Trail exports"),
                    "download",
                    "admin:audit_trailexport_changelist",
                    "audit.view_trailexport",
                ),
                SidebarEntry(
                    _("Chain verifications"),
                    "verified",
                    "admin:audit_verificationrun_changelist",
                    "audit.view_verificationrun",
                ),
                # Where administrators start an archive (a background job).
                SidebarEntry(
                    _("Audit archives"),
                    "inventory_2",
                    "admin:audit_chainarchive_changelist",
                    "audit.view_chainarchive",
                ),
            ),
        )
