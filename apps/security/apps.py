from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "apps.security"
    verbose_name = _("Security")

    def ready(self) -> None:
        from apps.security import signals

        signals.connect()

        from apps.security import session_signals

        session_signals.connect()

        from apps.security import receivers

        receivers.connect()
