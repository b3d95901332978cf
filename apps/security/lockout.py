"""Lockout thresholds: per username and IP, and per IP across usernames (higher).

django-axes compares every lockout parameter set with one limit; this handler gives
each set its own (settings.LOCKOUT_LIMITS, in the order of AXES_LOCKOUT_PARAMETERS).
The database handler keeps the counts, so every process shares them.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class LockoutHandler(AxesDatabaseHandler):
    def failures_by_parameters(self, request: HttpRequest, credentials: Any = None) -> list[int]:
        return [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]

    def is_locked(self, request: HttpRequest, credentials: Any = None) -> bool:
        failures = self.failures_by_parameters(request, credentials)
        return any(n >= limit for n, limit in zip(failures, settings.LOCKOUT_LIMITS, strict=False))
