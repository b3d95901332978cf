"""Text the database can store: no NUL character and no lone surrogate.

PostgreSQL refuses NUL in text, and a lone surrogate (``"\\ud800"``, which JSON can
carry as an escape) has no UTF-8 encoding: either would fail on write, as a 500.
Form fields and JSON endpoints refuse them with a message instead.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGE = _("The text contains a character that is not allowed.")


def validate_no_surrogates(value: Any) -> None:
    """Refuse a string with a lone surrogate (form fields refuse NUL themselves)."""
    if not isinstance(value, str):
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(MESSAGE, code="surrogates") from exc


def validate_storable_text(value: Any) -> None:
    """Refuse a string with a NUL character or a lone surrogate (input outside a form)."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(MESSAGE, code="null_characters")
    validate_no_surrogates(value)


REASON_MAX = 500


def reason_clean(reason: Any, *, missing: str, limit: int = REASON_MAX) -> str:
    """The one rule for a reason kept in a log or in history: trimmed, required, storable,
    and at most ``limit`` characters, refused with a visible error rather than cut short.

    ``missing`` is the caller's own wording of "give a reason" (it says where it is kept).
    """
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError(missing, code="required")
    if len(text) > limit:
        raise ValidationError(
            _("The reason may have at most %(limit)d characters (it has %(length)d).")
            % {"limit": limit, "length": len(text)},
            code="max_length",
        )
    validate_storable_text(text)
    return text
