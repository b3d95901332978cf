"""Demo authenticators: ``seed_demo --otp-secrets FILE`` gives each demo account whose
role requires a second factor a confirmed TOTP device and returns the base32 secrets."""

from base64 import b32encode

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.org.demo import DEMO_ACCOUNTS
from apps.org.models import Employee
from apps.security import otp


@transaction.atomic
def demo_otp_secrets() -> dict[str, str]:
    """{username: base32 secret} for the demo accounts that need a second factor."""
    secrets = {}
    for account in DEMO_ACCOUNTS:
        user = Employee.objects.get(username=account.username)
        if not otp.otp_required(user):
            continue
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=otp.AUTHENTICATOR, confirmed=True)
        secrets[user.username] = b32encode(device.bin_key).decode().rstrip("=")
    return secrets
