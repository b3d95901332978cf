from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from apps.core import unfold_rows

        # Faster changelist rows, same HTML (issue 13 §6; see the module).
        unfold_rows.apply()
