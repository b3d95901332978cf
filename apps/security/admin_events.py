"""Login events for security officers: a read-only list, and a timeline per user and per IP."""

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import display
from unfold.views import UnfoldModelAdminViewMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from apps.core.admin import ReadOnlyLogAdmin
from apps.org.models import Employee
from apps.security import events
from apps.security.models import LoginEvent

VIEW_PERM = "security.view_loginevent"
TIMELINE_PAGE = 100
OUTCOME_BADGES = {
    LoginEvent.Outcome.SUCCESS: "success",
    LoginEvent.Outcome.BAD_PASSWORD: "warning",
    LoginEvent.Outcome.BAD_CODE: "warning",
    LoginEvent.Outcome.LOCKED_OUT: "danger",
    LoginEvent.Outcome.LOGOUT: "info",
}
RISK_BADGES = {events.LOW: "info", events.MEDIUM: "warning", events.HIGH: "danger"}


class RiskLevelFilter(admin.SimpleListFilter):
    title = _("risk")
    parameter_name = "risk"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(events.RISK_LEVELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is not None and value in events.RISK_LEVELS:
            return queryset.filter(events.risk_level_q(value))
        return queryset


def ip_timeline_url(ip: str) -> str:
    return reverse("admin:security_loginevent_ip_timeline", args=[ip])


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyLogAdmin[LoginEvent]):
    """Read-only: events are recorded by the sign-in (apps.security.events)."""

    list_display = (
        "at",
        "username",
        "user_link",
        "ip_link",
        "browser",
        "outcome_badge",
        "risk_badge",
        "reasons",
    )
    list_filter = ("outcome", "lock", ("at", RangeDateTimeFilter), RiskLevelFilter)
    list_filter_submit = True
    list_select_related = ("user",)
    search_fields = ("username",)  # and an exact IP address: get_search_results
    ordering = ("-at", "-id")
    list_per_page = 50
    fields = (
        "at",
        "username",
        "user",
        "ip",
        "user_agent",
        "outcome",
        "lock",
        "risk_score",
        "reasons",
    )
    readonly_fields = fields

    def get_urls(self) -> list[URLPattern]:
        by_user = self.admin_site.admin_view(UserTimelineView.as_view(model_admin=self))
        by_ip = self.admin_site.admin_view(IpTimelineView.as_view(model_admin=self))
        # Before the inherited ones: their "<path:object_id>/" would swallow "timeline/".
        return [
            path("timeline/user/<str:user_id>/", by_user, name="security_loginevent_user_timeline"),
            path("timeline/ip/<str:ip>/", by_ip, name="security_loginevent_ip_timeline"),
            *super().get_urls(),
        ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # ip is an inet column on PostgreSQL: match an address exactly, never LIKE.
        term = search_term.replace("\x00", "").strip()[:150]
        if not term:
            return queryset, False
        ip = events.ip_normalize(term)
        if ip is not None:
            return queryset.filter(ip=ip), False
        return queryset.filter(username__icontains=term), False

    @display(description=_("user"), ordering="user__username")
    def user_link(self, obj: LoginEvent) -> str:
        if obj.user is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', events.events_user_timeline_url(obj.user_id), obj.user
        )

    @display(description=_("IP address"), ordering="ip")
    def ip_link(self, obj: LoginEvent) -> str:
        if not obj.ip:
            return "—"
        return format_html('<a href="{}">{}</a>', ip_timeline_url(obj.ip), obj.ip)

    @display(description=_("browser"))
    def browser(self, obj: LoginEvent) -> str:
        return format_html(
            '{}<span class="block text-xs truncate bo-max-w-12" title="{}">{}</span>',
            events.browser_label(obj.user_agent),
            obj.user_agent,
            obj.user_agent,
        )

    @display(description=_("outcome"), label=OUTCOME_BADGES, ordering="outcome")
    def outcome_badge(self, obj: LoginEvent) -> tuple[str, str]:
        return obj.outcome, events.outcome_label(obj)

    @display(description=_("risk"), label=RISK_BADGES, ordering="risk_score")
    def risk_badge(self, obj: LoginEvent) -> tuple[str, str] | str:
        if obj.outcome != LoginEvent.Outcome.SUCCESS:
            return ""
        level = events.risk_level(obj.risk_score)
        return level, f"{events.RISK_LEVELS[level]} · {obj.risk_score}"

    @display(description=_("risk reasons"), label=True)
    def reasons(self, obj: LoginEvent) -> list[str]:
        if obj.outcome != LoginEvent.Outcome.SUCCESS:
            return []  # a failure's note is in its outcome (events.outcome_label)
        return events.reason_labels(obj.risk_reasons or [])


class _TimelineView(UnfoldModelAdminViewMixin, TemplateView):
    title: "StrOrPromise"  # the subclass's, then the heading of the page drawn
    permission_required = (VIEW_PERM,)
    template_name = "admin/security/timeline.html"

    def timeline(self) -> tuple[str, QuerySet[LoginEvent], str]:
        """The heading, the events and which column links onward ("user" or "ip")."""
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        heading, found, link = self.timeline()
        page = Paginator(found, TIMELINE_PAGE).get_page(self.request.GET.get("page"))
        rows = [
            {
                "event": event,
                "badge": OUTCOME_BADGES.get(event.outcome),
                "outcome": events.outcome_label(event),
                "risk_badge": RISK_BADGES[events.risk_level(event.risk_score)],
                "reasons": events.reason_labels(event.risk_reasons or []),
                "browser": events.browser_label(event.user_agent),
                "user_url": events.events_user_timeline_url(event.user_id) if event.user_id else "",
                "ip_url": ip_timeline_url(event.ip) if event.ip else "",
            }
            for event in page.object_list
        ]
        summary = events.events_summary(found)
        counts = [
            {"text": f"{label}: {count}", "badge": OUTCOME_BADGES[value] if count else ""}
            for value, label, count in summary["outcomes"]
        ]
        self.title = heading
        return super().get_context_data(
            **kwargs,
            opts=LoginEvent._meta,
            summary=summary,
            counts=counts,
            page_obj=page,
            rows=rows,
            link=link,
        )


class UserTimelineView(_TimelineView):
    title = _("Sign-in timeline")

    def timeline(self) -> tuple[str, QuerySet[LoginEvent], str]:
        try:
            user_id = uuid.UUID(self.kwargs["user_id"])
        except ValueError as exc:
            raise Http404(_("No such record.")) from exc
        user = get_object_or_404(Employee, pk=user_id)
        name = user.get_full_name() or user.username
        heading = _("Sign-in timeline of %(name)s") % {"name": name}
        return str(heading), events.events_of_user(user_id=user.pk), "ip"


class IpTimelineView(_TimelineView):
    title = _("Sign-in timeline")

    def timeline(self) -> tuple[str, QuerySet[LoginEvent], str]:
        ip = events.ip_normalize(self.kwargs["ip"])
        if ip is None:
            raise Http404(_("No such record."))
        heading = _("Sign-ins from %(ip)s") % {"ip": ip}
        return str(heading), events.events_from_ip(ip=ip), "user"
