"""The second sign-in step, enrollment, backup codes and the lockout page.

Each page renders in the admin's look (unfold's sign-in layout before the code is
verified, the admin layout after); the rules are in ``apps.security.otp``.
"""

import datetime
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_otp import login as otp_login
from unfold.widgets import INPUT_CLASSES

from apps.security import otp
from apps.security.events import event_record
from apps.security.lockout import failures_clear
from apps.security.models import LoginEvent


class CodeForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("sign-in", "Code"),
        max_length=otp.CODE_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "class": " ".join(INPUT_CLASSES),
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
            }
        ),
        help_text=_("Six digits from your authenticator app, or one of your backup codes."),
    )

    def clean_code(self) -> str:
        raw = self.cleaned_data["code"]
        otp.code_normalize(raw)  # shape only; the device decides
        return raw


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "next": _next(request), **extra}


def _credentials(request: HttpRequest) -> dict[str, str]:
    return {settings.AXES_USERNAME_FORM_FIELD: request.user.get_username()}


def _event(request: HttpRequest, outcome: str) -> None:
    event_record(
        request=request, outcome=outcome, username=request.user.get_username(), user=request.user
    )


def lockout_response(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """The page a locked-out person sees: when to retry and whom to contact (429)."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)  # a half-signed-in session must not survive its lockout
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(
        request,
        "admin/security/locked_out.html",
        {
            **admin.site.each_context(request),
            "title": gettext("Too many failed attempts"),
            "minutes": minutes,
            "retry_at": formats.time_format(
                timezone.localtime() + datetime.timedelta(minutes=minutes), "H:i"
            ),
        },
        status=429,
    )


class VerifyView(View):
    """Step two: a code from the authenticator app, a backup code or an e-mailed code."""

    template_name = "admin/security/verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("admin:login"))
        if request.user.is_verified():
            return HttpResponseRedirect(_next(request))
        if not otp.devices_confirmed(request.user):
            return HttpResponseRedirect(reverse("security_enroll"))
        if not AxesProxyHandler.is_allowed(request, _credentials(request)):
            return lockout_response(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if "send_email" in request.POST:
            try:
                otp.email_code_send(request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, gettext("A code is on its way to your e-mail address."))
            return self._render(request, CodeForm())
        form = CodeForm(request.POST)
        device = None
        if form.is_valid():
            device = otp.code_verify(request.user, form.cleaned_data["code"])
            if device is None:
                form.add_error("code", gettext("That code is not valid or was already used."))
        if device is None:
            # A wrong or malformed code is a failed sign-in: django-axes counts it.
            user_login_failed.send(
                sender=__name__, credentials=_credentials(request), request=request
            )
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)  # the lockout is the event (signals.py)
            _event(request, LoginEvent.Outcome.BAD_CODE)
            return self._render(request, form, status=400)
        otp_login(request, device)
        failures_clear(request, request.user.get_username())  # the whole sign-in succeeded
        _event(request, LoginEvent.Outcome.SUCCESS)
        return HttpResponseRedirect(_next(request))

    def _render(self, request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
        context = _context(
            request,
            title=gettext("Enter your code"),
            form=form,
            has_email=otp.EmailDevice.objects.filter(user=request.user, confirmed=True).exists(),
        )
        return render(request, self.template_name, context, status=status)


class EnrollView(View):
    """Set up the authenticator app: QR code and key, confirmed by a first valid code."""

    template_name = "admin/security/enroll.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("admin:login"))
        if otp.devices_confirmed(request.user) and not request.user.is_verified():
            return HttpResponseRedirect(reverse("security_verify"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CodeForm(request.POST)
        device = otp.totp_pending(request.user)
        if form.is_valid():
            try:
                codes = otp.totp_confirm(
                    user=request.user, device=device, code=form.cleaned_data["code"]
                )
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                otp_login(request, device)
                failures_clear(request, request.user.get_username())
                _event(request, LoginEvent.Outcome.SUCCESS)
                return render(
                    request,
                    "admin/security/backup_codes.html",
                    _context(request, title=gettext("Your backup codes"), codes=codes),
                )
        return self._render(request, form, status=400)

    def _render(self, request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
        device = otp.totp_pending(request.user)
        context = _context(
            request,
            title=gettext("Set up two-factor sign-in"),
            form=form,
            qr_svg=otp.totp_qr_svg(device),
            secret=otp.totp_secret(device),
            required=otp.otp_required(request.user),
        )
        return render(request, self.template_name, context, status=status)


class BackupCodesView(View):
    """How many backup codes are left; a new set (shown once) replaces the old one."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "admin/security/backup_codes.html",
            _context(
                request,
                title=gettext("Backup codes"),
                left=otp.backup_codes_left(request.user),
                enrolled=bool(otp.devices_confirmed(request.user)),
            ),
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            codes = otp.backup_codes_regenerate(user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("security_backup_codes"))
        return render(
            request,
            "admin/security/backup_codes.html",
            _context(request, title=gettext("Your new backup codes"), codes=codes),
        )
