"""The Simplified Chinese catalogues: complete, faithful to their placeholders, compiled, in use.

Two catalogues are checked alike: ours (locale/) and the one for django-unfold's own UI
strings (locale_vendor/), since unfold ships no translations. Each .po file is read with
polib and checked by GNU msgfmt (``-c``: header, domain and format strings). Our own
placeholder check stays: msgfmt checks only entries flagged python-format, and not brace
placeholders in unflagged ones. Each committed .mo is checked against its .po through
Python's own ``gettext`` reader, so a .po edited without re-running ``compilemessages``
fails here instead of shipping English to Chinese users.
"""

import gettext as gnu_gettext
import re
import shutil
import struct
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

OUR_LOCALE = Path(settings.BASE_DIR) / "locale"
VENDOR_LOCALE = Path(settings.BASE_DIR) / "locale_vendor"
CATALOGUES = {
    "ours": OUR_LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po",
    "unfold": VENDOR_LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po",
}

# %(name)s, %s, %5.2f ... (not %%, and not a bare "%" followed by a space and a word).
PERCENT_PLACEHOLDER = re.compile(r"%(?:\((?P<name>\w+)\))?[-#0+]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACE_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0
    file: str = "django.po"

    @property
    def label(self) -> str:
        return f"{self.file}:{self.line} {self.msgid!r}"


def read_po(path: Path) -> polib.POFile:
    return polib.pofile(str(path), encoding="utf-8")


def parse_po(path: Path) -> list[Entry]:
    """Every live entry of a .po file (obsolete #~ ones skipped), read by polib."""
    name_of_file = f"{path.parents[2].name}/{path.name}"  # locale_vendor/django.po
    return [
        Entry(
            msgid=entry.msgid,
            msgctxt=entry.msgctxt,
            msgid_plural=entry.msgid_plural or None,
            msgstr=dict(entry.msgstr_plural) if entry.msgid_plural else {0: entry.msgstr},
            flags=set(entry.flags),
            line=entry.linenum,
            file=name_of_file,
        )
        for entry in read_po(path)
        if not entry.obsolete
    ]


def placeholders(text: str) -> tuple[frozenset[str], Counter]:
    """Named placeholders as a set; anonymous ones (%s, {}) counted, since each takes an argument."""
    named: set[str] = set()
    anonymous: Counter = Counter()
    without_escapes = text.replace("%%", "").replace("{{", "").replace("}}", "")
    for match in PERCENT_PLACEHOLDER.finditer(without_escapes):
        if match.group("name"):
            named.add(match.group(0))
        else:
            anonymous[match.group(0)] += 1
    for match in BRACE_PLACEHOLDER.finditer(without_escapes):
        inner = match.group(0)[1:-1]
        if inner and not inner[0].isdigit():
            named.add(match.group(0))
        else:
            anonymous[match.group(0)] += 1
    return frozenset(named), anonymous


@pytest.fixture(scope="module", params=sorted(CATALOGUES), ids=sorted(CATALOGUES))
def po_file(request) -> Path:
    """Each catalogue check runs once for our catalogue and once for unfold's."""
    return CATALOGUES[request.param]


@pytest.fixture(scope="module")
def catalogue(po_file) -> list[Entry]:
    return parse_po(po_file)


@pytest.fixture(scope="module")
def header(po_file) -> dict[str, str]:
    return read_po(po_file).metadata


@pytest.fixture(autouse=True)
def _leave_no_language_active():
    """Requests below activate zh-hans in this thread; later tests must start in the default."""
    translation.deactivate()
    yield
    translation.deactivate()
    assert translation.get_language() == settings.LANGUAGE_CODE


# --- the .po file ----------------------------------------------------------------


def test_the_parser_reads_the_whole_catalogue(po_file, catalogue):
    msgid_lines = sum(
        1 for line in po_file.read_text(encoding="utf-8").splitlines() if line.startswith("msgid ")
    )
    assert len(catalogue) == msgid_lines - 1  # minus the header
    assert len(catalogue) > 50


def test_the_header_declares_chinese_with_a_single_plural_form(header):
    assert header["Language"] == "zh_Hans"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"] == "nplurals=1; plural=0;"


def test_no_entry_and_not_the_header_is_fuzzy(po_file):
    assert not read_po(po_file).metadata_is_fuzzy
    assert not [entry.label for entry in parse_po(po_file) if "fuzzy" in entry.flags]


MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(
    MSGFMT is None,
    reason="GNU gettext's msgfmt is missing (apt-get install gettext; bin/test does)",
)


def msgfmt_check(po: Path, out: Path) -> subprocess.CompletedProcess:
    """``msgfmt -c``: the header, the domain, and each python-format entry's placeholders."""
    return subprocess.run(
        [MSGFMT, "--check", "-o", str(out), str(po)], capture_output=True, text=True, check=False
    )


@needs_msgfmt
def test_msgfmt_accepts_the_catalogue_with_its_checks(po_file, tmp_path):
    result = msgfmt_check(po_file, tmp_path / "django.mo")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@needs_msgfmt
def test_msgfmt_refuses_a_translation_that_lost_a_placeholder(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#, python-format\nmsgid "Deactivate %(name)s"\nmsgstr "停用"\n',
        encoding="utf-8",
    )
    result = msgfmt_check(po, tmp_path / "django.mo")
    assert result.returncode != 0
    assert "name" in result.stderr


def test_every_entry_has_a_translation(catalogue):
    untranslated = [
        entry.label
        for entry in catalogue
        if not all(text.strip() for text in entry.msgstr.values())
    ]
    assert not untranslated


def test_plural_entries_carry_exactly_the_one_chinese_form(catalogue):
    plurals = [entry for entry in catalogue if entry.msgid_plural is not None]
    assert plurals
    assert [entry.label for entry in plurals if set(entry.msgstr) != {0}] == []
    assert [
        entry.label
        for entry in catalogue
        if entry.msgid_plural is None and entry.msgstr.keys() != {0}
    ] == []


def test_every_translation_keeps_the_placeholders_of_its_source(catalogue):
    mismatched = []
    for entry in catalogue:
        # The one Chinese form also serves n == 1, so it must take the plural's arguments.
        source = placeholders(entry.msgid_plural or entry.msgid)
        for index, text in entry.msgstr.items():
            if placeholders(text) != source:
                mismatched.append(f"{entry.label} msgstr[{index}]={text!r}")
    assert not mismatched


def test_the_placeholder_check_notices_a_lost_or_renamed_placeholder():
    assert placeholders("Deactivate %(name)s") != placeholders("停用")
    assert placeholders("Deactivate %(name)s") != placeholders("停用%(names)s")
    assert placeholders("%(count)d records") != placeholders("%(count)s 条记录")
    assert placeholders("{} of {}") != placeholders("{}")
    assert placeholders("100%% sure, %s") == placeholders("%s，100%% 确定")


# --- translations in use ----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "chinese"),
    [
        ("department", "部门"),
        ("employees", "员工"),
        ("subtree headcount", "含下级部门人数"),
        ("employee ID", "工号"),
        ("hire date", "入职日期"),
        ("salary", "薪资"),
        ("Security officer", "安全专员"),
        ("Deactivate selected", "停用所选记录"),
    ],
)
def test_known_strings_translate_to_chinese(source, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(source) == chinese
    with translation.override("en"):
        assert translation.gettext(source) == source


def test_plural_messages_translate_with_their_count():
    with translation.override("zh-hans"):
        text = translation.ngettext(
            "Deactivated %(count)d record.", "Deactivated %(count)d records.", 3
        ) % {"count": 3}
    assert text == "已停用 3 条记录。"


def test_model_names_follow_the_active_language():
    from apps.org.models import Department, Employee

    with translation.override("zh-hans"):
        assert str(Employee._meta.verbose_name_plural) == "员工"
        assert str(Department._meta.get_field("parent").verbose_name) == "上级部门"


@pytest.mark.parametrize(
    ("source", "chinese"),
    [
        # unfold's own msgids, from locale_vendor/
        ("Filters", "筛选"),
        ("Apply Filters", "应用筛选"),
        ("Type to search", "输入关键词搜索"),
        ("Search apps and models...", "搜索应用和模型…"),
        ("Select action", "选择操作"),
        ("Run", "执行"),
        ("Dark", "深色"),
        ("Go back", "返回"),
        ("Changes", "变更内容"),
        # a wrong upstream translation (Django's says "deselect"), overridden there
        ("Delete selected %(model)s", "删除所选%(model)s"),
        # msgids unfold shares with Django, django-simple-history and django-guardian
        ("History", "历史"),
        ("Save and continue editing", "保存并继续编辑"),
        ("Changed by", "修改人"),
        ("Change reason", "修改原因"),
        ("Object permissions", "对象权限"),
    ],
)
def test_unfold_strings_translate_to_chinese(source, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(source) == chinese
    with translation.override("en"):
        assert translation.gettext(source) == source


def test_our_catalogue_comes_first_so_it_wins_over_the_vendor_one():
    assert [Path(path) for path in settings.LOCALE_PATHS] == [OUR_LOCALE, VENDOR_LOCALE]


def test_no_unfold_entry_is_shadowed_by_one_of_ours():
    """A msgid in both would show our translation in unfold's UI: drop it from locale_vendor."""

    def keys(path: Path) -> set[tuple[str | None, str]]:
        return {(entry.msgctxt, entry.msgid) for entry in parse_po(path)}

    assert keys(CATALOGUES["ours"]) & keys(CATALOGUES["unfold"]) == set()


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A minimal GNU .mo file (what msgfmt writes, without the optional hash table)."""
    messages = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    ids = [key.encode() for key in sorted(messages)]
    strs = [messages[key].encode() for key in sorted(messages)]
    table_start = 7 * 4
    data_start = table_start + 2 * 8 * len(ids)
    tables, data = [], b""
    for texts in (ids, strs):
        for text in texts:
            tables += [len(text), data_start + len(data)]
            data += text + b"\0"
    header = struct.pack(
        "<7I", 0x950412DE, 0, len(ids), table_start, table_start + 8 * len(ids), 0, 0
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + struct.pack(f"<{len(tables)}I", *tables) + data)


def test_on_a_clash_the_first_locale_path_wins(settings, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    write_mo(first / "zh_Hans" / "LC_MESSAGES" / "django.mo", {"Filters": "ours"})
    write_mo(second / "zh_Hans" / "LC_MESSAGES" / "django.mo", {"Filters": "vendor"})
    # Changing LOCALE_PATHS clears Django's translation cache (django.test.signals).
    settings.LOCALE_PATHS = [first, second]
    with translation.override("zh-hans"):
        assert translation.gettext("Filters") == "ours"
    settings.LOCALE_PATHS = [second, first]
    with translation.override("zh-hans"):
        assert translation.gettext("Filters") == "vendor"


EMPLOYEES = reverse("admin:org_employee_changelist")


@pytest.mark.django_db
def test_a_chinese_browser_gets_the_employee_list_in_chinese(hr_client):
    response = hr_client.get(EMPLOYEES, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in html
    assert "员工" in html
    assert "工号" in html  # a column header from our catalogue


@pytest.mark.django_db
def test_the_language_cookie_switches_the_admin_to_chinese(hr_client):
    hr_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = hr_client.get(EMPLOYEES).content.decode()
    assert 'lang="zh-hans"' in html
    assert "员工" in html


@pytest.mark.django_db
def test_the_chinese_employee_list_shows_unfolds_own_text_in_chinese(hr_client):
    hr_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = hr_client.get(EMPLOYEES).content.decode()
    assert 'lang="zh-hans"' in html
    assert ">筛选<" in html.replace(" ", "").replace("\n", "")  # the "Filters" button
    assert 'placeholder="输入关键词搜索"' in html  # "Type to search"
    assert "Filters" not in html
    assert "Type to search" not in html


@pytest.mark.django_db
def test_an_english_browser_still_gets_english(hr_client):
    html = hr_client.get(EMPLOYEES, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html
    assert "员工" not in html
    assert "筛选" not in html
    assert "Type to search" in html


# --- the compiled .mo -------------------------------------------------------------


@pytest.fixture(scope="module")
def compiled(po_file) -> gnu_gettext.GNUTranslations:
    with po_file.with_suffix(".mo").open("rb") as handle:
        return gnu_gettext.GNUTranslations(handle)


def test_the_compiled_catalogue_gives_every_translation_of_the_po_file(catalogue, compiled):
    stale = []
    for entry in catalogue:
        if entry.msgid_plural is None:
            found = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            )
        else:
            found = (
                compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
                if entry.msgctxt is not None
                else compiled.ngettext(entry.msgid, entry.msgid_plural, 2)
            )
        if found != entry.msgstr[0]:
            stale.append(f"{entry.label}: .mo has {found!r}, .po has {entry.msgstr[0]!r}")
    assert not stale, "run compilemessages: " + "; ".join(stale)


def test_the_compiled_catalogue_holds_nothing_the_po_file_lacks(catalogue, compiled):
    expected = set()
    for entry in catalogue:
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected.add(msgid)
        else:
            expected.update((msgid, index) for index in entry.msgstr)
    # GNUTranslations keeps singulars under msgid and plural forms under (msgid, index).
    assert set(compiled._catalog) - {""} == expected


def test_the_compiled_catalogue_uses_the_chinese_plural_rule(catalogue, compiled):
    assert compiled.info()["plural-forms"] == "nplurals=1; plural=0;"
    # With the one Chinese form, n == 1 and n == 2 both pick msgstr[0].
    plurals = [entry for entry in catalogue if entry.msgid_plural and entry.msgctxt is None]
    assert plurals
    for entry in plurals:
        for count in (1, 2):
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, count) == entry.msgstr[0]


def test_the_restored_message_counts_in_chinese():
    with (CATALOGUES["ours"].with_suffix(".mo")).open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)
    assert compiled.ngettext("Restored %(count)d record.", "Restored %(count)d records.", 1) == (
        "已恢复 %(count)d 条记录。"
    )
