"""Lockout thresholds: per username and IP, and per IP across usernames (higher).

django-axes compares every lockout parameter set with one limit; this handler gives
each set its own (settings.LOCKOUT_LIMITS, in the order of AXES_LOCKOUT_PARAMETERS) and
says which lock holds: this username from this address, or the address for everyone.
The database handler keeps the counts, so every process shares them.
"""

import datetime
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.validators import reason_clean
from apps.org.models import Employee
from apps.security import otp
from apps.security.actions import security_action_log
from apps.security.models import Lockout, LoginEvent, SecurityAction
from apps.security.network import client_ip

USERNAME = LoginEvent.Lock.USERNAME
ADDRESS = LoginEvent.Lock.ADDRESS
# One per lockout parameter set, in the order of AXES_LOCKOUT_PARAMETERS.
LOCKS = (USERNAME, ADDRESS)


class LockoutHandler(AxesDatabaseHandler):
    def failures_by_parameters(self, request: HttpRequest, credentials: Any = None) -> list[int]:
        return [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]

    def lock_reached(self, request: HttpRequest, credentials: Any = None) -> str | None:
        """The lock this request is under, or None; the address's first (it is the wider)."""
        failures = self.failures_by_parameters(request, credentials)
        reached = {
            lock
            for lock, n, limit in zip(LOCKS, failures, settings.LOCKOUT_LIMITS, strict=False)
            if n >= limit
        }
        return next((lock for lock in (ADDRESS, USERNAME) if lock in reached), None)

    def is_locked(self, request: HttpRequest, credentials: Any = None) -> bool:
        return self.lock_reached(request, credentials) is not None

    def get_failures(self, request: HttpRequest, credentials: Any = None) -> int:
        """The failures on the scale of axes' one limit, so that it locks as ``is_locked`` says.

        axes' ``user_login_failed`` locks when this reaches ``AXES_FAILURE_LIMIT``; its own
        version takes the largest count (the address's, summed over usernames) and so locked
        everyone at an address once one person had failed five times. Each count is scaled
        by its own limit: ``n * L // own >= L`` exactly when ``n >= own``.
        """
        limit = get_failure_limit(request, credentials)
        failures = self.failures_by_parameters(request, credentials)
        return max(
            (n * limit // own for n, own in zip(failures, settings.LOCKOUT_LIMITS, strict=False)),
            default=0,
        )


def lock_reached(request: HttpRequest, credentials: Any = None) -> str | None:
    """Which lock holds this request now (``USERNAME`` or ``ADDRESS``), or None."""
    AxesProxyHandler.update_request(request)
    return LockoutHandler().lock_reached(request, credentials)


def failures_clear(request: HttpRequest, username: str) -> int:
    """After a completed sign-in: forget this username's failures from this address only.

    (axes' ``reset_request`` would clear every username's failures from the address,
    letting one good account wipe the per-IP count of a guessing run.)
    """
    return reset(ip=client_ip(request), username=username)


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)


def lockouts_current() -> QuerySet[Lockout]:
    """Failure records still inside the cool-off window, newest first, each with the
    failures of its whole address in the window (``address_failures``)."""
    since = _window_start()
    same_address = (
        AccessAttempt.objects.filter(ip_address=OuterRef("ip_address"), attempt_time__gte=since)
        .order_by()
        .values("ip_address")
        .annotate(n=Sum("failures_since_start"))
        .values("n")
    )
    return (
        Lockout.objects.filter(attempt_time__gte=since)
        .annotate(address_failures=Coalesce(Subquery(same_address), 0))
        .order_by("-attempt_time")
    )


def locked_q(lock: str | None = None) -> Q:
    """Records of ``lockouts_current`` under ``lock`` (either lock when None)."""
    by_username = Q(failures_since_start__gte=settings.LOCKOUT_LIMITS[0])
    by_address = Q(address_failures__gte=settings.LOCKOUT_LIMITS[1])
    if lock == USERNAME:
        return by_username & ~by_address
    if lock == ADDRESS:
        return by_address
    return by_username | by_address


def record_lock(attempt: AccessAttempt) -> str | None:
    """The lock a record of ``lockouts_current`` is under (the address's first), or None."""
    if getattr(attempt, "address_failures", 0) >= settings.LOCKOUT_LIMITS[1]:
        return ADDRESS
    if attempt.failures_since_start >= settings.LOCKOUT_LIMITS[0]:
        return USERNAME
    return None


@transaction.atomic
def lockout_unlock(*, actor: Employee, attempts: QuerySet[AccessAttempt], reason: str) -> int:
    """Clear these failure records (their username+IP locks), with the reason logged.

    The person's second-factor devices lose their failure delay too, so they can sign
    in at once.
    """
    reason = reason_clean(reason, missing=_("Give a reason; it is kept in the security log."))
    cleared = 0
    for attempt in list(attempts):
        user = Employee.objects.filter(username=attempt.username).first()
        if user is not None:
            otp.throttles_reset(user)
        security_action_log(
            kind=SecurityAction.Kind.UNLOCK,
            actor=actor,
            user=user,
            target=f"{attempt.username} @ {attempt.ip_address}"[:200],
            reason=reason,
        )
        attempt.delete()
        cleared += 1
    return cleared
