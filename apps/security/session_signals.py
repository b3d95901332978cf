"""Keep the session mirror in step with sign-ins, sign-outs and deactivations."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save

from apps.org.models import Employee
from apps.security import sessions


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.session_started(request, user)


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.session_signed_out(request.session.session_key)


def _saved(sender: Any, instance: Employee, created: bool, **kwargs: Any) -> None:
    if not created and not instance.is_active:
        sessions.sessions_end_all(instance, sessions.ENDED_DEACTIVATED)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="security-session-started")
    user_logged_out.connect(_logged_out, dispatch_uid="security-session-ended")
    post_save.connect(_saved, sender=Employee, dispatch_uid="security-session-deactivated")
