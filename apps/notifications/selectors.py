"""Reads of notifications and announcements: only ever the reader's own."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.core import live
from apps.notifications.models import Announcement, AnnouncementDismissal, Notification
from apps.org.models import Department, Employee
from apps.org.tree import subtree_of_outer_q, tree_order

AUDIENCE = "audience"


def unread_count(user: Employee) -> int:
    """How many of ``user``'s notifications are unread (one query, on a partial index)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def bell_figures(user: Employee) -> dict[str, int]:
    """The bell of every page: the unread count and the last number, in one query."""
    figures = Notification.objects.filter(recipient=user).aggregate(
        unread=Count("pk", filter=Q(read_at__isnull=True)), last=Max("seq")
    )
    return {"unread": figures["unread"] or 0, "last_seq": figures["last"] or 0}


def unread_counts(user_ids: Iterable[Any]) -> dict[Any, int]:
    """Unread counts of several people, in one query."""
    rows = (
        Notification.objects.filter(recipient_id__in=list(user_ids), read_at__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("pk"))
    )
    return {row["recipient_id"]: row["n"] for row in rows}


def notifications_of(user: Employee) -> QuerySet[Notification]:
    """``user``'s notifications, newest first; nobody else's are ever reachable."""
    return Notification.objects.filter(recipient=user).order_by("-seq")


def notifications_latest(user: Employee, n: int = 5) -> list[Notification]:
    return list(notifications_of(user)[:n])


def notifications_since(user: Employee, seq: int, *, limit: int = 100) -> list[Notification]:
    """``user``'s notifications numbered after ``seq``, oldest first (a client catching up)."""
    return list(notifications_of(user).filter(seq__gt=seq).order_by("seq")[:limit])


# --- Audiences ----------------------------------------------------------------------


def audience_departments(user: Employee) -> list[Any]:
    """The ids of ``user``'s department and every department above it (one query)."""
    if user.department_id is None:
        return []
    mine = Employee.objects.filter(pk=user.pk).filter(subtree_of_outer_q(prefix="department"))
    return list(
        Department.objects.filter(Exists(mine)).order_by(*tree_order()).values_list("pk", flat=True)
    )


def audience_topics(departments: Iterable[Any]) -> list[str]:
    """The live topics the viewer's banner listens on: everyone's and their audiences'."""
    return [live.GLOBAL, *(f"{AUDIENCE}:{pk}" for pk in departments)]


def announcement_topic(department_id: Any) -> str:
    """Where an announcement is pushed: everyone's topic, or its subtree's."""
    return live.GLOBAL if department_id is None else f"{AUDIENCE}:{department_id}"


def audience_may_join(user: Employee, key: str | None) -> bool:
    """``audience:<pk>``: the user's own department is that department or below it."""
    if key is None or user.department_id is None:
        return False
    key = str(uuid.UUID(key))  # ValueError for a key that is no id: refused, as unknown
    mine = Employee.objects.filter(pk=user.pk).filter(subtree_of_outer_q(prefix="department"))
    return Department.objects.filter(pk=key).filter(Exists(mine)).exists()


def _audience_q(departments: list[Any]) -> Q:
    return Q(department__isnull=True) | Q(department_id__in=departments)


def announcements_for(
    user: Employee, *, departments: list[Any] | None = None
) -> QuerySet[Announcement]:
    """Announcements meant for ``user`` that have started (past ones too), newest first."""
    if departments is None:
        departments = audience_departments(user)
    return Announcement.objects.filter(
        _audience_q(departments), is_active=True, starts_at__lte=timezone.now()
    ).order_by("-starts_at", "-created_at")


def _dismissed(user: Employee) -> Exists:
    return Exists(AnnouncementDismissal.objects.filter(user=user, announcement=OuterRef("pk")))


def announcements_with_read(
    user: Employee, *, read: bool | None = None, departments: list[Any] | None = None
) -> QuerySet[Announcement]:
    """``announcements_for`` with ``dismissed`` (read) annotated; only the read or the
    unread ones when ``read`` says so."""
    rows = announcements_for(user, departments=departments)
    if read is not None:
        rows = rows.filter(_dismissed(user)) if read else rows.exclude(_dismissed(user))
    return rows.annotate(dismissed=_dismissed(user))


SHOWING_KEY = "notifications:announcements-showing"
SHOWING_SECONDS = 60


def announcements_current() -> list[dict[str, Any]]:
    """Every announcement showing now, whoever it is for: cached, since every admin page
    asks and there are few. Kept until the next one starts or ends (at most a minute);
    publishing or changing one forgets it (``services``)."""
    cached = cache.get(SHOWING_KEY)
    if cached is not None:
        return list(cached)
    now = timezone.now()
    rows = list(
        Announcement.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), is_active=True)
        .order_by("-starts_at", "-created_at")
        .values("id", "title", "body", "department_id", "starts_at", "ends_at")[:200]
    )
    showing: list[dict[str, Any]] = [dict(r) for r in rows if r["starts_at"] <= now]
    changes = [r["starts_at"] for r in rows if r["starts_at"] > now]
    changes += [r["ends_at"] for r in showing if r["ends_at"] is not None]
    seconds = SHOWING_SECONDS
    if changes:
        seconds = max(1, min(seconds, int((min(changes) - now).total_seconds()) + 1))
    cache.set(SHOWING_KEY, showing, seconds)
    return showing


def banners_for(user: Employee) -> list[dict[str, Any]]:
    """The banners of ``user``'s page: showing now, for their audience, not dismissed.

    No query when nothing is showing; otherwise one for the dismissals, and one for the
    user's departments when an announcement is for a subtree.
    """
    candidates = announcements_current()
    if not candidates:
        return []
    if any(c["department_id"] is not None for c in candidates):
        departments = set(audience_departments(user))
        candidates = [
            c for c in candidates if c["department_id"] is None or c["department_id"] in departments
        ]
    if not candidates:
        return []
    dismissed = set(
        AnnouncementDismissal.objects.filter(
            user=user, announcement_id__in=[c["id"] for c in candidates]
        ).values_list("announcement_id", flat=True)
    )
    return [c for c in candidates if c["id"] not in dismissed][:5]


def announcements_showing(user: Employee, *, departments: list[Any]) -> list[Announcement]:
    """The banners of a page: showing now, for ``user``, not dismissed (one query)."""
    now = timezone.now()
    return list(
        announcements_for(user, departments=departments)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .exclude(_dismissed(user))[:5]
    )
