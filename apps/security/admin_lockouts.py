"""Security officers' screens: current lockouts (unlock with a reason), everyone's
sessions (end them with a reason) and the log of what officers did."""

import ipaddress
from typing import TYPE_CHECKING, Any

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import action, display

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from apps.core.admin import ReadOnlyLogAdmin, ReasonForm
from apps.core.texts import text_shown
from apps.core.types import ChangeListMixinBase, signed_in
from apps.security import lockout, sessions
from apps.security.events import browser_label
from apps.security.models import Lockout, LoginEvent, SecurityAction, UserSession
from apps.security.times import moment_shown

Lock = LoginEvent.Lock

UNLOCK_PERM = "security.unlock_user"


class LockFilter(admin.SimpleListFilter):
    title = _("lock")
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, "StrOrPromise"]]:
        return [(lockout.USERNAME, Lock.USERNAME.label), (lockout.ADDRESS, Lock.ADDRESS.label)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value in (lockout.USERNAME, lockout.ADDRESS):
            return queryset.filter(lockout.locked_q(value))
        return queryset


class LockedUntilChangeList(ChangeListMixinBase):
    """Each record of the page learns when its lock lifts by itself (one query a page)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.result_list = list(self.result_list)
        lockout.locked_until_set(self.result_list)


@admin.register(Lockout)
class LockoutAdmin(ReadOnlyLogAdmin[Lockout]):
    """What is locked now: usernames locked from an address, and addresses locked for every
    username. Unlocking (a row, or the selected rows) needs a reason and is logged."""

    list_display = (
        "last_failure",
        "username",
        "address",
        "failures",
        "state",
        "locked_until",
    )
    list_filter = (LockFilter,)
    search_fields = ("username",)  # and an exact IP address: get_search_results
    ordering = ("-attempt_time", "-id")
    actions = ("unlock_selected",)
    actions_row = ("unlock_row",)
    fields = ("username", "ip_address", "user_agent", "attempt_time", "failures_since_start")
    readonly_fields = fields
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lockout]:
        return lockout.lockouts_current()

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type:
        base: type = super().get_changelist(request, **kwargs)
        return type("LockoutChangeList", (LockedUntilChangeList, base), {})

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

    @display(description=_("last failure"), ordering="attempt_time")
    def last_failure(self, obj: Lockout) -> str:
        return moment_shown(obj.attempt_time)

    @display(description=_("IP address"), ordering="ip_address")
    def address(self, obj: Lockout) -> str:
        return obj.ip_address or "—"

    @display(description=_("failures"), ordering="username_failures")
    def failures(self, obj: Lockout) -> str:
        count: int = getattr(obj, "username_failures", 0)
        if lockout.record_lock(obj) != lockout.ADDRESS:
            return str(count)
        return gettext("%(count)d (%(address)d from the address)") % {
            "count": count,
            "address": getattr(obj, "address_failures", 0),
        }

    @display(description=_("lock"), label={True: "danger", False: "warning"})
    def state(self, obj: Lockout) -> tuple[bool, str]:
        lock = lockout.record_lock(obj) or lockout.USERNAME
        return lock == lockout.ADDRESS, str(Lock(lock).label)

    @display(description=_("locked until"))
    def locked_until(self, obj: Lockout) -> str:
        until = getattr(obj, "locked_until", None)
        if until is None:
            return "—"
        return moment_shown(until)

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

    @action(description=_("Unlock…"), url_path="unlock", icon="lock_open", permissions=["unlock"])
    def unlock_row(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """One row's lock: a page that says what it clears and asks why, then the list."""
        raw = str(object_id)
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
            raise Http404(_("No such record."))
        attempt = get_object_or_404(self.get_queryset(request), pk=int(raw))
        lock = lockout.record_lock(attempt)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                lockout.lockout_unlock(
                    actor=signed_in(request),
                    attempts=AccessAttempt.objects.filter(pk=attempt.pk),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error("reason", exc)
            else:
                self.message_user(request, _unlocked_message(attempt, lock), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:security_lockout_changelist"))
        cleared = Lockout.objects.filter(
            pk__in=lockout.lock_records(attempt, lock).values("pk")
        ).order_by("username", "id")
        return TemplateResponse(
            request,
            "admin/core/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Unlock sign-ins"),
                "intro": (
                    _(
                        "Lift the lock on this address: every username can sign in from it "
                        "again now. These failures are cleared:"
                    )
                    if lock == lockout.ADDRESS
                    else _("Clear these failures so the person can sign in again now:")
                ),
                "submit_label": _("Unlock"),
                "submit_testid": "confirm-unlock",
                "form": form,
                "media": self.media + form.media,
                "queryset": cleared,
                "opts": self.model._meta,
                "action_name": "unlock_row",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
            status=400 if form.is_bound else 200,
        )


def _unlocked_message(attempt: Lockout, lock: str | None) -> str:
    if lock == lockout.ADDRESS:
        return gettext("Unlocked the address %(ip)s for every username.") % {
            "ip": attempt.ip_address
        }
    return gettext("Unlocked %(username)s from %(ip)s.") % {
        "username": attempt.username,
        "ip": attempt.ip_address,
    }


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
    """Everyone's sessions; a security officer ends them with a reason (logged).

    Rows are named by their id (checkboxes, links); the session key, which signs the
    browser in, is never shown, searched or sorted on.
    """

    exclude = ("session_key",)
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
