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
        _register_sidebar()

        from apps.security.record_actions import record_actions_register

        record_actions_register()  # end sessions, reset devices: on the employee record


def _register_sidebar() -> None:
    from apps.core.registry import SidebarEntry, sidebar_section_register

    sidebar_section_register(
        "security",
        title=_("Security"),
        order=40,
        entries=(
            SidebarEntry(
                _("Login events"),
                "login",
                "admin:security_loginevent_changelist",
                "security.view_loginevent",
            ),
            SidebarEntry(
                _("Lockouts"),
                "lock_person",
                "admin:security_lockout_changelist",
                "security.unlock_user",
            ),
            SidebarEntry(
                _("Sessions"),
                "devices",
                "admin:security_usersession_changelist",
                "security.view_usersession",
            ),
            SidebarEntry(
                _("Security actions"),
                "shield_person",
                "admin:security_securityaction_changelist",
                "security.view_securityaction",
            ),
        ),
    )
