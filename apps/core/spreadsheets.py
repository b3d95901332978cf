"""Cells for spreadsheets (CSV and XLSX): text a spreadsheet shows, never runs.

Every export or import template that writes user-controlled text into a cell passes it
through ``cell_text``. The order matters: characters a file cannot hold are removed
*first*, then the formula check runs on what is left. openpyxl strips control characters
when it writes a cell, so checking before cleaning let ``\\x01=HYPERLINK(...)`` through
as a live formula (docs: pitfalls).
"""

import re
import unicodedata
from typing import Any

# What XML 1.0 (so XLSX) cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (C0 controls but
# tab, LF and CR), plus lone surrogates and the two non-characters. Removed from CSV as
# well: a spreadsheet opening a CSV may drop them the same way.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A cell starting with one of these is a formula (or a DDE call) to Excel, LibreOffice or
# Google Sheets (OWASP's list, plus LF). Full-width and small forms (＝, ﹦, ＋, －, ＠...)
# are compared after NFKC, which maps them to these; some East Asian locales and input
# paths turn them into formula starts. U+2212 (minus sign) is one in LibreOffice.
FORMULA_START = frozenset("=+-@\t\r\n\u2212")
QUOTE = "'"


def _formula_char(char: str) -> bool:
    return char in FORMULA_START or unicodedata.normalize("NFKC", char) in FORMULA_START


def _invisible(char: str) -> bool:
    """Whitespace and format characters (zero-width space, BOM...) a reader may skip."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def starts_formula(text: str) -> bool:
    """Would a spreadsheet read ``text`` as a formula (leading blanks skipped)?"""
    for char in text:
        if _formula_char(char):
            return True
        if not _invisible(char):
            return False
    return False


def cell_text(value: Any) -> Any:
    """The value as a cell should hold it: text cleaned, then quoted if it starts a formula.

    Numbers, dates and None pass unchanged (they are typed cells, never formulas).
    """
    if not isinstance(value, str):
        return value
    text = ILLEGAL.sub("", value)
    return QUOTE + text if starts_formula(text) else text


def cell_row(values: list[Any]) -> list[Any]:
    """``cell_text`` over a row."""
    return [cell_text(value) for value in values]
