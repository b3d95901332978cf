"""Login events and their risk: one row per sign-in, wrong password or code, lockout, logout.

When each is recorded (receivers in ``apps.security.signals``, calls in the views):

- ``success`` when the whole sign-in completes: after the code step (``VerifyView``) or
  the first code at enrollment (``EnrollView``); on ``user_logged_in`` only for people
  with no code step (no confirmed device and a role that does not require one).
- ``bad_password`` on ``user_login_failed`` from the password step; ``bad_code`` by
  ``VerifyView`` for a wrong or malformed code.
- ``bad_code`` or ``bad_password`` also for a wrong proof (a current code or the password)
  when someone replaces their authenticator or makes new backup codes.
- ``locked_out`` on django-axes' ``user_locked_out``: the attempt that reaches a limit
  and every attempt refused while locked, with the lock it hit (``lock``: this username
  from this address, or the address for every username). That attempt is recorded
  once, as the lockout, not also as a wrong password or code.
- ``logout`` on ``user_logged_out``, for a sign-in that had completed (a half-signed-in
  session ended by its lockout is not a logout).

Risk, for successes only, from two bounded reads: the user's last ``HISTORY`` earlier
successes and at most ``FAILURES_COUNTED`` failures of the username in the last hour.
Each rule that fires adds its weight (``WEIGHTS``); the score is capped at 100.

- ``new_ip``: the user has earlier successes, none of them from this IP address
  (not applied when the address is unknown).
- ``new_browser``: the user has earlier successes, none of them with this browser family
  (browser and operating system from the user agent, see ``browser_family``).
- ``unusual_hour``: the user has at least ``USUAL_HOURS_MIN_HISTORY`` earlier successes
  and fewer than ``USUAL_HOURS_MIN_SHARE`` of them began within ``USUAL_HOURS_SPAN``
  hours of this one's hour, in local time (``TIME_ZONE``; the clock wraps at midnight).
- ``recent_failures``: wrong passwords, wrong codes and lockouts for this username in
  the last hour; ``RECENT_FAILURE_WEIGHT`` each, at most ``FAILURES_COUNTED`` of them.

A user's first success has no baseline, so it is never a new address or browser.
"Earlier" means within the last ``HISTORY`` successes: an address last used before those
counts as new again. A score of ``settings.LOGIN_RISK_ALERT`` (default 60) or more
mails every active security officer once the event is committed.
"""

import datetime
import ipaddress
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from apps.access.roles import SECURITY_OFFICER
from apps.access.selectors import role_holders
from apps.core import signals
from apps.org.models import Employee
from apps.security import otp
from apps.security.models import LoginEvent
from apps.security.network import client_agent, client_ip
from apps.security.times import moment_in_mail

Outcome = LoginEvent.Outcome

NEW_IP = "new_ip"
NEW_BROWSER = "new_browser"
UNUSUAL_HOUR = "unusual_hour"
RECENT_FAILURES = "recent_failures"
# A bad code that was the authenticator's code of a step already used (otp.code_reused).
CODE_REUSED = "otp.code_reused"

REASON_LABELS = {
    NEW_IP: _("new IP address for this user"),
    NEW_BROWSER: _("new browser for this user"),
    UNUSUAL_HOUR: _("unusual hour for this user"),
    RECENT_FAILURES: _("recent failed attempts"),
    CODE_REUSED: _("code already used"),
}
WEIGHTS = {NEW_IP: 30, NEW_BROWSER: 30, UNUSUAL_HOUR: 20}
RECENT_FAILURE_WEIGHT = 10
FAILURES_COUNTED = 4
FAILURE_WINDOW = datetime.timedelta(hours=1)
FAILURES = (Outcome.BAD_PASSWORD, Outcome.BAD_CODE, Outcome.LOCKED_OUT)
HISTORY = 200
USUAL_HOURS_MIN_HISTORY = 10
USUAL_HOURS_MIN_SHARE = 0.10
USUAL_HOURS_SPAN = 2
MAX_SCORE = 100

LOW, MEDIUM, HIGH = "low", "medium", "high"
RISK_LEVELS = {LOW: _("low"), MEDIUM: _("medium"), HIGH: _("high")}
MEDIUM_FROM = 30

# Checked in order: Edge and Opera say "Chrome", Chrome says "Safari"; iOS says
# "Mac OS X", Android and ChromeOS say "Linux".
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Opera", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def browser_family(user_agent: str) -> tuple[str, str]:
    """(browser, operating system) from simple substring checks; "" for unknown parts."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    return browser, system


def browser_label(user_agent: str) -> str:
    """ "Firefox on Windows", for lists and mails."""
    browser, system = browser_family(user_agent)
    if not browser and not system:
        return gettext("unknown browser")
    return gettext("%(browser)s on %(system)s") % {
        "browser": browser or gettext("unknown browser"),
        "system": system or gettext("unknown system"),
    }


def outcome_label(event: LoginEvent) -> str:
    """ "locked out: this address, for every username", "bad code: code already used";
    the outcome alone for the others."""
    if CODE_REUSED in (event.risk_reasons or []):
        return gettext("%(outcome)s: %(lock)s") % {
            "outcome": event.get_outcome_display(),
            "lock": REASON_LABELS[CODE_REUSED],
        }
    if not event.lock:
        return str(event.get_outcome_display())
    return gettext("%(outcome)s: %(lock)s") % {
        "outcome": event.get_outcome_display(),
        "lock": event.get_lock_display(),
    }


def reason_labels(codes: Iterable[str]) -> list[str]:
    """The translated labels of stored reason codes (an unknown code shows as itself)."""
    return [str(REASON_LABELS.get(code, code)) for code in codes]


def alert_threshold() -> int:
    return getattr(settings, "LOGIN_RISK_ALERT", 60)


def risk_level(score: int) -> str:
    if score >= alert_threshold():
        return HIGH
    if score >= min(MEDIUM_FROM, alert_threshold()):
        return MEDIUM
    return LOW


def risk_level_q(level: str) -> Q:
    """Successes at ``level`` (only successes carry a risk)."""
    high = alert_threshold()
    medium = min(MEDIUM_FROM, high)
    success = Q(outcome=Outcome.SUCCESS)
    if level == HIGH:
        return success & Q(risk_score__gte=high)
    if level == MEDIUM:
        return success & Q(risk_score__gte=medium, risk_score__lt=high)
    return success & Q(risk_score__lt=medium)


def ip_normalize(value: str) -> str | None:
    """The address as the database stores it, or None when ``value`` is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def needs_code_step(user: Employee) -> bool:
    """Does this person's sign-in go on to a code (or enrollment) after the password?"""
    return bool(otp.devices_confirmed(user)) or otp.otp_required(user)


def _near(hour: int, other: int) -> bool:
    distance = abs(hour - other) % 24
    return min(distance, 24 - distance) <= USUAL_HOURS_SPAN


def risk_assess(
    *, user: Employee, username: str, ip: str | None, user_agent: str, at: datetime.datetime
) -> tuple[int, list[str]]:
    """The score and reason codes of a success now (the module docstring has the rules)."""
    history = list(
        LoginEvent.objects.filter(user=user, outcome=Outcome.SUCCESS, at__lte=at)
        .order_by("-at", "-id")
        .values_list("ip", "user_agent", "at")[:HISTORY]
    )
    failures = len(
        LoginEvent.objects.filter(
            username=username, outcome__in=FAILURES, at__gt=at - FAILURE_WINDOW, at__lte=at
        ).values_list("id", flat=True)[:FAILURES_COUNTED]
    )
    reasons = []
    if history and ip is not None and all(seen != ip for seen, _agent, _at in history):
        reasons.append(NEW_IP)
    family = browser_family(user_agent)
    if history and all(browser_family(agent) != family for _ip, agent, _at in history):
        reasons.append(NEW_BROWSER)
    if len(history) >= USUAL_HOURS_MIN_HISTORY:
        hour = timezone.localtime(at).hour
        near = sum(_near(hour, timezone.localtime(seen).hour) for _ip, _agent, seen in history)
        if near < USUAL_HOURS_MIN_SHARE * len(history):
            reasons.append(UNUSUAL_HOUR)
    score = sum(WEIGHTS[code] for code in reasons)
    if failures:
        reasons.append(RECENT_FAILURES)
        score += RECENT_FAILURE_WEIGHT * failures
    return min(score, MAX_SCORE), reasons


def _user_named(username: str) -> Employee | None:
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()


@transaction.atomic
def event_record(
    *,
    request: HttpRequest,
    outcome: str,
    username: str,
    user: Employee | None = None,
    lock: str = "",
    reasons: list[str] | None = None,
) -> LoginEvent:
    """Record one sign-in event from this request; a success gets its risk, and a high
    one a mail to the security officers after commit. ``lock``: which lock a lockout hit;
    ``reasons``: what else the event says (``CODE_REUSED`` for a bad code)."""
    username = (username or "").replace("\x00", "")[:150]
    if user is None and username:
        user = _user_named(username)
    event = LoginEvent(
        at=timezone.now(),
        username=username,
        user=user,
        ip=client_ip(request),
        user_agent=client_agent(request).replace("\x00", ""),
        outcome=outcome,
        lock=lock or "",
        risk_reasons=list(reasons or []),
    )
    if outcome == Outcome.SUCCESS and user is not None:
        event.risk_score, event.risk_reasons = risk_assess(
            user=user, username=username, ip=event.ip, user_agent=event.user_agent, at=event.at
        )
    event.save()
    if outcome == Outcome.SUCCESS and event.risk_score >= alert_threshold():
        link = request.build_absolute_uri(events_user_timeline_url(event.user_id))
        # robust: a mail server outage is logged, never a failed sign-in.
        transaction.on_commit(lambda: _alert_officers(event, link), robust=True)
        signals.high_risk_sign_in.send(sender=LoginEvent, event=event, link=link)
    if outcome == Outcome.LOCKED_OUT:
        signals.lockout_recorded.send(sender=LoginEvent, event=event)
    return event


def events_user_timeline_url(user_id: uuid.UUID | str | None) -> str:
    return reverse("admin:security_loginevent_user_timeline", args=[user_id])


def officers_to_alert(*, at: datetime.datetime | None = None) -> QuerySet[Employee]:
    """Active people holding the Security officer role now, with an e-mail address."""
    return role_holders(SECURITY_OFFICER, at=at).exclude(email="")


def _alert_officers(event: LoginEvent, link: str) -> None:
    recipients = sorted(officers_to_alert().values_list("email", flat=True))
    if not recipients:
        return
    # The site's language and its format (we do not know each officer's), not that of
    # whoever happened to sign in.
    with override(None):
        names = {
            "user": (event.user.get_full_name() if event.user else "") or event.username,
            "username": event.username,
            "ip": event.ip or gettext("unknown address"),
            "browser": browser_label(event.user_agent),
            "time": moment_in_mail(event.at),
            "score": event.risk_score,
            "reasons": ", ".join(reason_labels(event.risk_reasons)),
            "link": link,
        }
        subject = gettext("High-risk sign-in: %(username)s from %(ip)s") % names
        body = (
            gettext(
                "%(user)s (%(username)s) signed in at %(time)s from %(ip)s with %(browser)s.\n\n"
                "Risk %(score)s: %(reasons)s.\n\n"
                "Their sign-in timeline: %(link)s"
            )
            % names
        )
    send_mail(subject, body, None, recipients)


# --- reads for the security officers' screens ---------------------------------------


def events_of_user(*, user_id: uuid.UUID) -> QuerySet[LoginEvent]:
    return LoginEvent.objects.filter(user_id=user_id).select_related("user").order_by("-at", "-id")


def events_from_ip(*, ip: str) -> QuerySet[LoginEvent]:
    return LoginEvent.objects.filter(ip=ip).select_related("user").order_by("-at", "-id")


def events_summary(events: QuerySet[LoginEvent]) -> dict[str, Any]:
    """First and last seen, a count per outcome, distinct addresses, users and usernames."""
    per_outcome = {value: Count("id", filter=Q(outcome=value)) for value in Outcome.values}
    row = events.order_by().aggregate(
        first=Min("at"),
        last=Max("at"),
        total=Count("id"),
        ips=Count("ip", distinct=True),
        users=Count("user", distinct=True),
        usernames=Count("username", distinct=True),
        **per_outcome,
    )
    row["outcomes"] = [(value, label, row.pop(value)) for value, label in Outcome.choices]
    return row
