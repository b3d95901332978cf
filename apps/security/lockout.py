"""Lockout thresholds: per username and IP, and per IP across usernames (higher).

django-axes compares every lockout parameter set with one limit; this handler gives
each set its own (settings.LOCKOUT_LIMITS, in the order of AXES_LOCKOUT_PARAMETERS).
The database handler keeps the counts, so every process shares them.
"""

import datetime
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.org.models import Employee
from apps.security import otp
from apps.security.models import Lockout, SecurityAction
from apps.security.network import client_ip


class LockoutHandler(AxesDatabaseHandler):
    def failures_by_parameters(self, request: HttpRequest, credentials: Any = None) -> list[int]:
        return [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]

    def is_locked(self, request: HttpRequest, credentials: Any = None) -> bool:
        failures = self.failures_by_parameters(request, credentials)
        return any(n >= limit for n, limit in zip(failures, settings.LOCKOUT_LIMITS, strict=False))


def failures_clear(request: HttpRequest, username: str) -> int:
    """After a completed sign-in: forget this username's failures from this address only.

    (axes' ``reset_request`` would clear every username's failures from the address,
    letting one good account wipe the per-IP count of a guessing run.)
    """
    return reset(ip=client_ip(request), username=username)


def lockouts_current() -> QuerySet[Lockout]:
    """Failure records still inside the cool-off window, newest first."""
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return Lockout.objects.filter(attempt_time__gte=since).order_by("-attempt_time")


def is_locked_record(attempt: AccessAttempt) -> bool:
    return attempt.failures_since_start >= settings.LOCKOUT_LIMITS[0]


@transaction.atomic
def lockout_unlock(*, actor: Employee, attempts: QuerySet[AccessAttempt], reason: str) -> int:
    """Clear these failure records (their username+IP locks), with the reason logged.

    The person's second-factor devices lose their failure delay too, so they can sign
    in at once.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason; it is kept in the security log."))
    cleared = 0
    for attempt in list(attempts):
        user = Employee.objects.filter(username=attempt.username).first()
        if user is not None:
            otp.throttles_reset(user)
        SecurityAction.objects.create(
            at=timezone.now(),
            kind=SecurityAction.Kind.UNLOCK,
            actor=actor,
            user=user,
            target=f"{attempt.username} @ {attempt.ip_address}"[:200],
            reason=reason[:500],
        )
        attempt.delete()
        cleared += 1
    return cleared
