"""The HTTP sign-in gate, for WebSockets.

WebSockets skip the HTTP middleware (docs: pitfalls): Channels' ``AuthMiddlewareStack``
puts the session's user in the scope, but not whether the code step was passed, nor the
session's lifetime. Every consumer asks ``refusal(scope)`` before it accepts, and closes
with the code it gets:

- 4401: not signed in (no session, an ended or expired one, or a session an officer ended);
- 4403: signed in with the password only, and a second factor is due (the person's role
  requires one or they have a device) — as the HTTP gate sends them to the code step;
- 4410: the account is deactivated.

The socket is closed before it is accepted, so a refused person never holds an open
socket. The handshake is then refused: the code reaches ASGI (tests, server logs), while
a browser only sees 1006 and asks over HTTP, which sends it to sign-in or the code step.
"""

from typing import Any

from channels.db import database_sync_to_async
from django.contrib.auth import SESSION_KEY, get_user_model
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
