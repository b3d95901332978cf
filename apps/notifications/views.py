"""The notification centre and the bell's and banner's small JSON endpoints.

Every read goes through the selectors, which only ever return the viewer's own rows:
another person's notification is a 404 here, and marking it read changes nothing.
"""

import datetime
import uuid
from typing import Any

from django.contrib import admin, messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from apps.core.texts import text_shown
from apps.core.types import AuthedHttpRequest
from apps.notifications import selectors, services
from apps.notifications.models import Kind, Notification

PAGE = 50
LATEST = 5


def _uuid_list(values: list[str]) -> list[str]:
    """The posted ids that are ids at all (anything else names nothing of anyone's)."""
    ids = []
    for value in values[:500]:
        try:
            ids.append(str(uuid.UUID(value)))
        except (ValueError, TypeError, AttributeError):
            continue
    return ids


def _item(row: Notification) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "seq": row.seq,
        "kind": row.kind,
        "text": text_shown(row.text),
        "url": reverse("notifications_open", args=[row.id]),
        "read": row.read_at is not None,
        "created": timezone.localtime(row.created_at).isoformat(),
        # Written as every other moment in the product (backoffice/formats), not the browser's.
        "when": date_format(timezone.localtime(row.created_at), "DATETIME_FORMAT"),
    }


@require_GET
def feed(request: AuthedHttpRequest) -> JsonResponse:
    """The bell's list: the latest five, or (``?since=N``) everything numbered after N."""
    since = request.GET.get("since", "")
    if since.isdigit() and len(since) < 19:
        rows = selectors.notifications_since(request.user, int(since))
    else:
        rows = selectors.notifications_latest(request.user, LATEST)
    return JsonResponse(
        {"unread": selectors.unread_count(request.user), "items": [_item(r) for r in rows]}
    )


@require_POST
def read_all(request: AuthedHttpRequest) -> JsonResponse:
    services.notifications_mark_all_read(user=request.user)
    return JsonResponse({"unread": 0})


@require_GET
def open_notification(request: AuthedHttpRequest, pk: Any) -> HttpResponse:
    """Mark one's own notification read and go to what it is about (404: not one's own)."""
    row = selectors.notifications_of(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404(gettext("No such notification."))
    services.notifications_mark_read(user=request.user, ids=[row.pk])
    target = row.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications_centre")
    return HttpResponseRedirect(target)


def _announcement_item(row: Any) -> dict[str, Any]:
    return services.announcement_event(row)


@require_GET
def announcements_showing(request: AuthedHttpRequest) -> JsonResponse:
    """The banners showing for the viewer now and the live topics new ones arrive on
    (asked by the page's script once it is live, and again after a reconnect)."""
    departments = selectors.audience_departments(request.user)
    rows = selectors.announcements_showing(request.user, departments=departments)
    return JsonResponse(
        {
            "items": [_announcement_item(r) for r in rows],
            "topics": selectors.audience_topics(departments),
        }
    )


@require_POST
def announcement_dismiss(request: AuthedHttpRequest) -> JsonResponse:
    ids = _uuid_list(request.POST.getlist("id"))
    services.announcements_dismiss(user=request.user, ids=ids)
    return JsonResponse({"dismissed": len(ids)})


def _parse_before(raw: str) -> datetime.datetime | None:
    try:
        moment = parse_datetime(raw[:40]) if raw else None
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class CentreView(View):
    """Everyone's own notifications and the announcements meant for them, one list.

    Announcements are not copied into a row per person (100,000 rows for one message to
    everyone); the centre reads them through the viewer's audience and merges the two
    lists by time. A dismissed announcement counts as read.
    """

    template_name = "admin/notifications/centre.html"

    def _rows(self, request: AuthedHttpRequest) -> tuple[list[dict[str, Any]], str]:
        kind = request.GET.get("kind", "")
        state = request.GET.get("state", "")
        before = _parse_before(request.GET.get("before", ""))
        items: list[dict[str, Any]] = []
        if kind != Kind.ANNOUNCEMENT:
            rows = selectors.notifications_of(request.user)
            if kind in Kind.values:
                rows = rows.filter(kind=kind)
            if state in ("read", "unread"):
                rows = rows.filter(read_at__isnull=state == "unread")
            if before is not None:
                rows = rows.filter(created_at__lt=before)
            for row in rows[:PAGE]:
                items.append(
                    {
                        "id": row.id,
                        "kind": row.get_kind_display(),
                        "text": text_shown(row.text),
                        "body": "",
                        "url": reverse("notifications_open", args=[row.id]),
                        "read": row.read_at is not None,
                        "at": row.created_at,
                    }
                )
        if kind in ("", Kind.ANNOUNCEMENT):
            read = {"read": True, "unread": False}.get(state)
            news = selectors.announcements_with_read(request.user, read=read)
            if before is not None:
                news = news.filter(starts_at__lt=before)
            for announcement in news[:PAGE]:
                items.append(
                    {
                        "id": announcement.id,
                        "kind": Kind.ANNOUNCEMENT.label,
                        "text": announcement.title,
                        "body": announcement.body,
                        "url": "",
                        "read": getattr(announcement, "dismissed", False),
                        "at": announcement.starts_at,
                    }
                )
        items.sort(key=lambda i: i["at"], reverse=True)
        more = len(items) > PAGE
        items = items[:PAGE]
        older = items[-1]["at"].isoformat() if items and (more or len(items) == PAGE) else ""
        return items, older

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        items, older = self._rows(request)
        query = request.GET.copy()
        query.pop("before", None)
        if older:
            query["before"] = older
        return render(
            request,
            self.template_name,
            {
                **admin.site.each_context(request),
                "title": gettext("Notifications"),
                "items": items,
                "kinds": Kind.choices,
                "kind": request.GET.get("kind", ""),
                "state": request.GET.get("state", ""),
                "older_query": query.urlencode() if older else "",
                "unread": selectors.unread_count(request.user),
            },
        )

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
        if "mark_all" in request.POST:
            count = services.notifications_mark_all_read(user=request.user)
            count += services.announcements_dismiss_all(user=request.user)
        else:
            ids = _uuid_list(request.POST.getlist("ids"))
            count = services.notifications_mark_read(user=request.user, ids=ids)
            count += services.announcements_dismiss(user=request.user, ids=ids)
        messages.success(request, gettext("Marked %(count)d item(s) read.") % {"count": count})
        back = reverse("notifications_centre")
        query = request.POST.get("query", "")
        if query and url_has_allowed_host_and_scheme(f"{back}?{query}", allowed_hosts=None):
            back = f"{back}?{query}"
        return HttpResponseRedirect(back)
