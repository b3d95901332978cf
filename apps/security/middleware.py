"""The second-factor gate, and the note of each session's last use.

Signed in with a password is not signed in yet.

A user whose role requires a second factor (or who has a device) and whose session is
not verified may reach only the code step, enrollment, logout and static files; every
other request goes to the code step (with a device) or to enrollment (without one).
Signed-in requests also refresh their session's "last seen" (at most once a minute).
Async-capable, as every middleware on each request must be (docs: pitfalls).
"""

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

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
        if user.is_authenticated:
            if not user.is_verified():
                redirect = _gate(request, user)
                if redirect is not None:
                    return redirect
            sessions.session_touch(request)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> Awaitable[HttpResponse]:
        user = await request.auser()
        if user.is_authenticated:
            if not user.is_verified():
                redirect = await sync_to_async(_gate)(request, user)
                if redirect is not None:
                    return redirect
            last = await request.session.aget(sessions.TOUCHED_KEY, 0)
            if timezone.now().timestamp() - last >= sessions.TOUCH_EVERY:
                await sync_to_async(sessions.session_touch)(request)
        return await self.get_response(request)
