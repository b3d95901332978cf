from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from apps.core import unfold_rows
        from apps.core.registry import SidebarEntry, sidebar_section_register

        sidebar_section_register(
            "overview",
            title=_("Overview"),
            order=0,
            separator=False,
            entries=(SidebarEntry(_("Home"), "home", "admin:index"),),
        )

        # Faster changelist rows, same HTML (issue 13 §6; see the module).
        unfold_rows.apply()
