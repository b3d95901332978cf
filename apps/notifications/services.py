"""Every write of notifications and announcements; pushes go out after commit."""

import datetime
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from apps.access.models import RoleAssignment
from apps.access.roles import ROLE_LABELS
from apps.access.selectors import valid_now_q
from apps.core import live
from apps.core.history import mark_change
from apps.core.texts import text_shown, text_stored
from apps.notifications.models import (
    BODY_MAX,
    TITLE_MAX,
    URL_MAX,
    Announcement,
    AnnouncementDismissal,
    Kind,
    Notification,
    NotificationCounter,
)
from apps.notifications.selectors import (
    SHOWING_KEY,
    announcement_topic,
    announcements_for,
    unread_counts,
)
from apps.org.models import ORGANISATION, Department, Employee
from apps.org.services import authorize

ANNOUNCE_PERM = "notifications.add_announcement"
CHANGE_PERM = "notifications.change_announcement"


def _event(row: Notification, unread: int) -> dict[str, Any]:
    """The notification event of the shared contract (its text in the site's language:
    a push has no reader's request, and the request that caused it may be anybody's, in
    any language; the bell refetches in the reader's)."""
    with translation.override(None):
        text = text_shown(row.text)
    return {
        "kind": "notification",
        "id": str(row.id),
        "seq": row.seq,
        "text": text,
        "url": row.url or None,
        "unread": unread,
    }


def _numbered(user_ids: list[Any], count: int = 1) -> dict[Any, int]:
    """Reserve the next ``count`` numbers per person; the first of each is returned.

    The counter rows are locked in id order (no two batches deadlock) until commit, so a
    person's numbers follow the order their notifications commit in: a client asking for
    "after N" never skips one committed late with a smaller number.
    """
    NotificationCounter.objects.bulk_create(
        [NotificationCounter(user_id=pk) for pk in user_ids], ignore_conflicts=True
    )
    counters = list(
        NotificationCounter.objects.select_for_update().filter(user_id__in=user_ids).order_by("pk")
    )
    first = {}
    for counter in counters:
        first[counter.user_id] = counter.last_seq + 1
        counter.last_seq += count
    NotificationCounter.objects.bulk_update(counters, ["last_seq"])
    return first


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Employee | Any],
    kind: str,
    msgid: str,
    params: dict[str, Any] | None = None,
    url: str = "",
    key: str = "",
) -> list[Notification]:
    """Write one notification per recipient (people or their ids) and push each after commit.

    ``msgid`` is an untranslated message (``gettext_noop``) filled with ``params`` when
    shown, in the reader's language. With ``key``, a person who already has a
    notification of that key gets none (sent once per cause).
    """
    ids = sorted({getattr(r, "pk", r) for r in recipients if r is not None}, key=str)
    if key:
        told = set(
            Notification.objects.filter(key=key, recipient_id__in=ids).values_list(
                "recipient_id", flat=True
            )
        )
        ids = [pk for pk in ids if pk not in told]
    if not ids:
        return []
    text = text_stored(msgid, **(params or {}))
    numbers = _numbered(ids)
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=cast(uuid.UUID, pk),
            seq=numbers[pk],
            kind=kind,
            text=text,
            url=url[:URL_MAX],
            created_at=now,
            key=key,
        )
        for pk in ids
    ]
    Notification.objects.bulk_create(rows)
    counts = unread_counts(ids)
    for row in rows:
        live.publish(
            live.topic_user(row.recipient_id), _event(row, counts.get(row.recipient_id, 0))
        )
    return rows


def _publish_unread(user: Employee) -> int:
    count = unread_counts([user.pk]).get(user.pk, 0)
    live.publish(live.topic_user(user.pk), {"kind": "notification_read", "unread": count})
    return count


@transaction.atomic
def notifications_mark_read(*, user: Employee, ids: Sequence[Any]) -> int:
    """Mark ``user``'s own notifications among ``ids`` read; others' ids change nothing."""
    changed = Notification.objects.filter(
        recipient=user, pk__in=list(ids), read_at__isnull=True
    ).update(read_at=timezone.now())
    if changed:
        _publish_unread(user)
    return changed


@transaction.atomic
def notifications_mark_all_read(*, user: Employee) -> int:
    """Mark every unread notification of ``user`` read."""
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        _publish_unread(user)
    return changed


# --- Announcements -----------------------------------------------------------------


def _text_error(value: str | None, limit: int, *, missing: str, too_long: str) -> str | None:
    """Why a required text is refused (empty, or over ``limit`` characters), or None."""
    if not (value or "").strip():
        return missing
    if len(value or "") > limit:
        return too_long % {"limit": limit, "length": len(value or "")}
    return None


def announcement_check(
    *,
    title: str,
    body: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
) -> None:
    """Refuse an empty or oversized title or body, and a window that ends before it starts.

    The error names its field (``error_dict``), so a form shows it beside the field.
    """
    errors: dict[str, str] = {}
    title_error = _text_error(
        title,
        TITLE_MAX,
        missing=_("Give the announcement a title."),
        too_long=_("The title may have at most %(limit)d characters (it has %(length)d)."),
    )
    body_error = _text_error(
        body,
        BODY_MAX,
        missing=_("Write the announcement's text."),
        too_long=_("The text may have at most %(limit)d characters (it has %(length)d)."),
    )
    for field, error in (("title", title_error), ("body", body_error)):
        if error:
            errors[field] = error
    if ends_at is not None and starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("“Shown until” must be after “shown from”.")
    if errors:
        raise ValidationError(errors)


def announcement_event(announcement: Announcement) -> dict[str, Any]:
    ends = announcement.ends_at
    return {
        "kind": "announcement",
        "id": str(announcement.pk),
        "title": announcement.title,
        "body": announcement.body,
        "ends_at": ends.isoformat() if ends else None,
    }


def _authorize_audience(actor: Employee, perm: str, department: Department | None) -> None:
    """Everyone's announcement needs the right organisation-wide; a subtree's, there."""
    authorize(actor, perm, department if department is not None else ORGANISATION)


def _forget_showing() -> None:
    """Every page's banners read the cached list: forget it now and again at commit (a
    page drawn meanwhile may have cached the list without this change)."""
    cache.delete(SHOWING_KEY)
    transaction.on_commit(lambda: cache.delete(SHOWING_KEY))


def _publish_if_showing(announcement: Announcement) -> None:
    _forget_showing()
    now = timezone.now()
    if announcement.starts_at <= now and (
        announcement.ends_at is None or announcement.ends_at > now
    ):
        live.publish(
            announcement_topic(announcement.department_id), announcement_event(announcement)
        )


@transaction.atomic
def announcement_publish(
    *,
    actor: Employee,
    title: str,
    body: str,
    department: Department | None = None,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    reason: str = "",
) -> Announcement:
    """Publish an announcement to everyone or to ``department``'s subtree.

    One row, not one notification per recipient: a banner to 100,000 people would
    otherwise write 100,000 rows; each person's centre reads it through their audience.
    """
    # To the second, as the form's date and time boxes show it: saving the form unchanged
    # must not move the window.
    starts_at = (starts_at or timezone.now()).replace(microsecond=0)
    ends_at = ends_at.replace(microsecond=0) if ends_at is not None else None
    announcement_check(title=title, body=body, starts_at=starts_at, ends_at=ends_at)
    _authorize_audience(actor, ANNOUNCE_PERM, department)
    announcement = Announcement(
        title=title.strip(),
        body=body.strip(),
        department=department,
        starts_at=starts_at,
        ends_at=ends_at,
        published_by=actor,
    )
    announcement.full_clean()
    mark_change(announcement, actor=actor, reason=reason)
    announcement.save()
    _publish_if_showing(announcement)
    return announcement


@transaction.atomic
def announcement_update(
    *, announcement: Announcement, actor: Employee, reason: str = "", **changes: Any
) -> Announcement:
    """Change an announcement (its old and new audience both within the actor's rights)."""
    current = Announcement.objects.select_for_update().get(pk=announcement.pk)
    _authorize_audience(actor, CHANGE_PERM, current.department)
    allowed = {"title", "body", "department", "starts_at", "ends_at", "is_active"}
    for name, value in changes.items():
        if name not in allowed:
            raise TypeError(name)
        setattr(current, name, value)
    announcement_check(
        title=current.title, body=current.body, starts_at=current.starts_at, ends_at=current.ends_at
    )
    _authorize_audience(actor, CHANGE_PERM, current.department)
    current.full_clean()
    mark_change(current, actor=actor, reason=reason)
    current.save()
    _forget_showing()
    if current.is_active:
        _publish_if_showing(current)
    return current


@transaction.atomic
def announcements_dismiss(*, user: Employee, ids: Sequence[Any]) -> int:
    """Remember that ``user`` closed these announcements (only those meant for them)."""
    mine = list(announcements_for(user).filter(pk__in=list(ids)).values_list("pk", flat=True))
    before = AnnouncementDismissal.objects.filter(user=user, announcement_id__in=mine).count()
    AnnouncementDismissal.objects.bulk_create(
        [AnnouncementDismissal(user=user, announcement_id=pk) for pk in mine],
        ignore_conflicts=True,
    )
    return len(mine) - before


def announcements_dismiss_all(*, user: Employee) -> int:
    """Mark every started announcement meant for ``user`` read (their banners close)."""
    ids = list(announcements_for(user).values_list("pk", flat=True))
    return announcements_dismiss(user=user, ids=ids)


EXPIRY_WARNING_DAYS = 7
ORGANISATION_WIDE = gettext_noop("organisation-wide")
ROLE_EXPIRING = gettext_noop("Your role %(role)s (%(where)s) ends on %(date)s.")


def role_params(role_name: str, department: Department | None) -> dict[str, Any]:
    """A role and where it holds, as stored texts: translated when shown."""
    return {
        "role": ROLE_LABELS.get(role_name, role_name),
        "where": department.name if department is not None else gettext_lazy(ORGANISATION_WIDE),
    }


def role_expiry_warnings_send(*, at: datetime.datetime | None = None) -> int:
    """Tell each holder of an assignment ending within 7 days, once per assignment.

    The notification's key ("role_expiring:<assignment>") makes a second run a no-op.
    """
    at = at or timezone.now()
    soon = RoleAssignment.objects.filter(
        valid_now_q(at),
        valid_until__isnull=False,
        valid_until__lte=at + datetime.timedelta(days=EXPIRY_WARNING_DAYS),
    ).select_related("role", "department")
    sent = 0
    for assignment in soon:
        assert assignment.valid_until is not None  # filtered above
        sent += len(
            notify(
                recipients=[assignment.user_id],
                kind=Kind.ROLE_EXPIRING,
                msgid=ROLE_EXPIRING,
                params={
                    **role_params(assignment.role.name, assignment.department),
                    "date": timezone.localdate(assignment.valid_until).isoformat(),
                },
                url=reverse("admin:org_employee_me"),
                key=f"role_expiring:{assignment.pk}",
            )
        )
    return sent
