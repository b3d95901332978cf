"""Security officers' screens: current lockouts (unlock with a reason), everyone's
sessions (end them with a reason) and the log of what officers did."""

import ipaddress
from typing import TYPE_CHECKING, Any

from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import action, display

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from apps.core.admin import ReadOnlyLogAdmin, ReasonForm
from apps.core.texts import text_shown
from apps.core.types import signed_in
from apps.security import lockout, sessions
from apps.security.events import browser_label
from apps.security.models import Lockout, LoginEvent, SecurityAction, UserSession

Lock = LoginEvent.Lock

UNLOCK_PERM = "security.unlock_user"


class LockedFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, "StrOrPromise"]]:
        return [
            ("yes", _("locked")),
            (lockout.USERNAME, Lock.USERNAME.label),
            (lockout.ADDRESS, Lock.ADDRESS.label),
            ("no", _("failures below the limit")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "yes":
            return queryset.filter(lockout.locked_q())
        if value in (lockout.USERNAME, lockout.ADDRESS):
            return queryset.filter(lockout.locked_q(value))
        if value == "no":
            return queryset.exclude(lockout.locked_q())
        return queryset


@admin.register(Lockout)
class LockoutAdmin(ReadOnlyLogAdmin[Lockout]):
    """Failure records inside the cool-off window; unlocking needs a reason."""

    list_display = ("attempt_time", "username", "ip_address", "failures_since_start", "state")
    list_filter = (LockedFilter,)
    search_fields = ("username",)  # and an exact IP address: get_search_results
    ordering = ("-attempt_time",)
    actions = ("unlock_selected",)
    fields = ("username", "ip_address", "user_agent", "attempt_time", "failures_since_start")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lockout]:
        return lockout.lockouts_current()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # ip_address is an inet column on PostgreSQL: match an address exactly, never LIKE.
        term = search_term.strip()[:150]
        if not term:
            return queryset, False
        if _is_ip(term):
            return queryset.filter(ip_address=term), False
        return queryset.filter(username__icontains=term), False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(UNLOCK_PERM)

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(UNLOCK_PERM)

    @display(description=_("state"), label={True: "danger", False: "warning"})
    def state(self, obj: AccessAttempt) -> tuple[bool, str]:
        lock = lockout.record_lock(obj)
        if lock is None:
            return False, str(_("failures below the limit"))
        return True, gettext("locked: %(lock)s") % {"lock": Lock(lock).label}

    @action(description=_("Unlock…"), permissions=["unlock"])
    def unlock_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        submitted = request.POST.get("post") == "yes"
        return self.form_action(
            request,
            queryset,
            form=ReasonForm(request.POST if submitted else None),
            action_name="unlock_selected",
            title=_("Unlock sign-ins"),
            intro=_("Clear these failures so the people can sign in again now:"),
            submit_label=_("Unlock"),
            submit_testid="confirm-unlock",
            service=lambda attempt, data: lockout.lockout_unlock(
                actor=signed_in(request),
                attempts=AccessAttempt.objects.filter(pk=attempt.pk),
                reason=data["reason"],
            ),
            done=lambda n: (
                ngettext("Unlocked %(count)d sign-in.", "Unlocked %(count)d sign-ins.", n)
                % {"count": n}
            ),
        )


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


@admin.register(SecurityAction)
class SecurityActionAdmin(ReadOnlyLogAdmin[SecurityAction]):
    """Read-only: written by the security services, never by hand."""

    list_display = ("at", "kind", "user", "shown_target", "shown_reason", "actor")
    list_filter = ("kind", ("at", RangeDateTimeFilter))
    list_filter_submit = True
    list_select_related = ("user", "actor")
    search_fields = ("user__username", "actor__username", "target")
    ordering = ("-at", "-id")

    # Services store msgids ("E-mail code device") or an officer's own words: both are
    # shown in the reader's language (apps.core.texts).
    # On the entry's page too: the stored columns give way to their shown forms.
    exclude = ("target", "reason")
    readonly_fields = ("shown_target", "shown_reason")

    @display(description=_("what"), ordering="target")
    def shown_target(self, obj: SecurityAction) -> str:
        return text_shown(obj.target)

    @display(description=_("reason"), ordering="reason")
    def shown_reason(self, obj: SecurityAction) -> str:
        return text_shown(obj.reason)


class ActiveFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, "StrOrPromise"]]:
        return [("yes", _("active")), ("no", _("ended"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(ended_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(ended_at__isnull=False)
        return queryset


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyLogAdmin[UserSession]):
    """Everyone's sessions; a security officer ends them with a reason (logged)."""

    list_display = ("user", "browser", "ip", "created_at", "last_seen", "ended_at", "why_ended")
    list_filter = (ActiveFilter, ("last_seen", RangeDateTimeFilter))
    list_filter_submit = True
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    ordering = ("-last_seen",)
    actions = ("end_selected",)

    def has_end_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("security.revoke_sessions")

    @display(description=_("browser"))
    def browser(self, obj: UserSession) -> str:
        return browser_label(obj.user_agent)

    @display(description=_("why it ended"), ordering="end_reason")
    def why_ended(self, obj: UserSession) -> str:
        # Stored as a msgid (apps.security.sessions) or an officer's words: shown translated.
        return text_shown(obj.end_reason)

    @action(description=_("End sessions…"), permissions=["end"])
    def end_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        submitted = request.POST.get("post") == "yes"
        return self.form_action(
            request,
            queryset.filter(ended_at__isnull=True).select_related("user"),
            form=ReasonForm(request.POST if submitted else None),
            action_name="end_selected",
            title=_("End sessions"),
            intro=_("Sign these sessions out now; their next request goes to the sign-in page:"),
            submit_label=_("End sessions"),
            submit_testid="confirm-end-sessions",
            service=lambda row, data: sessions.sessions_end_for(
                actor=signed_in(request), user=row.user, reason=data["reason"], only=[row]
            ),
            done=lambda n: (
                ngettext("Ended %(count)d session.", "Ended %(count)d sessions.", n) % {"count": n}
            ),
        )
