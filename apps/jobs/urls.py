"""The Tasks page's URLs, under /admin/tasks/ (admin sign-in applies)."""

from django.contrib import admin
from django.urls import URLPattern, path

from apps.jobs import dashboard_views

_a = admin.site.admin_view

urlpatterns: list[URLPattern] = [
    path("", _a(dashboard_views.task_dashboard), name="jobs_task_dashboard"),
    path("probes/", _a(dashboard_views.task_dashboard_probes), name="jobs_task_dashboard_probes"),
]
