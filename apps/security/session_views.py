"""Everyone's "My sessions" page: where they are signed in, and ending the others.

The page names a session by its id, never by its key (the key signs the browser in).
"""

import re

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View

from apps.core.types import AuthedHttpRequest
from apps.security import sessions
from apps.security.events import browser_label
from apps.security.models import UserSession

# A session's id as the page posts it: a positive number of at most 18 ASCII digits (a
# BigAutoField's range); anything else is no session of this person's.
_ID = re.compile(r"[1-9][0-9]{0,17}")


def _own_active_session(request: AuthedHttpRequest) -> UserSession:
    """The person's own live session the form names by id, or a 404 (someone else's too)."""
    value = request.POST.get("session", "")
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise Http404(gettext("No such session."))
    row = UserSession.objects.filter(
        pk=int(value), user=request.user, ended_at__isnull=True
    ).first()
    if row is None:
        raise Http404(gettext("No such session."))
    return row


class MySessionsView(View):
    template_name = "admin/security/my_sessions.html"

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        current = request.session.session_key
        rows = [
            {
                "session": row,
                "browser": browser_label(row.user_agent),
                "current": row.session_key == current,
            }
            for row in sessions.sessions_active(request.user)
        ]
        return render(
            request,
            self.template_name,
            {**admin.site.each_context(request), "title": gettext("My sessions"), "rows": rows},
        )

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
        if "end_others" in request.POST:
            ended = sessions.sessions_end_others(
                user=request.user, current_key=request.session.session_key
            )
            messages.success(
                request, gettext("Ended %(count)d other session(s).") % {"count": ended}
            )
            return HttpResponseRedirect(reverse("security_my_sessions"))
        row = _own_active_session(request)
        try:
            sessions.session_end(actor=request.user, session=row)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("The session was ended."))
        if row.session_key == request.session.session_key:
            return HttpResponseRedirect(reverse("admin:login"))
        return HttpResponseRedirect(reverse("security_my_sessions"))
