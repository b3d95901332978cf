"""Reads about role assignments: which are valid at a moment, which roles a user holds."""

import datetime

from django.db.models import Q
from django.utils import timezone

from apps.access.models import RoleAssignment
from apps.org.models import Employee


def valid_now_q(at: datetime.datetime) -> Q:
    return Q(is_active=True, valid_from__lte=at) & (
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)
    )


def roles_held(user: Employee, *, at: datetime.datetime | None = None) -> set[str]:
    """Names of the roles ``user`` holds through assignments valid at ``at``."""
    at = at or timezone.now()
    return set(
        RoleAssignment.objects.filter(valid_now_q(at), user=user).values_list(
            "role__name", flat=True
        )
    )
