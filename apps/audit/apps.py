from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "apps.audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from apps.access.scope import scope_register
        from apps.audit import checks, signals  # noqa: F401  (deploy check; history -> entries)
        from apps.audit.models import AuditEntry
        from apps.audit.receivers import connect

        connect()  # logged actions -> entries

        # An entry is in scope where the object's department (at the time) is.
        scope_register(AuditEntry, ("department", "department_other"))
