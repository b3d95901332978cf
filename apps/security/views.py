"""The second sign-in step, enrollment, backup codes and the lockout page.

Each page renders in the admin's look (unfold's sign-in layout before the code is
verified, the admin layout after); the rules are in ``apps.security.otp``.
"""

import datetime
from typing import TYPE_CHECKING, Any

from axes.conf import settings as axes_settings  # Django's settings, with axes' defaults
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_email.models import EmailDevice
from unfold.widgets import INPUT_CLASSES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from apps.core.types import AuthedHttpRequest
from apps.security import lockout, otp, sessions
from apps.security.events import CODE_REUSED, event_record
from apps.security.models import LoginEvent
from apps.security.times import time_shown


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
        raw: str = self.cleaned_data["code"]
        otp.code_normalize(raw)  # shape only; the device decides
        return raw


CODE_REUSED_MESSAGE = gettext_noop(
    "That code was already used. Wait for the next code in your authenticator app "
    "(a new one every 30 seconds) and enter it."
)

# Named "password" (it usually is one): django-axes masks a field of that name in the
# request data it keeps with each failure, and password managers fill it in.
PROOF_FIELD = "password"


def _proof_field(help_text: "StrOrPromise", *, autofocus: bool = False) -> forms.CharField:
    attrs: dict[str, Any] = {
        "class": " ".join(INPUT_CLASSES),
        "autocomplete": "current-password",
        "data-testid": "proof",
    }
    if autofocus:
        attrs["autofocus"] = True
    return forms.CharField(
        label=_("Your password or a current code"),
        max_length=otp.PROOF_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs=attrs),
        help_text=help_text,
    )


class ProofForm(forms.Form):
    """Who is asking for new backup codes: a current code or the password."""

    password = _proof_field(
        _(
            "Confirm it is you: your password, a code from your authenticator app or one of "
            "your backup codes."
        )
    )


class EnrollForm(CodeForm):
    """The first code of the new app; when it replaces a second factor, a proof first."""

    def __init__(self, *args: Any, proof_needed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.help_text = _("The six digits the app shows for this key.")
        if proof_needed:
            code.widget.attrs.pop("autofocus", None)
            proof = _proof_field(
                _(
                    "You already have two-factor sign-in. To replace it, give your password, "
                    "a code from your current app or one of your backup codes."
                ),
                autofocus=True,
            )
            self.fields = {PROOF_FIELD: proof, "code": code}


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
    return {axes_settings.AXES_USERNAME_FORM_FIELD: request.user.get_username()}


def _event(request: AuthedHttpRequest, outcome: str, reasons: list[str] | None = None) -> None:
    event_record(
        request=request,
        outcome=outcome,
        username=request.user.get_username(),
        user=request.user,
        reasons=reasons,
    )


def _code_step_passed(request: AuthedHttpRequest, device: Any) -> None:
    """Mark the session verified under a new key, and forget this sign-in's failures."""
    otp_login(request, device)
    sessions.session_rekey(request)
    lockout.failures_clear(request, request.user.get_username())


def _proof_refused(
    request: AuthedHttpRequest, refusal: otp.IdentityNotConfirmed
) -> HttpResponse | None:
    """A wrong proof is a failed sign-in (django-axes counts it): the lockout page once it
    locks, else a recorded wrong code or password and None."""
    user_login_failed.send(sender=__name__, credentials=_credentials(request), request=request)
    if getattr(request, "axes_locked_out", False):
        return lockout_response(request)  # the lockout is the event (signals.py)
    looked_like_code = refusal.code == otp.PROOF_CODE
    _event(
        request,
        LoginEvent.Outcome.BAD_CODE if looked_like_code else LoginEvent.Outcome.BAD_PASSWORD,
    )
    return None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: Any = None,
    *args: Any,
    **kwargs: Any,
) -> HttpResponse:
    """The page a locked-out person sees: which lock, when to retry, whom to contact (429).

    Called by django-axes (``AXES_LOCKOUT_CALLABLE``; its async middleware passes the
    credentials where the response should be, so they are read from the request too) and
    by the views here.
    """
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if not credentials:
        credentials = getattr(request, "axes_credentials", None)
    if not credentials and signed_in:
        credentials = _credentials(request)
    lock = lockout.lock_reached(request, credentials) or lockout.USERNAME
    if signed_in:
        logout(request)  # no session survives its lockout (half signed in, or guessing a proof)
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(
        request,
        "admin/security/locked_out.html",
        {
            **admin.site.each_context(request),
            "title": gettext("Too many failed attempts"),
            "lock": lock,
            "minutes": minutes,
            "retry_at": time_shown(timezone.now() + datetime.timedelta(minutes=minutes)),
        },
        status=429,
    )


class VerifyView(View):
    """Step two: a code from the authenticator app, a backup code or an e-mailed code."""

    request: AuthedHttpRequest  # behind login (dispatch or the URLconf sees to it)

    template_name = "admin/security/verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("admin:login"))
        if request.user.is_verified():
            return HttpResponseRedirect(_next(request))
        if not otp.devices_confirmed(request.user):
            return HttpResponseRedirect(reverse("security_enroll"))
        if not AxesProxyHandler.is_allowed(request, _credentials(request)):
            return lockout_response(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        return self._render(request, CodeForm())

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
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
        reused = False
        if form.is_valid():
            device = otp.code_verify(request.user, form.cleaned_data["code"])
            reused = device is None and otp.code_reused(request.user, form.cleaned_data["code"])
            if reused:
                form.add_error("code", gettext(CODE_REUSED_MESSAGE))
            elif device is None:
                form.add_error("code", gettext("That code is not valid or was already used."))
        if device is None:
            # A wrong or malformed code is a failed sign-in: django-axes counts it.
            user_login_failed.send(
                sender=__name__, credentials=_credentials(request), request=request
            )
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)  # the lockout is the event (signals.py)
            _event(request, LoginEvent.Outcome.BAD_CODE, [CODE_REUSED] if reused else None)
            return self._render(request, form, status=400)
        _code_step_passed(request, device)
        _event(request, LoginEvent.Outcome.SUCCESS)
        return HttpResponseRedirect(_next(request))

    def _render(
        self, request: AuthedHttpRequest, form: CodeForm, status: int = 200
    ) -> HttpResponse:
        context = _context(
            request,
            title=gettext("Enter your code"),
            form=form,
            has_email=EmailDevice.objects.filter(user=request.user, confirmed=True).exists(),
        )
        return render(request, self.template_name, context, status=status)


class EnrollView(View):
    """Set up the authenticator app: QR code and key, confirmed by a first valid code.

    Replacing a confirmed second factor also needs a proof in the same form.
    """

    request: AuthedHttpRequest  # behind login (dispatch or the URLconf sees to it)

    template_name = "admin/security/enroll.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("admin:login"))
        if otp.devices_confirmed(request.user) and not request.user.is_verified():
            return HttpResponseRedirect(reverse("security_verify"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        return self._render(request, self._form())

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        if PROOF_FIELD in form.fields and not AxesProxyHandler.is_allowed(
            request, _credentials(request)
        ):
            return lockout_response(request)
        device = otp.totp_pending(request.user)
        first_sign_in = not request.user.is_verified()
        try:
            codes = otp.totp_confirm(
                user=request.user,
                device=device,
                code=form.cleaned_data["code"],
                proof=form.cleaned_data.get(PROOF_FIELD, ""),
            )
        except otp.IdentityNotConfirmed as exc:
            form.add_error(PROOF_FIELD, exc)
            locked = _proof_refused(request, exc)
            return locked or self._render(request, form, status=400)
        except ValidationError as exc:
            form.add_error("code", exc)
            return self._render(request, form, status=400)
        _code_step_passed(request, device)
        if first_sign_in:
            _event(request, LoginEvent.Outcome.SUCCESS)  # this code completed the sign-in
        return render(
            request,
            "admin/security/backup_codes.html",
            _context(request, title=gettext("Your backup codes"), codes=codes),
        )

    def _form(self, data: Any = None) -> EnrollForm:
        return EnrollForm(data, proof_needed=otp.proof_required(self.request.user))

    def _render(
        self, request: AuthedHttpRequest, form: EnrollForm, status: int = 200
    ) -> HttpResponse:
        device = otp.totp_pending(request.user)
        replacing = PROOF_FIELD in form.fields
        context = _context(
            request,
            title=(
                gettext("Replace your authenticator app")
                if replacing
                else gettext("Set up two-factor sign-in")
            ),
            form=form,
            qr_svg=otp.totp_qr_svg(device),
            secret=otp.totp_secret(device),
            required=otp.otp_required(request.user),
            replacing=replacing,
        )
        return render(request, self.template_name, context, status=status)


class BackupCodesView(View):
    """How many backup codes are left; a new set (shown once, after a proof) replaces them."""

    request: AuthedHttpRequest  # behind login (dispatch or the URLconf sees to it)

    template_name = "admin/security/backup_codes.html"

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        return self._render(request, ProofForm())

    def post(self, request: AuthedHttpRequest) -> HttpResponse:
        form = ProofForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        if not AxesProxyHandler.is_allowed(request, _credentials(request)):
            return lockout_response(request)
        try:
            codes = otp.backup_codes_regenerate(
                user=request.user, proof=form.cleaned_data[PROOF_FIELD]
            )
        except otp.IdentityNotConfirmed as exc:
            form.add_error(PROOF_FIELD, exc)
            locked = _proof_refused(request, exc)
            return locked or self._render(request, form, status=400)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("security_backup_codes"))
        lockout.failures_clear(request, request.user.get_username())
        return render(
            request,
            self.template_name,
            _context(request, title=gettext("Your new backup codes"), codes=codes),
        )

    def _render(
        self, request: AuthedHttpRequest, form: ProofForm, status: int = 200
    ) -> HttpResponse:
        context = _context(
            request,
            title=gettext("Backup codes"),
            form=form,
            left=otp.backup_codes_left(request.user),
            enrolled=bool(otp.devices_confirmed(request.user)),
        )
        return render(request, self.template_name, context, status=status)
