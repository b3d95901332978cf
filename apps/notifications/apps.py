from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from apps.core import live
        from apps.core.registry import model_register
        from apps.notifications import receivers
        from apps.notifications.models import Announcement
        from apps.notifications.selectors import AUDIENCE, audience_may_join

        receivers.connect()
        live.topic_kind_register(AUDIENCE, audience_may_join)
        # An announcement reaches its audience's department; everyone's has none, and
        # only organisation-wide rights reach it.
        model_register(Announcement, scope_paths=("department",))
        _register_sidebar()


def _register_sidebar() -> None:
    from apps.core.registry import SidebarEntry, sidebar_entry_register

    sidebar_entry_register(
        section="overview",
        entry=SidebarEntry(_("Notifications"), "notifications", "notifications_centre", order=40),
    )
    sidebar_entry_register(
        section="org",
        entry=SidebarEntry(
            _("Announcements"),
            "campaign",
            "admin:notifications_announcement_changelist",
            "notifications.view_announcement",
            order=90,
        ),
    )
