"""Deploy check: the audit chain's key must not be the secret key in production."""

from typing import Any

from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.core.checks import register


@register(deploy=True)
def audit_chain_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    if settings.AUDIT_CHAIN_KEY and settings.AUDIT_CHAIN_KEY != settings.SECRET_KEY:
        return []
    return [
        CheckWarning(
            "AUDIT_CHAIN_SECRET is not set: the audit trail's hash chain is keyed with the "
            "secret key, so rotating DJANGO_SECRET_KEY would make every sealed record fail "
            "verification.",
            hint="Set AUDIT_CHAIN_SECRET to its own long random value and never change it.",
            id="audit.W001",
        )
    ]
