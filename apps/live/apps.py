from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "apps.live"
    verbose_name = _("Live updates")

    def ready(self) -> None:
        from apps.live import topics

        topics.register()
