"""The verified device, the second-factor gate, session lifetimes, the note of each
session's last use, and CSP.

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

``OTPSessionMiddleware`` replaces django-otp's middleware, which reads the verified
device on every request (+1 query, about 8% of a list page): a session that passed the
code step keeps the person and device it passed with (``sessions.VERIFIED_KEY``), and an
ordinary request trusts that. The device is still read as django-otp reads it on the
requests that note the session's use (at most once a minute, a write they make anyway),
and every session of a person is sent back to that read when one of their devices is
deleted or unconfirmed (``sessions.sessions_unverify``, from the device signals): an
officer's device reset still puts the person back at the code step on their next request.
(A request of that session in flight at that moment may save the note back with its own
session write; the once-a-minute read bounds that to a minute.)
``request.user.is_verified()`` and ``request.user.otp_device`` behave as django-otp's (the
device is read if something uses it).

Async-capable, as every middleware on each request must be (docs: pitfalls).
"""

import functools
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, alogout, logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

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


def _recheck_due(touched: float | None) -> bool:
    """Is this a request that notes the session's use (``sessions.session_touch``)?"""
    return timezone.now().timestamp() - (touched or 0) >= sessions.TOUCH_EVERY


def _user_id(user: Any) -> str:
    return user._meta.pk.value_to_string(user)


class OTPSessionMiddleware(OTPMiddleware):
    """django-otp's middleware, trusting the session's note of the code step between
    device reads (see the module)."""

    def __call__(self, request: HttpRequest) -> Any:
        if self._is_async:
            return self.__acall__(request)
        self._install_lazy_accessors(request)
        response = self.get_response(request)
        self._note_code_step(request)
        return response

    async def __acall__(self, request: HttpRequest) -> Any:
        self._install_lazy_accessors(request)
        response = await self.get_response(request)
        if getattr(request, "session", None) is not None and request.session.modified:
            await sync_to_async(self._note_code_step)(request)
        return response

    @staticmethod
    def _note_code_step(request: HttpRequest) -> None:
        """After ``django_otp.login`` (the code step): note the device in the session,
        which is being saved anyway."""
        session = getattr(request, "session", None)
        if session is None or not session.modified:
            return
        persistent_id = session.get(DEVICE_ID_SESSION_KEY)
        stamp = sessions.session_verified_stamp(session.get(SESSION_KEY), persistent_id)
        if stamp is None or session.get(sessions.VERIFIED_KEY) == stamp:
            return
        device = getattr(getattr(request, "user", None), "otp_device", None)
        if (
            isinstance(device, Device)
            and device.persistent_id == persistent_id
            and device.confirmed
            and str(device.user_id) == stamp[0]
        ):
            session[sessions.VERIFIED_KEY] = stamp

    def _trusted(self, request: HttpRequest, user: Any, persistent_id: str, mark: Any) -> bool:
        return mark is not None and mark == sessions.session_verified_stamp(
            _user_id(user), persistent_id
        )

    def _settle(self, request: HttpRequest, user: Any, persistent_id: str, device: Any) -> None:
        """As django-otp: the device read, bound to the user and confirmed, or none."""
        user.otp_device = self._finalize_device(request, user, device)
        stamp = sessions.session_verified_stamp(_user_id(user), persistent_id)
        if user.otp_device is None:
            request.session.pop(sessions.VERIFIED_KEY, None)
        elif request.session.get(sessions.VERIFIED_KEY) != stamp:
            request.session[sessions.VERIFIED_KEY] = stamp

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        self._init_user_fields(user)
        if not user.is_authenticated:
            return user
        session = request.session
        persistent_id = session.get(DEVICE_ID_SESSION_KEY)
        if not persistent_id:
            session.pop(sessions.VERIFIED_KEY, None)
            return user
        mark = session.get(sessions.VERIFIED_KEY)
        if self._trusted(request, user, persistent_id, mark) and not _recheck_due(
            session.get(sessions.TOUCHED_KEY)
        ):
            user.otp_device = SimpleLazyObject(
                functools.partial(self._device_from_persistent_id, persistent_id)
            )
            return user
        self._settle(request, user, persistent_id, self._device_from_persistent_id(persistent_id))
        return user

    async def _verify_user_async_via_auser(self, request: HttpRequest, auser: Any) -> Any:
        user = await auser()
        self._init_user_fields(user)
        if not user.is_authenticated:
            return user
        session = request.session
        persistent_id = await session.aget(DEVICE_ID_SESSION_KEY)
        if not persistent_id:
            await session.apop(sessions.VERIFIED_KEY, None)
            return user
        mark = await session.aget(sessions.VERIFIED_KEY)
        if self._trusted(request, user, persistent_id, mark) and not _recheck_due(
            await session.aget(sessions.TOUCHED_KEY)
        ):
            user.otp_device = SimpleLazyObject(
                functools.partial(self._device_from_persistent_id, persistent_id)
            )
            return user
        device = await self._adevice_from_persistent_id(persistent_id)
        self._settle(request, user, persistent_id, device)
        return user


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
    if request.user.is_authenticated:
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

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
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

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        self.process_request(request)
        # MiddlewareMixin calls __acall__ only when get_response is a coroutine function.
        response = await self.get_response(request)  # type: ignore[misc]  # sync | async union
        return self.process_response(request, response)
