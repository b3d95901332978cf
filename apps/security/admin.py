"""Security screens in the admin. django-otp's own device admins are removed: people manage
their devices on their own pages, and security officers reset them with a reason."""

from django.contrib import admin
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for _model in (TOTPDevice, StaticDevice, EmailDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
from apps.security import (  # noqa: E402,F401
    admin_devices,
    admin_events,
    admin_lockouts,
)
