"""Signed-in sessions people can see and end: theirs, or (security officers) anyone's.

Django's session store holds the session; ``UserSession`` mirrors who, from where, with
which browser, and when it was last used. Ending a session deletes it from the store, so
its next request is signed out. Changing a password or deactivating an account ends the
person's sessions (the current one survives a password change: Django re-keys it).
"""

import datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from apps.access.ranks import account_manage_check
from apps.core import live
from apps.core.texts import text_stored
from apps.core.validators import reason_clean
from apps.org.models import Employee
from apps.security import otp
from apps.security.actions import account_scope_check, security_action_log
from apps.security.models import SecurityAction, UserSession
from apps.security.network import client_agent, client_ip

# Stored untranslated (shown translated).
# The security log's "what" of an officer's ending of sessions (apps.core.texts).
SESSIONS_COUNT = gettext_noop("%(count)d session(s)")
ENDED_SIGNED_OUT = gettext_noop("signed out")
ENDED_BY_USER = gettext_noop("ended by the person")
ENDED_BY_OFFICER = gettext_noop("ended by a security officer")
ENDED_PASSWORD = gettext_noop("password changed")
ENDED_DEACTIVATED = gettext_noop("account deactivated")
ENDED_IDLE = gettext_noop("signed out after inactivity")
ENDED_LIFETIME = gettext_noop("session time limit reached")
# When a session was first seen signed in, and its [lifetime, idle] limits in seconds
# (kept in the session itself; apps.security.middleware writes and checks them).
STARTED_KEY = "_security_started"
LIMITS_KEY = "_security_limits"

# How often a request may write "last seen" (seconds): one UPDATE a minute, not per request.
TOUCH_EVERY = 60
TOUCHED_KEY = "_security_seen"
# [user id, device persistent id] of a session that passed the code step, so an ordinary
# request trusts it without reading the device (apps.security.middleware.OTPSessionMiddleware).
VERIFIED_KEY = "_security_verified"


def _store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_started(request: HttpRequest, user: Employee) -> UserSession | None:
    """Mirror the session a sign-in just created."""
    key = request.session.session_key
    if not key:
        return None
    now = timezone.now()
    row, _created = UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "ip": client_ip(request),
            "user_agent": client_agent(request),
            "created_at": now,
            "last_seen": now,
            "ended_at": None,
            "end_reason": "",
        },
    )
    request.session[TOUCHED_KEY] = now.timestamp()
    return row


def session_rekey(request: HttpRequest) -> None:
    """Give the session a new key (the code step was passed) and move its mirror row along.

    A key issued before the second factor (seen by whoever watched the password step)
    must not become the key of the verified session. The row keeps its history, so
    "My sessions" still marks this browser and officers can still end it.
    """
    old = request.session.session_key
    request.session.cycle_key()
    new = request.session.session_key
    if old and UserSession.objects.filter(session_key=old, ended_at__isnull=True).update(
        session_key=new
    ):
        return
    if request.user.is_authenticated:
        session_started(request, request.user)


def session_touch(request: HttpRequest) -> None:
    """Note the session as used now, at most once a minute (middleware)."""
    key = request.session.session_key
    if not key:
        return
    now = timezone.now()
    last = request.session.get(TOUCHED_KEY, 0)
    if now.timestamp() - last < TOUCH_EVERY:
        return
    request.session[TOUCHED_KEY] = now.timestamp()
    updated = UserSession.objects.filter(session_key=key, ended_at__isnull=True).update(
        last_seen=now, ip=client_ip(request)
    )
    if not updated and request.user.is_authenticated:  # re-keyed, or predating the tracking
        session_started(request, request.user)


def sessions_active(user: Employee) -> list[UserSession]:
    return list(UserSession.objects.filter(user=user, ended_at__isnull=True))


def _end(rows: list[UserSession], reason: str) -> int:
    store = _store()
    now = timezone.now()
    for row in rows:
        store(session_key=row.session_key).delete()
    # Their open sockets close too (after commit), with the code the gate would now give.
    code = live.CLOSE_DEACTIVATED if reason == ENDED_DEACTIVATED else live.CLOSE_SESSION_ENDED
    live.sockets_close(session_keys=[row.session_key for row in rows], code=code)
    return UserSession.objects.filter(pk__in=[r.pk for r in rows], ended_at__isnull=True).update(
        ended_at=now, end_reason=reason
    )


@transaction.atomic
def session_end(*, actor: Employee, session: UserSession, reason: str = "") -> int:
    """End one session: the person's own, or, for a security officer with a reason, that of
    someone they outrank (``sessions_end_for`` checks)."""
    if session.user_id == actor.pk:
        return _end([session], ENDED_BY_USER)
    if not actor.has_perm("security.revoke_sessions"):
        raise ValidationError(_("You can only end your own sessions."))
    return sessions_end_for(actor=actor, user=session.user, reason=reason, only=[session])


@transaction.atomic
def sessions_end_others(*, user: Employee, current_key: str | None) -> int:
    """End every session of ``user`` but the one in use."""
    rows = [r for r in sessions_active(user) if r.session_key != current_key]
    return _end(rows, ENDED_BY_USER)


@transaction.atomic
def sessions_end_for(
    *, actor: Employee, user: Employee, reason: str, only: list[UserSession] | None = None
) -> int:
    """A security officer ends the sessions (all, or ``only``) of someone they outrank;
    logged with the reason."""
    reason = reason_clean(reason, missing=_("Give a reason; it is kept in the security log."))
    account_manage_check(actor=actor, target=user)
    account_scope_check(actor=actor, perm="security.revoke_sessions", user=user)
    rows = only if only is not None else sessions_active(user)
    ended = _end(rows, ENDED_BY_OFFICER)
    security_action_log(
        kind=SecurityAction.Kind.SESSIONS_REVOKED,
        actor=actor,
        user=user,
        target=text_stored(SESSIONS_COUNT, count=ended),
        reason=reason,
    )
    return ended


def sessions_end_all(user: Employee, reason: str) -> int:
    """Every session of ``user`` (password changed, account deactivated)."""
    if reason == ENDED_DEACTIVATED:  # every socket, also of sessions the mirror never saw
        live.sockets_close(users=[user], code=live.CLOSE_DEACTIVATED)
    return _end(sessions_active(user), reason)


def session_signed_out(session_key: str | None, reason: str = ENDED_SIGNED_OUT) -> None:
    """Close the session's mirror row: signed out, or ``reason`` (idle, time limit)."""
    if session_key:
        live.sockets_close(session_keys=[session_key], code=live.CLOSE_SESSION_ENDED)
        UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason
        )


def session_verified_stamp(user_id: str | None, persistent_id: str | None) -> list[str] | None:
    """What ``VERIFIED_KEY`` holds for this person and device (None without either)."""
    if not user_id or not persistent_id:
        return None
    return [str(user_id), persistent_id]


def sessions_unverify(user_id: Any) -> int:
    """Make the person's live sessions read their device again on their next request.

    Called when one of their second-factor devices is deleted (an officer's reset, the
    person replacing it) or unconfirmed: the next request of each session reads the device
    as django-otp does, finds it gone, and the session is back at the code step. The store
    is written in the caller's transaction, so both stand or fall together. Returns how
    many sessions were marked verified.
    """
    store = _store()
    keys = UserSession.objects.filter(user_id=user_id, ended_at__isnull=True).values_list(
        "session_key", flat=True
    )
    cleared = 0
    for key in keys:
        session = store(session_key=key)
        if session.pop(VERIFIED_KEY, None) is not None:
            session.save()
            cleared += 1
    return cleared


def sessions_prune(*, older_than: datetime.timedelta) -> int:
    """Forget ended sessions after a while (housekeeping)."""
    return UserSession.objects.filter(ended_at__lt=timezone.now() - older_than).delete()[0]


class EndSessionsOnPasswordChange:
    """A password "validator" used for its hook: Django calls ``password_changed`` after
    saving a new password, wherever it was set. Ends the person's sessions (Django re-keys
    the one that changed it, so that one stays signed in)."""

    def validate(self, password: str, user: Employee | None = None) -> None:
        return None

    def password_changed(self, password: str, user: Employee | None = None) -> None:
        if user is not None and getattr(user, "pk", None):
            sessions_end_all(user, ENDED_PASSWORD)

    def get_help_text(self) -> str:
        return ""


def session_limits(user: Employee) -> list[int]:
    """[lifetime, idle] in seconds for this person's sessions; shorter with a second factor."""
    if otp.otp_required(user):
        hours, minutes = settings.SESSION_LIFETIME_HOURS_OTP, settings.SESSION_IDLE_MINUTES_OTP
    else:
        hours, minutes = settings.SESSION_LIFETIME_HOURS, settings.SESSION_IDLE_MINUTES
    return [round(hours * 3600), round(minutes * 60)]


def session_lapsed(
    *, started: float | None, limits: list[int] | None, touched: float | None, now: float
) -> str | None:
    """Why the session has ended (lifetime or idle), or None. Times in epoch seconds.

    "Last used" is written at most once a minute, so the idle limit may end a session up
    to a minute early, never late. A session without a recorded start (signed in before
    the limits existed) is checked from its next save on.
    """
    if started is None or not limits:
        return None
    lifetime, idle = limits
    if now - started >= lifetime:
        return ENDED_LIFETIME
    if now - max(started, touched or 0) >= idle:
        return ENDED_IDLE
    return None
