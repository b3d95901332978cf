"""Reads about role assignments: which are valid at a moment, which roles a user holds."""

import datetime

from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.access.models import RoleAssignment
from apps.access.roles import ROLE_RANK, role_rank
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


def roles_assignable(user: Employee) -> QuerySet[Group]:
    """The roles ``user`` may hand out: those they hold, and every role ranked below them."""
    if user.is_superuser:
        return Group.objects.all()
    held = roles_held(user)
    top = max((role_rank(name) for name in held), default=0)
    below = [name for name, rank in ROLE_RANK.items() if rank < top]
    return Group.objects.filter(name__in=[*held, *below])
