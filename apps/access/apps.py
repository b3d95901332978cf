from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "apps.access"
    verbose_name = _("Access")

    def ready(self) -> None:
        from apps.access import signals  # noqa: F401  (connects the grant loggers)
        from apps.access.actions import permission_log_store

        permission_log_store()  # the trail and the chain know its kinds from the start
