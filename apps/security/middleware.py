"""The second-factor gate, session lifetimes, the note of each session's last use, and CSP.

Signed in with a password is not signed in yet.

A user whose role requires a second factor (or who has a device) and whose session is
not verified may reach only the code step, enrollment, logout and static files; every
other request goes to the code step (with a device) or to enrollment (without one).

A session ends after an absolute lifetime from sign-in and after a spell without use,
both shorter for people whose role requires a second factor (``SESSION_LIFETIME_HOURS``,
``SESSION_IDLE_MINUTES`` and their ``_OTP`` twins). The limits are fixed the first time a
signed-in session is saved (at sign-in: one role look-up per session); "last used" is the
note the session already keeps (written at most once a minute), so the check adds no query. An
ended session is signed out, its ``UserSession`` row keeps why, and the person lands on
the sign-in page with a message.

Async-capable, as every middleware on each request must be (docs: pitfalls).
"""

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, alogout, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from apps.security import otp, sessions

# Paths a half-signed-in user may reach (prefixes).
_OPEN = (
    "/admin/login/",
    "/admin/logout/",
    "/admin/verify/",
    "/admin/enroll/",
    "/i18n/",
    "/health/",
    "/ready/",
)
_MESSAGES = {
    sessions.ENDED_IDLE: _(
        "You were signed out after a period of inactivity. Please sign in again."
    ),
    sessions.ENDED_LIFETIME: _("Your session has reached its time limit. Please sign in again."),
}


def _gate(request: HttpRequest, user: Any) -> HttpResponse | None:
    """Where an unverified user must go instead, or None to let the request through."""
    path = request.path
    if path.startswith(_OPEN) or path.startswith(settings.STATIC_URL):
        return None
    has_device = bool(otp.devices_confirmed(user))
    if not has_device and not otp.otp_required(user):
        return None
    target = reverse("security_verify" if has_device else "security_enroll")
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(target)


def _session_start(request: HttpRequest) -> None:
    """Record the start and limits of a signed-in session that is being saved anyway.

    That is the sign-in itself (or a "last used" note of a session that predates this), so
    the limits cost one role look-up per session and never a session write of their own.
    """
    request.session[sessions.STARTED_KEY] = timezone.now().timestamp()
    request.session[sessions.LIMITS_KEY] = sessions.session_limits(request.user)


def _to_sign_in(request: HttpRequest, reason: str) -> HttpResponse:
    messages.warning(request, _MESSAGES[reason], fail_silently=True)
    target = reverse("admin:login")
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(target)


def _checked(request: HttpRequest) -> bool:
    return not request.path.startswith(settings.STATIC_URL)


class SecondFactorMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self._is_async = iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self._is_async:
            return self.__acall__(request)
        user = request.user
        session = request.session
        if user.is_authenticated and _checked(request):
            ended = sessions.session_lapsed(
                started=session.get(sessions.STARTED_KEY),
                limits=session.get(sessions.LIMITS_KEY),
                touched=session.get(sessions.TOUCHED_KEY),
                now=timezone.now().timestamp(),
            )
            if ended is not None:
                sessions.session_signed_out(session.session_key, ended)
                logout(request)
                return _to_sign_in(request, ended)
            if not user.is_verified():
                redirect = _gate(request, user)
                if redirect is not None:
                    return redirect
            sessions.session_touch(request)
        response = self.get_response(request)
        if session.modified and SESSION_KEY in session and sessions.STARTED_KEY not in session:
            _session_start(request)
        return response

    async def __acall__(self, request: HttpRequest) -> Awaitable[HttpResponse]:
        user = await request.auser()
        session = request.session
        if user.is_authenticated and _checked(request):
            ended = sessions.session_lapsed(
                started=await session.aget(sessions.STARTED_KEY),
                limits=await session.aget(sessions.LIMITS_KEY),
                touched=await session.aget(sessions.TOUCHED_KEY),
                now=timezone.now().timestamp(),
            )
            if ended is not None:
                await sync_to_async(sessions.session_signed_out)(session.session_key, ended)
                await alogout(request)
                return _to_sign_in(request, ended)
            if not user.is_verified():
                redirect = await sync_to_async(_gate)(request, user)
                if redirect is not None:
                    return redirect
            last = await session.aget(sessions.TOUCHED_KEY, 0)
            if timezone.now().timestamp() - last >= sessions.TOUCH_EVERY:
                await sync_to_async(sessions.session_touch)(request)
        response = await self.get_response(request)
        if (
            session.modified
            and await session.aget(SESSION_KEY) is not None
            and await session.aget(sessions.STARTED_KEY) is None
        ):
            await sync_to_async(_session_start)(request)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware without the thread hop under ASGI.

    Its ``MiddlewareMixin`` runs ``process_request``/``process_response`` through
    ``sync_to_async``; both only build a header, so they run inline here.
    """

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        self.process_request(request)
        response = await self.get_response(request)
        return self.process_response(request, response)
