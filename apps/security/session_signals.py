"""Keep the session mirror in step with sign-ins, sign-outs, deactivations and devices."""

from typing import Any

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django_otp.models import Device

from apps.org.models import Employee
from apps.security import sessions


def _logged_in(sender: Any, request: HttpRequest | None, user: Employee, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.session_started(request, user)


def _logged_out(
    sender: Any, request: HttpRequest | None, user: Employee | None, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.session_signed_out(request.session.session_key)


def _saved(sender: Any, instance: Employee, created: bool, **kwargs: Any) -> None:
    if not created and not instance.is_active:
        sessions.sessions_end_all(instance, sessions.ENDED_DEACTIVATED)


def _device_deleted(sender: Any, instance: Device, **kwargs: Any) -> None:
    sessions.sessions_unverify(instance.user_id)


def _device_saved(sender: Any, instance: Device, raw: bool = False, **kwargs: Any) -> None:
    # A confirmed device saved is a code being checked (throttle, last step): no change.
    if not raw and not instance.confirmed:
        sessions.sessions_unverify(instance.user_id)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="security-session-started")
    user_logged_out.connect(_logged_out, dispatch_uid="security-session-ended")
    post_save.connect(_saved, sender=Employee, dispatch_uid="security-session-deactivated")
    # Sessions keep "verified" (sessions.VERIFIED_KEY); a device removed or unconfirmed
    # takes it back from every session of its owner.
    for model in apps.get_models():
        if issubclass(model, Device):
            label = model._meta.label_lower
            post_delete.connect(
                _device_deleted, sender=model, dispatch_uid=f"security-unverify-del-{label}"
            )
            post_save.connect(
                _device_saved, sender=model, dispatch_uid=f"security-unverify-save-{label}"
            )
