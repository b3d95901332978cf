"""The announcements' screens (HR and administrators); they call the services."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import display
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.core.admin import SoftDeleteDomainAdmin, adopt_saved
from apps.core.types import signed_in
from apps.notifications import services
from apps.notifications.models import Announcement
from apps.org.models import Employee

FIELDS = ("title", "body", "department", "starts_at", "ends_at")


class AnnouncementForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Announcement
        fields = FIELDS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.announcement_check(
                title=data.get("title") or "",
                body=data.get("body") or "",
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                if name not in self.errors:  # the field's own check already said it
                    self.add_error(name, errors)
        return data


@admin.register(Announcement)
class AnnouncementAdmin(SoftDeleteDomainAdmin[Announcement]):
    form = AnnouncementForm
    fields = FIELDS
    list_display = ("title", "audience", "starts_at", "ends_at", "published_by", "active_badge")
    list_select_related = ("department", "published_by")
    search_fields = ("title",)
    autocomplete_fields = ("department",)
    ordering = ("-starts_at",)

    @display(description=_("audience"))
    def audience(self, obj: Announcement) -> str:
        return obj.department.name if obj.department else str(_("Everyone"))

    @display(description=_("active"), boolean=True)
    def active_badge(self, obj: Announcement) -> bool:
        return obj.is_active

    def save_model(self, request: HttpRequest, obj: Announcement, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in FIELDS if f in form.cleaned_data}
        actor = signed_in(request)
        if change:
            changed = {f: data[f] for f in form.changed_data if f in data}
            services.announcement_update(
                announcement=obj, actor=actor, reason=self.change_reason(form), **changed
            )
        else:
            adopt_saved(obj, services.announcement_publish(actor=actor, **data))

    def deactivate_object(self, obj: Announcement, actor: Employee) -> Announcement:
        return services.announcement_update(announcement=obj, actor=actor, is_active=False)

    def restore_object(self, obj: Announcement, actor: Employee) -> Announcement:
        return services.announcement_update(announcement=obj, actor=actor, is_active=True)
