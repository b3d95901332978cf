"""django-celery-beat's screens (periodic tasks and their schedules) in unfold's look.

Beat's own admins are unregistered and registered again as subclasses of theirs and of our
``DomainAdmin`` (their forms and actions first, our base last), as unfold documents for
django-celery-beat. Who may edit: the role matrix gives beat's permissions to
administrators only (``apps.access.roles.BEAT_PERMS``). Beat's models are third-party and
keep no history of their own (simple-history is not on them): their History page is
Django's own log of the admin's edits, and simple-history's version pages are a 404.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from apps.core.admin import DomainAdmin

for model in (PeriodicTask, IntervalSchedule, CrontabSchedule, SolarSchedule, ClockedSchedule):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class UnfoldTaskSelectWidget(UnfoldAdminSelectWidget, beat.TaskSelectWidget):
    pass


class UnfoldPeriodicTaskForm(beat.PeriodicTaskForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task"].widget = UnfoldAdminTextInputWidget()
        self.fields["regtask"].widget = UnfoldTaskSelectWidget()


class _NoHistory:
    """Django's history page (the admin's log entries) instead of simple-history's."""

    object_history_template = "admin/object_history.html"

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied  # before the lookup, as every other page here answers
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)  # type: ignore[arg-type]

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        raise Http404(_("This record keeps no history."))


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(beat.PeriodicTaskAdmin, DomainAdmin[PeriodicTask]):
    form = UnfoldPeriodicTaskForm
    # Beat's enable / disable / toggle / run act at once, without the confirmation every
    # action of ours asks for: edit the task (its "enabled" box) instead.
    actions: Sequence[str] = ()
    # Beat's own form template runs an inline script, which our CSP refuses: ours instead.
    change_form_template = DomainAdmin.change_form_template  # type: ignore[misc]  # guardian vs django-stubs (apps/core/admin.py)
    history_view = _NoHistory.history_view
    history_form_view = _NoHistory.history_form_view
    object_history_template = _NoHistory.object_history_template


@admin.register(IntervalSchedule)
class IntervalScheduleAdmin(beat.IntervalScheduleAdmin, DomainAdmin[IntervalSchedule]):
    history_view = _NoHistory.history_view
    history_form_view = _NoHistory.history_form_view
    object_history_template = _NoHistory.object_history_template


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(beat.CrontabScheduleAdmin, DomainAdmin[CrontabSchedule]):
    history_view = _NoHistory.history_view
    history_form_view = _NoHistory.history_form_view
    object_history_template = _NoHistory.object_history_template


@admin.register(SolarSchedule)
class SolarScheduleAdmin(beat.SolarScheduleAdmin, DomainAdmin[SolarSchedule]):
    history_view = _NoHistory.history_view
    history_form_view = _NoHistory.history_form_view
    object_history_template = _NoHistory.object_history_template


@admin.register(ClockedSchedule)
class ClockedScheduleAdmin(beat.ClockedScheduleAdmin, DomainAdmin[ClockedSchedule]):
    history_view = _NoHistory.history_view
    history_form_view = _NoHistory.history_form_view
    object_history_template = _NoHistory.object_history_template
