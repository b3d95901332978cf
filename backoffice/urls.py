"""URLs: the admin is the product; / redirects there."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from apps.core import views as core_views
from apps.security import session_views
from apps.security import views as security_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("health/", core_views.health, name="health"),
    path("ready/", core_views.ready, name="ready"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The sign-in's second step and enrollment come before the admin's own URLs; the
    # second-factor middleware lets a half-signed-in user reach only these.
    path("admin/verify/", security_views.VerifyView.as_view(), name="security_verify"),
    path("admin/enroll/", security_views.EnrollView.as_view(), name="security_enroll"),
    path(
        "admin/backup-codes/",
        admin.site.admin_view(security_views.BackupCodesView.as_view()),
        name="security_backup_codes",
    ),
    path(
        "admin/sessions/",
        admin.site.admin_view(session_views.MySessionsView.as_view()),
        name="security_my_sessions",
    ),
    path("admin/notifications/", include("apps.notifications.urls")),
    path("admin/tasks/", include("apps.jobs.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
