"""How a salary reads: grouped digits and the currency, in the reader's locale.

Salaries are stored as plain decimals; every page, report and export that shows one calls
:func:`salary_format` so the currency and the grouping live in one place
(``settings.SALARY_CURRENCY``, an ISO 4217 code).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

# The symbol shown before the figure; a code not listed reads as its code ("CHF 1,000.00").
CURRENCY_SYMBOLS = {
    "CNY": "¥",
    "JPY": "¥",
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "HKD": "HK$",
}


def currency_code() -> str:
    return str(getattr(settings, "SALARY_CURRENCY", "CNY")).upper()


def salary_format(value: Decimal | int | float | str | None, *, decimals: int = 2) -> str:
    """``¥12,345.00`` — the amount grouped by thousands in the active locale; "—" for none."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    figure = formats.number_format(amount, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    code = currency_code()
    symbol = CURRENCY_SYMBOLS.get(code)
    if symbol is None:
        # Translators: a salary with a currency that has no symbol, e.g. "CHF 1,000.00".
        return _("%(code)s %(figure)s") % {"code": code, "figure": figure}
    return f"{symbol}{figure}"
