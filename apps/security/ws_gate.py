"""The HTTP sign-in gate, for WebSockets.

WebSockets skip the HTTP middleware (docs: pitfalls): Channels' ``AuthMiddlewareStack``
puts the session's user in the scope, but not whether the code step was passed, nor the
session's lifetime. Every consumer asks ``refusal(scope)`` before it accepts, and closes
with the code it gets:

- 4401: not signed in (no session, an ended or expired one, or a session an officer ended);
- 4403: signed in with the password only, and a second factor is due (the person's role
  requires one or they have a device) — as the HTTP gate sends them to the code step;
- 4410: the account is deactivated.

An open socket is asked again from time to time (``recheck``, the live socket's heartbeat):
the session as stored now, the person as they are now, so a session that lapsed, a role
that now needs the code step, or an account changed since the handshake closes it.

The socket is closed before it is accepted, so a refused person never holds an open
socket. The handshake is then refused: the code reaches ASGI (tests, server logs), while
a browser only sees 1006 and asks over HTTP, which sends it to sign-in or the code step.
"""

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user, get_user_model
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from apps.security import otp, sessions

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_CODE_STEP = 4403
CLOSE_DEACTIVATED = 4410


def _deactivated(session: Any) -> bool:
    """A session still naming an account that is now inactive (Channels saw no user)."""
    user_id = session.get(SESSION_KEY) if session is not None else None
    if user_id is None:
        return False
    return get_user_model().objects.filter(pk=user_id, is_active=False).exists()


def _verified(session: Any, user: Any) -> bool:
    """Has this session passed the code step? As django-otp's OTPMiddleware decides."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed


def _lapsed(session: Any) -> bool:
    return (
        sessions.session_lapsed(
            started=session.get(sessions.STARTED_KEY),
            limits=session.get(sessions.LIMITS_KEY),
            touched=session.get(sessions.TOUCHED_KEY),
            now=timezone.now().timestamp(),
        )
        is not None
    )


def refusal(scope: dict[str, Any]) -> int | None:
    """The close code for a WebSocket this scope may not keep, or None to let it in.

    Reads the session and the database: call it from sync code, or ``arefusal``.
    """
    user = scope.get("user")
    session = scope.get("session")
    if user is None or not user.is_authenticated:
        return CLOSE_DEACTIVATED if _deactivated(session) else CLOSE_NOT_SIGNED_IN
    if not user.is_active:
        return CLOSE_DEACTIVATED
    if session is None or _lapsed(session):
        return CLOSE_NOT_SIGNED_IN
    if not _verified(session, user) and (otp.devices_confirmed(user) or otp.otp_required(user)):
        return CLOSE_CODE_STEP
    return None


async def arefusal(scope: dict[str, Any]) -> int | None:
    """``refusal`` for async consumers (the reads run in a worker thread)."""
    return await database_sync_to_async(refusal)(scope)


def recheck(scope: dict[str, Any]) -> int | None:
    """``refusal`` for an open socket, from its session's stored state and the person now.

    The scope's session and user are the handshake's: the stored session is read again
    (ended, lapsed, another account's) and the person through Django's ``get_user`` (the
    password's hash, ``is_active``), then the same rules apply.
    """
    key = getattr(scope.get("session"), "session_key", None)
    if not key:
        return CLOSE_NOT_SIGNED_IN
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    user = get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]
    if user.is_authenticated and user.pk != getattr(scope.get("user"), "pk", None):
        return CLOSE_NOT_SIGNED_IN
    return refusal({"user": user, "session": session})


async def arecheck(scope: dict[str, Any]) -> int | None:
    """``recheck`` for async consumers."""
    return await database_sync_to_async(recheck)(scope)
