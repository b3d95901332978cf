"""Second factors in tests: a user's authenticator device and the codes it accepts now."""

import time

import time_machine
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.security import otp


def device_for(user, *, create: bool = True) -> TOTPDevice | None:
    """The user's confirmed authenticator; made when their role requires one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None and create and otp.otp_required(user):
        device = TOTPDevice.objects.create(user=user, name=otp.AUTHENTICATOR, confirmed=True)
    return device


def mark_verified(client, user) -> None:
    """Mark a test client's session as past the code step, with the user's device, as the
    code step does (django-otp's device id, and our note of it: sessions.VERIFIED_KEY)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from apps.security import sessions

    device = device_for(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[sessions.VERIFIED_KEY] = sessions.session_verified_stamp(
            str(user.pk), device.persistent_id
        )
        session.save()


# Clock moves made by code_for, undone after each test (the root conftest).
_travels: list[time_machine.travel] = []


def clock_travels_end() -> None:
    while _travels:
        _travels.pop().stop()


def _next_step(device: TOTPDevice) -> None:
    """Move the clock to the device's next time step instead of waiting for it.

    time-machine moves the wall clock of the whole process, so the live server's thread
    checks the code at the same time; the clock keeps ticking from there."""
    wait = device.step - (time.time() - device.t0) % device.step + 0.1
    travel = time_machine.travel(time.time() + wait, tick=True)
    travel.start()
    _travels.append(travel)


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    """A code the device accepts now: the current step's, or a later one in its tolerance
    when the current one was used already (django-otp refuses a replay in one step)."""
    device.refresh_from_db()
    # The device accepts steps around now plus its drift (django-otp learns the drift from
    # each code; OTP_TOTP_SYNC), so the window is centred there...
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time()
    step = clock.t() + offset
    if step <= device.last_t:
        step = device.last_t + 1
    if step > clock.t() + device.tolerance:
        _next_step(device)
        return code_for(device)
    # ... and the code of a step is the same whatever the drift.
    at_step = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    at_step.time = device.t0 + step * device.step
    return f"{at_step.token():0{device.digits}d}"


def code_from_secret(secret: str, *, at: float | None = None) -> str:
    """The current code for a base32 key as the enrollment page shows it."""
    from base64 import b32decode

    key = secret.replace(" ", "")
    key += "=" * (-len(key) % 8)
    clock = TOTP(b32decode(key), 30, 0, 6, 0)
    clock.time = at or time.time()
    return f"{clock.token():06d}"
