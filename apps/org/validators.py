"""Field validators of the org domain."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

DEPARTMENT_CODE_PATTERN = r"^[A-Z]{2,6}$"
MAX_PHONE_LENGTH = 32

validate_department_code = RegexValidator(
    DEPARTMENT_CODE_PATTERN,
    _("Enter 2 to 6 capital letters A–Z, such as ENG or HRGLB."),
    code="invalid_code",
)


def normalize_phone(value: str) -> str:
    """Return the number in E.164 (+8613800138000); raise ValidationError if it is not one."""
    if not value:
        return ""
    if len(value) > MAX_PHONE_LENGTH:
        raise ValidationError(_("Phone number is too long."), code="invalid_phone")
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter a phone number in international format, such as +44 20 7946 0958."),
            code="invalid_phone",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(value)s is not a valid phone number."),
            code="invalid_phone",
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    """Model-level check: the stored value must be a valid E.164 number."""
    normalize_phone(value)
