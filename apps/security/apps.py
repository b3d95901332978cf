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

        from apps.security.actions import security_action_store

        security_action_store()  # the trail and the chain know its kinds from the start
