"""One cell function for every spreadsheet: cleaned first, then never a formula."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from apps.core.spreadsheets import cell_row, cell_text, starts_formula

HOSTILE = [
    ('\x01=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("\x00=1+1", "'=1+1"),
    ("\x1f\x08+1", "'+1"),
    ("=1+1", "'=1+1"),
    ("+1", "'+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("\n=1", "'\n=1"),
    ("\tplain", "'\tplain"),
    (" =1", "' =1"),
    ("\u3000=1", "'\u3000=1"),  # ideographic space
    ("\u200b=1", "'\u200b=1"),  # zero-width space
    ("\ufeff@x", "'\ufeff@x"),
    ("＝1", "'＝1"),
    ("＋1", "'＋1"),
    ("－1", "'－1"),
    ("＠SUM(A1)", "'＠SUM(A1)"),
    ("﹦1", "'﹦1"),
    ("\u22121", "'\u22121"),  # minus sign
    ("\x01\x02 \x03-1", "' -1"),
]
HARMLESS = [
    "plain text",
    "Engineering (ENG)",
    "研发中心",
    "等号＝在中间",  # a full-width "=" that does not lead
    "a=b",
    "x-1",
    "O'Brien",
    "",
    "'already quoted",
]


@pytest.mark.parametrize(("raw", "cell"), HOSTILE)
def test_hostile_text_is_cleaned_then_quoted(raw, cell):
    assert cell_text(raw) == cell


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_left_alone(text):
    assert cell_text(text) == text


@pytest.mark.parametrize(
    "value",
    [
        -2,
        3.5,
        Decimal("-12.50"),
        None,
        True,
        datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC),
        datetime.date(2026, 3, 1),
    ],
)
def test_numbers_and_dates_stay_typed(value):
    assert cell_text(value) is value


def test_every_character_openpyxl_strips_is_removed_first():
    illegal = [chr(code) for code in range(0x20) if ILLEGAL_CHARACTERS_RE.match(chr(code))]
    assert illegal
    for char in illegal:
        assert cell_text(f"{char}a{char}") == "a"
        assert cell_text(f"{char}=1") == "'=1"


def test_blank_text_is_not_a_formula():
    assert not starts_formula("")
    assert not starts_formula("   ")
    assert cell_text("   ") == "   "


def test_a_workbook_written_with_cell_row_holds_no_formula():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for raw, _cell in HOSTILE:
        sheet.append(cell_row([raw, 42, raw]))
    target = io.BytesIO()
    workbook.save(target)

    cells = [
        cell
        for row in load_workbook(io.BytesIO(target.getvalue())).active.iter_rows()
        for cell in row
    ]

    assert len(cells) == 3 * len(HOSTILE)
    assert {cell.data_type for cell in cells} == {"s", "n"}
    assert [cell.value for cell in cells if cell.data_type == "n"] == [42] * len(HOSTILE)
    assert not [cell for cell in cells if str(cell.value).startswith("=")]
