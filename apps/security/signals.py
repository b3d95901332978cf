"""Receivers that turn Django's and django-axes' sign-in signals into login events.

Connected in ``SecurityConfig.ready()``, after django-axes connected its own (axes comes
first in INSTALLED_APPS): by the time ``on_login_failed`` runs, axes has counted the
failure and flagged ``request.axes_locked_out`` when it locked (and sent
``user_locked_out``, recorded by ``on_locked_out``). The rules are in
``apps.security.events`` and, for which lock holds, ``apps.security.lockout``.
"""

from typing import Any

from axes.conf import settings as axes_settings  # Django's settings, with axes' defaults
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from apps.org.models import Employee
from apps.security import events, lockout
from apps.security.models import LoginEvent

# The views send user_login_failed for a wrong code or proof (for axes) and record it
# themselves.
CODE_STEP_SENDER = "apps.security.views"


def on_logged_in(sender: Any, request: HttpRequest | None, user: Employee, **kwargs: Any) -> None:
    """A success for people without a code step; the others succeed after the code."""
    if request is None or events.needs_code_step(user):
        return
    events.event_record(
        request=request, outcome=LoginEvent.Outcome.SUCCESS, username=user.get_username(), user=user
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A wrong password (not when axes refused or locked this attempt: that is a lockout)."""
    if request is None or sender == CODE_STEP_SENDER:
        return
    if getattr(request, "axes_locked_out", False):
        return
    username = str(credentials.get("username") or "")
    events.event_record(request=request, outcome=LoginEvent.Outcome.BAD_PASSWORD, username=username)


def on_locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    """A lockout, with the lock it hit: this username from this address, or the address."""
    if request is None:
        return
    credentials = getattr(request, "axes_credentials", None) or {
        axes_settings.AXES_USERNAME_FORM_FIELD: username
    }
    events.event_record(
        request=request,
        outcome=LoginEvent.Outcome.LOCKED_OUT,
        username=str(username or ""),
        lock=lockout.lock_reached(request, credentials) or "",
    )


def on_logged_out(
    sender: Any, request: HttpRequest | None, user: Employee | None, **kwargs: Any
) -> None:
    """A logout ends a completed sign-in; the end of a half-signed-in session is not one."""
    if request is None or user is None:
        return
    verified = getattr(user, "is_verified", None)
    if not (callable(verified) and verified()) and events.needs_code_step(user):
        return
    events.event_record(
        request=request, outcome=LoginEvent.Outcome.LOGOUT, username=user.get_username(), user=user
    )


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="security_events_logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="security_events_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="security_events_locked_out")
    user_logged_out.connect(on_logged_out, dispatch_uid="security_events_logged_out")
