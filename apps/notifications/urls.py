"""The notification centre's URLs, under /admin/notifications/ (admin sign-in applies)."""

from django.contrib import admin
from django.urls import URLPattern, path

from apps.notifications import views

_a = admin.site.admin_view

urlpatterns: list[URLPattern] = [
    path("", _a(views.CentreView.as_view()), name="notifications_centre"),
    path("feed/", _a(views.feed), name="notifications_feed"),
    path("read-all/", _a(views.read_all), name="notifications_read_all"),
    path("<uuid:pk>/open/", _a(views.open_notification), name="notifications_open"),
    path("announcements/", _a(views.announcements_showing), name="announcements_showing"),
    path("announcements/dismiss/", _a(views.announcement_dismiss), name="announcements_dismiss"),
]
