"""Second factors (django-otp): who needs one, enrolling, verifying, backup codes, resets.

Devices per person: one authenticator app (TOTP), one set of backup codes (django-otp's
static device: single-use codes) and, when they have an e-mail address, an e-mail
device as the fallback. The rules live here; the views only call these functions.

A signed-in session alone may not change the second factor it stands on: replacing the
authenticator (once any device is confirmed) and making new backup codes need a proof in
the same request, a current code from a confirmed device or the account password
(``identity_confirm``). Each change is logged as a security action. An officer resets
only the devices of people they outrank (``apps.access.ranks``).
"""

import re
import time
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.access.ranks import account_manage_check
from apps.access.selectors import roles_held
from apps.core.validators import reason_clean
from apps.org.models import Employee
from apps.security.actions import account_scope_check, security_action_log
from apps.security.models import SecurityAction

AUTHENTICATOR = "Authenticator app"
BACKUP_CODES = "Backup codes"
EMAIL = "E-mail"
BACKUP_CODE_COUNT = 10

# As authenticators display a code: six digits, or two groups of three ("123 456").
_TOTP = re.compile(r"^(\d{6}|\d{3} \d{3})$")
# As we display backup codes: eight characters of django-otp's lower-case base32.
_BACKUP = re.compile(r"^[a-z2-7]{8}$")
CODE_MAX_LENGTH = 16
# A password is checked as typed; anything longer than this is no one's password.
PROOF_MAX_LENGTH = 1024

# How someone proved it was them (``identity_confirm``).
PROOF_CODE = "code"
PROOF_PASSWORD = "password"


class IdentityNotConfirmed(ValidationError):
    """The proof was neither a current code nor the password: a failed sign-in.

    ``code`` says what it looked like (``PROOF_CODE`` or ``PROOF_PASSWORD``).
    """


def otp_required(user: Employee) -> bool:
    """Does this person's role (settings.OTP_REQUIRED_ROLES) require a second factor?"""
    if user.is_superuser:
        return True
    return bool(roles_held(user) & set(settings.OTP_REQUIRED_ROLES))


def devices_confirmed(user: Employee) -> list[Device]:
    return list(devices_for_user(user, confirmed=True))


def code_normalize(raw: str) -> str:
    """The code as a device checks it, or ValidationError for anything not shaped like one."""
    if not isinstance(raw, str) or len(raw) > CODE_MAX_LENGTH:
        raise ValidationError(
            _("Enter the code as your authenticator app or backup list shows it.")
        )
    code = raw.strip()
    if _TOTP.match(code):
        return code.replace(" ", "")
    if _BACKUP.match(code.lower()):
        return code.lower()
    raise ValidationError(_("Enter the code as your authenticator app or backup list shows it."))


def code_verify(user: Employee, raw: str) -> Device | None:
    """The confirmed device that accepts this code (used up if single-use), else None.

    django-otp refuses a TOTP code already used in its time step and throttles
    repeated failures per device.
    """
    code = code_normalize(raw)
    for device in devices_confirmed(user):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return device
    return None


def code_reused(user: Employee, raw: str) -> bool:
    """After ``code_verify`` refused it: was this the authenticator's code of a time step
    already used (a second sign-in within the same 30 seconds, or a double submit)?

    Only the code itself tells: someone who has the password alone gets this answer only
    for a code the app showed moments ago and someone already used, which signs no one in;
    it still counts as a failed sign-in. Reads django-otp's ``last_t``; writes nothing.
    """
    try:
        code = code_normalize(raw)
    except ValidationError:
        return False
    if not code.isdigit():
        return False  # a backup code: used ones are gone, nothing to tell them apart
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        clock.time = time.time()
        if clock.verify(int(code), device.tolerance) and clock.t() <= device.last_t:
            return True
    return False


def proof_required(user: Employee) -> bool:
    """Does setting up an authenticator now replace a second factor (and so need proof)?"""
    return bool(devices_confirmed(user))


def identity_confirm(*, user: Employee, proof: str) -> str:
    """Is it ``user`` at the keyboard? A current code from one of their confirmed devices
    (a backup code is used up) or their password; return which (``PROOF_CODE`` or
    ``PROOF_PASSWORD``), or raise ``IdentityNotConfirmed``.

    The caller counts a refusal as a failed sign-in (django-axes), so a proof cannot be
    guessed; django-otp's per-device failure delay applies too (its write stands: this
    runs outside the caller's transaction).
    """
    proof = proof if isinstance(proof, str) else ""
    try:
        code_normalize(proof)
    except ValidationError:
        looks_like = PROOF_PASSWORD
    else:
        looks_like = PROOF_CODE
        if code_verify(user, proof) is not None:
            return PROOF_CODE
    if proof and len(proof) <= PROOF_MAX_LENGTH and user.check_password(proof):
        return PROOF_PASSWORD
    raise IdentityNotConfirmed(
        _("That is neither a current code nor your password."), code=looks_like
    )


def _proof_reason(proved: str | None) -> str:
    # Kept as msgids in the security log, translated when shown (apps.core.texts): not in
    # the language of whoever happened to enrol.
    if proved == PROOF_CODE:
        return gettext_noop("confirmed with a current code")
    if proved == PROOF_PASSWORD:
        return gettext_noop("confirmed with the password")
    return gettext_noop("first set-up, right after the password")


@transaction.atomic
def totp_pending(user: Employee) -> TOTPDevice:
    """The authenticator device being enrolled (unconfirmed until a code proves it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG QR code (drawn on the server, no network)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def totp_secret(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for typing into an app by hand."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def totp_confirm(*, user: Employee, device: TOTPDevice, code: str, proof: str = "") -> list[str]:
    """Confirm the app with a valid code; return the new backup codes (shown once). Logged.

    With a confirmed device already this replaces the second factor: ``proof`` must pass
    ``identity_confirm`` first (a refusal changes nothing). The first set-up needs none:
    the person has just given the password.
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("This enrollment is no longer open; start again."))
    token = code_normalize(code)
    proved = identity_confirm(user=user, proof=proof) if proof_required(user) else None
    return _totp_activate(user=user, device=device, token=token, proved=proved)


@transaction.atomic
def _totp_activate(
    *, user: Employee, device: TOTPDevice, token: str, proved: str | None
) -> list[str]:
    if not device.verify_token(token):
        raise ValidationError(
            _("That code is not valid; check the time on your phone and try again.")
        )
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).delete()[0]
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    if user.email and not EmailDevice.objects.filter(user=user).exists():
        EmailDevice.objects.create(user=user, name=EMAIL, confirmed=True)
    kinds = SecurityAction.Kind
    security_action_log(
        kind=kinds.DEVICE_REPLACED if replaced else kinds.DEVICE_ENROLLED,
        actor=user,
        user=user,
        reason=_proof_reason(proved),
    )
    return _backup_codes_new(user)


def _backup_codes_new(user: Employee) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_CODES, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_regenerate(*, user: Employee, proof: str) -> list[str]:
    """A new set of backup codes; the old ones stop working at once. Logged.

    ``proof`` must pass ``identity_confirm`` (a refusal changes nothing).
    """
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("Set up your authenticator app first."))
    proved = identity_confirm(user=user, proof=proof)
    return _backup_codes_replace(user=user, proved=proved)


@transaction.atomic
def _backup_codes_replace(*, user: Employee, proved: str) -> list[str]:
    codes = _backup_codes_new(user)
    security_action_log(
        kind=SecurityAction.Kind.BACKUP_CODES,
        actor=user,
        user=user,
        reason=_proof_reason(proved),
    )
    return codes


def backup_codes_left(user: Employee) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def devices_reset(*, actor: Employee, user: Employee, reason: str) -> int:
    """Remove every second-factor device of ``user``: they enroll again. Logged with the reason."""
    reason = reason_clean(reason, missing=_("Give a reason; it is kept in the security log."))
    if actor.pk == user.pk:
        raise ValidationError(_("Reset your own devices from your profile, not here."))
    account_manage_check(actor=actor, target=user)
    account_scope_check(actor=actor, perm="security.reset_devices", user=user)
    removed = 0
    for model in (TOTPDevice, StaticDevice, EmailDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    security_action_log(
        kind=SecurityAction.Kind.DEVICES_RESET,
        actor=actor,
        user=user,
        reason=reason,
    )
    return removed


def throttles_reset(user: Employee) -> None:
    """Clear django-otp's per-device failure delays (after an unlock)."""
    for device in devices_for_user(user, confirmed=True):
        if hasattr(device, "throttle_reset"):
            device.throttle_reset()


def email_code_send(user: Employee) -> Any:
    """E-mail a one-time code to the person's address (the fallback device)."""
    device = EmailDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise ValidationError(_("No e-mail address is set up for codes."))
    return device.generate_challenge()
