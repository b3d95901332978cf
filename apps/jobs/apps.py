from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobsConfig(AppConfig):
    name = "apps.jobs"
    verbose_name = _("Jobs")

    def ready(self) -> None:
        from apps.core import live
        from apps.core.jobs import job_starter_register
        from apps.core.registry import (
            SidebarEntry,
            sidebar_entry_register,
            sidebar_section_register,
        )
        from apps.jobs import beat_admin  # noqa: F401 - beat's admins, in our look and rules
        from apps.jobs.dashboard import PERMISSION
        from apps.jobs.dashboard_push import TOPIC, tasks_may_join
        from apps.jobs.selectors import job_may_join
        from apps.jobs.services import job_start_answer

        # Lower apps' views start jobs through apps.core.jobs.job_start.
        job_starter_register(job_start_answer)
        # job:<id>: the person who asked, and those who see every job.
        live.topic_kind_register("job", job_may_join)
        # Everyone's (their own jobs): no permission, like "My profile".
        sidebar_entry_register(
            section="overview",
            entry=SidebarEntry(_("Jobs"), "pending_actions", "admin:jobs_job_changelist", order=40),
        )
        # The Tasks page (workers, queues, periodic tasks) and its live feed: operators only.
        live.topic_kind_register(TOPIC, tasks_may_join)
        sidebar_section_register(
            "operations",
            title=_("Operations"),
            order=60,
            entries=(
                SidebarEntry(
                    pgettext_lazy("task dashboard", "Tasks"),
                    "monitor_heart",
                    "jobs_task_dashboard",
                    PERMISSION,
                ),
            ),
        )
