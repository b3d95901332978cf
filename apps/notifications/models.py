"""Notifications (one person's messages) and announcements (to everyone or a subtree)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.history import history
from apps.core.models import BaseModel

TITLE_MAX = 200
BODY_MAX = 4000
URL_MAX = 500


class Kind(models.TextChoices):
    TRANSFER_SCHEDULED = "transfer_scheduled", _("Transfer scheduled")
    TRANSFER_APPLIED = "transfer_applied", _("Transfer applied")
    ROLE_ASSIGNED = "role_assigned", _("Role assigned")
    ROLE_EXPIRING = "role_expiring", _("Role expiring")
    ROLE_EXPIRED = "role_expired", _("Role expired")
    JOB_SUCCEEDED = "job_succeeded", _("Job finished")
    JOB_FAILED = "job_failed", _("Job failed")
    HIGH_RISK_SIGN_IN = "high_risk_sign_in", _("High-risk sign-in")
    LOCKOUT = "lockout", _("Lockout")
    CHAIN_BREAK = "chain_break", _("Audit chain broken")
    ANNOUNCEMENT = "announcement", _("Announcement")


class Notification(models.Model):
    """One message to one person, written by ``services.notify`` only.

    No history: a notification is itself a record of something that happened elsewhere
    (whose history is kept there); its only change is being read.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # Per recipient, 1, 2, 3 ... in commit order (services.notify bumps NotificationCounter
    # under a row lock), so "everything after seq N" never misses a late commit.
    seq = models.BigIntegerField(_("number"), editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # A stored text (apps.core.texts): the msgid and its values, translated when shown.
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=URL_MAX, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set for messages sent once per cause ("role_expiring:<assignment>"): the unique
    # constraint makes a second daily run a no-op.
    key = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-seq",)
        constraints = [
            models.UniqueConstraint(fields=["recipient", "seq"], name="notif_recipient_seq"),
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notif_recipient_key"
            ),
        ]
        indexes = [
            # The bell's count: unread rows of one person.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notif_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} #{self.seq} {self.kind}"


class NotificationCounter(models.Model):
    """The last ``seq`` given to a person's notifications; locked while a batch is numbered."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.last_seq}"


class Announcement(BaseModel):
    """A message to everyone (no department) or to a department's subtree, for a while."""

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("body"), max_length=BODY_MAX, help_text=_("Plain text."))
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("audience"),
        help_text=_("Empty: everyone. Otherwise the department and everything under it."),
    )
    starts_at = models.DateTimeField(_("shown from"), default=timezone.now)
    ends_at = models.DateTimeField(_("shown until"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
        editable=False,
    )

    history = history()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ("-starts_at",)
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="announcement_window",
                violation_error_message=_("“Shown until” must be after “shown from”."),
            )
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="announcement_window_idx")]

    def __str__(self) -> str:
        return self.title


class AnnouncementDismissal(models.Model):
    """Someone closed an announcement's banner (and read it, as the centre shows)."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="dismissals"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "announcement"], name="announcement_dismissed")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} dismissed {self.announcement_id}"
