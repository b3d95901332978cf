"""Lockout thresholds: per username and IP, and per IP across usernames (higher).

django-axes compares every lockout parameter set with one limit; this handler gives
each set its own (settings.LOCKOUT_LIMITS, in the order of AXES_LOCKOUT_PARAMETERS) and
says which lock holds: this username from this address, or the address for everyone.
The database handler keeps the counts, so every process shares them.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
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
from django.utils.translation import gettext_noop

from apps.core.texts import text_stored
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
# The security log's "what" of an address unlock (translated when shown: apps.core.texts).
ADDRESS_TARGET = gettext_noop("%(ip)s, every username")


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
    return timezone.now() - cool_off()


def cool_off() -> datetime.timedelta:
    """How long a failure counts (axes' ``AXES_COOLOFF_TIME``, hours as a float)."""
    return datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)


def _failures_in_window(**same: Any) -> Subquery:
    """The failures in the window of the records that share ``same`` with the outer row."""
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=_window_start(), **same)
        .order_by()
        .values(*same)
        .annotate(n=Sum("failures_since_start"))
        .values("n")
    )
    return Subquery(rows)


def lockouts_current() -> QuerySet[Lockout]:
    """The failure records under a lock now, newest first.

    Each carries the failures in the window of its username from its address
    (``username_failures``: axes keeps a record per browser, summed here as axes sums
    them) and of its whole address (``address_failures``). One query.
    """
    username_ip = {"username": OuterRef("username"), "ip_address": OuterRef("ip_address")}
    return (
        Lockout.objects.filter(attempt_time__gte=_window_start())
        .annotate(
            username_failures=Coalesce(_failures_in_window(**username_ip), 0),
            address_failures=Coalesce(_failures_in_window(ip_address=OuterRef("ip_address")), 0),
        )
        .filter(locked_q())
        .order_by("-attempt_time", "-id")
    )


def locked_q(lock: str | None = None) -> Q:
    """Records of ``lockouts_current`` under ``lock`` (either lock when None)."""
    by_username = Q(username_failures__gte=settings.LOCKOUT_LIMITS[0])
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
    if getattr(attempt, "username_failures", 0) >= settings.LOCKOUT_LIMITS[0]:
        return USERNAME
    return None


def _lock_ends(failures: list[tuple[datetime.datetime, int]], limit: int) -> datetime.datetime:
    """When these records (time of the last failure, count) fall below ``limit``: each
    record's whole count leaves the window ``cool_off`` after its last failure."""
    left = sum(n for _at, n in failures)
    for at, n in sorted(failures):
        left -= n
        if left < limit:
            return at + cool_off()
    return timezone.now()  # already below the limit (not a record of lockouts_current)


def locked_until_set(attempts: Sequence[Lockout]) -> None:
    """Set ``locked_until`` on each record of ``lockouts_current``: when its lock lifts
    by itself, the later of its two locks. One query for any number of records."""
    addresses = {attempt.ip_address for attempt in attempts}
    by_address: dict[str | None, list[tuple[datetime.datetime, int]]] = defaultdict(list)
    by_username: dict[tuple[str | None, str | None], list[tuple[datetime.datetime, int]]]
    by_username = defaultdict(list)
    if addresses:
        rows = AccessAttempt.objects.filter(
            ip_address__in=addresses, attempt_time__gte=_window_start()
        ).values_list("username", "ip_address", "attempt_time", "failures_since_start")
        for username, ip, at, n in rows:
            by_address[ip].append((at, n))
            by_username[username, ip].append((at, n))
    for attempt in attempts:
        ends = []
        if getattr(attempt, "username_failures", 0) >= settings.LOCKOUT_LIMITS[0]:
            key = (attempt.username, attempt.ip_address)
            ends.append(_lock_ends(by_username[key], settings.LOCKOUT_LIMITS[0]))
        if getattr(attempt, "address_failures", 0) >= settings.LOCKOUT_LIMITS[1]:
            ends.append(_lock_ends(by_address[attempt.ip_address], settings.LOCKOUT_LIMITS[1]))
        attempt.locked_until = max(ends, default=None)


def lock_now(attempt: AccessAttempt) -> str | None:
    """The lock ``attempt`` is under now (read again: another officer may have lifted it)."""
    current = lockouts_current().filter(pk=attempt.pk).first()
    return None if current is None else record_lock(current)


def lock_records(attempt: AccessAttempt, lock: str | None) -> QuerySet[AccessAttempt]:
    """The failure records lifting ``lock`` clears: every one of the address for the
    address's lock, else those of the username from the address."""
    if lock == ADDRESS:
        return AccessAttempt.objects.filter(ip_address=attempt.ip_address)
    return AccessAttempt.objects.filter(username=attempt.username, ip_address=attempt.ip_address)


@transaction.atomic
def lockout_unlock(*, actor: Employee, attempts: QuerySet[AccessAttempt], reason: str) -> int:
    """Lift the locks these failure records are under, with the reason logged; return
    how many were lifted.

    A username locked from an address loses that username's failures from there; an
    address locked for everyone loses every failure from it, which unlocks each username
    on it too. The people concerned lose their second-factor failure delay, so they can
    sign in at once.
    """
    reason = reason_clean(reason, missing=_("Give a reason; it is kept in the security log."))
    lifted = 0
    for attempt in list(attempts):
        lock = lock_now(attempt)
        cleared = list(lock_records(attempt, lock))
        if not cleared:
            continue  # lifted already, with an earlier record of the same address
        usernames = {row.username or "" for row in cleared}
        people = {user.username: user for user in Employee.objects.filter(username__in=usernames)}
        for user in people.values():
            otp.throttles_reset(user)
        if lock == ADDRESS:
            who, target = None, text_stored(ADDRESS_TARGET, ip=attempt.ip_address)
        else:
            who = people.get(attempt.username or "")
            target = f"{attempt.username} @ {attempt.ip_address}"[:200]
        security_action_log(
            kind=SecurityAction.Kind.UNLOCK, actor=actor, user=who, target=target, reason=reason
        )
        AccessAttempt.objects.filter(pk__in=[row.pk for row in cleared]).delete()
        lifted += 1
    return lifted
