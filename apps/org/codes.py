"""Identifier suggestions: department codes from names, employee ids from a sequence."""

import itertools
import re
import string
import unicodedata
from collections.abc import Iterator

from pypinyin import Style, lazy_pinyin

CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[\w]+", re.UNICODE)
EMPLOYEE_ID_PREFIX = "E"
EMPLOYEE_ID_DIGITS = 6


def _ascii_letters(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.upper() if ch in string.ascii_uppercase)


def code_stem(name: str) -> str:
    """Return 2-6 capital letters that abbreviate ``name`` (pinyin initials for Chinese)."""
    letters: list[str] = []
    words = _WORD.findall(name)
    for word in words:
        if CJK.search(word):
            letters.extend(p[:1] for p in lazy_pinyin(word, style=Style.FIRST_LETTER))
        else:
            letters.append(word[:1])
    stem = _ascii_letters("".join(letters))
    if len(stem) < 2 and words:
        # One word, or words with no usable initials: use the start of the name itself.
        stem = _ascii_letters(name)[:3]
    stem = stem[:6]
    return stem.ljust(2, "X")


def code_candidates(stem: str) -> "itertools.chain[str]":
    """Yield codes from ``stem``: itself, then stem variants with letter suffixes."""
    alphabet = string.ascii_uppercase

    def with_suffix(width: int) -> Iterator[str]:
        head = stem[: 6 - width]
        return (head + "".join(s) for s in itertools.product(alphabet, repeat=width))

    return itertools.chain([stem], with_suffix(1), with_suffix(2), with_suffix(3))


def code_from_index(index: int, width: int = 4) -> str:
    """Encode a non-negative integer as ``width`` capital letters (bulk seeding)."""
    letters = []
    for _ in range(width):
        index, rest = divmod(index, 26)
        letters.append(string.ascii_uppercase[rest])
    return "".join(reversed(letters))


def employee_id_format(number: int) -> str:
    return f"{EMPLOYEE_ID_PREFIX}{number:0{EMPLOYEE_ID_DIGITS}d}"
