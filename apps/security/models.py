"""Sign-in security records: login events with their risk, tracked sessions, and the
actions security officers take (unlocks, device resets, session revocations)."""

import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _


def _short(moment: datetime.datetime) -> str:
    """2026-12-02 10:28:05 (SHORT_DATETIME_FORMAT), for a row's name in titles and logs."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


class LoginEvent(models.Model):
    """One sign-in attempt, second-factor attempt, lockout or logout."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        BAD_PASSWORD = "bad_password", _("bad password")
        BAD_CODE = "bad_code", _("bad code")
        LOCKED_OUT = "locked_out", _("locked out")
        LOGOUT = "logout", _("logout")

    class Lock(models.TextChoices):
        """Which lock a ``locked_out`` event hit (apps.security.lockout)."""

        USERNAME = "username", _("this username from this address")
        ADDRESS = "address", _("this address, for every username")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    username = models.CharField(_("username tried"), max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="login_events",
        verbose_name=_("user"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    risk_score = models.PositiveSmallIntegerField(_("risk"), default=0)
    risk_reasons = models.JSONField(_("risk reasons"), default=list, blank=True)
    lock = models.CharField(_("lock"), max_length=10, choices=Lock.choices, blank=True)

    class Meta:
        verbose_name = _("login event")
        verbose_name_plural = _("login events")
        ordering = ("-at", "-id")
        indexes = [
            models.Index(fields=["user", "-at"], name="sec_event_user_at_idx"),
            models.Index(fields=["ip", "-at"], name="sec_event_ip_at_idx"),
            models.Index(fields=["username", "-at"], name="sec_event_username_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{_short(self.at)} {self.username} {self.get_outcome_display()}"


class UserSession(models.Model):
    """A signed-in session we can list and end (the session store holds its data).

    Its id is a number of its own: the session key signs the browser in, so it is never
    the primary key (which lists, links, checkboxes and forms print) and is never shown.
    """

    id = models.BigAutoField(primary_key=True)
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tracked_sessions",
        verbose_name=_("user"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("signed in"))
    last_seen = models.DateTimeField(_("last seen"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ("-last_seen",)
        indexes = [models.Index(fields=["user", "ended_at"], name="sec_session_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.ip or ''} {_short(self.created_at)}"


class SecurityAction(models.Model):
    """What a security officer (or the user) did to someone's sign-in, and why."""

    class Kind(models.TextChoices):
        UNLOCK = "unlock", _("unlocked")
        DEVICES_RESET = "devices_reset", _("two-factor devices reset")
        SESSIONS_REVOKED = "sessions_revoked", _("sessions ended")
        BACKUP_CODES = "backup_codes", _("backup codes regenerated")
        DEVICE_ENROLLED = "device_enrolled", _("authenticator app set up")
        DEVICE_REPLACED = "device_replaced", _("authenticator app replaced")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_actions",
        verbose_name=_("whose sign-in"),
    )
    target = models.CharField(_("what"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        verbose_name = _("security action")
        verbose_name_plural = _("security actions")
        ordering = ("-at", "-id")
        permissions = [
            ("unlock_user", _("Can see lockouts and unlock sign-ins")),
            ("reset_devices", _("Can reset someone's two-factor devices")),
            ("revoke_sessions", _("Can end anyone's sessions")),
        ]

    def __str__(self) -> str:
        return f"{_short(self.at)} {self.get_kind_display()}"


class Lockout(AccessAttempt):
    """django-axes' failure record, as security officers see it: who, from where."""

    class Meta:
        proxy = True
        verbose_name = _("lockout")
        verbose_name_plural = _("lockouts")

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip_address}"
