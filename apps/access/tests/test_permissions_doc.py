from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from apps.access.management.commands import permissions_matrix
from apps.access.management.commands.permissions_matrix import DOC_PATH, END, START
from apps.access.roles import MANAGER, OUR_APPS, ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db

REGENERATE = ".venv/bin/python manage.py permissions_matrix --write"


def _generated() -> str:
    out = StringIO()
    call_command("permissions_matrix", stdout=out)
    return out.getvalue().strip()


def _documented() -> str:
    document = DOC_PATH.read_text(encoding="utf-8")
    assert START in document, f"{DOC_PATH} lacks {START}"
    assert END in document, f"{DOC_PATH} lacks {END}"
    return document.split(START, 1)[1].split(END, 1)[0].strip()


def test_the_documented_matrix_is_the_one_the_code_gives():
    assert _documented() == _generated(), (
        f"docs/permissions.md disagrees with apps/access/roles.py; run `{REGENERATE}` "
        "and review the diff."
    )


def test_the_matrix_has_a_row_per_permission_and_a_column_per_role():
    header, rule, *rows = _generated().splitlines()
    assert header == "| Model | Action | " + " | ".join(ROLE_PERMISSIONS) + " |"
    assert rule == "|---|---|" + "---|" * len(ROLE_PERMISSIONS)
    assert len(rows) == Permission.objects.filter(content_type__app_label__in=OUR_APPS).count()
    cells = [row.strip("| ").split(" | ")[2:] for row in rows]
    manager = list(ROLE_PERMISSIONS).index(MANAGER)
    assert {c for row in cells for c in row} <= {"✓", "subtree", "—"}
    assert {row[manager] for row in cells} == {"subtree", "—"}


def test_the_matrix_marks_the_salary_permissions_apart_from_viewing_employees():
    rows = _generated().splitlines()
    assert "| Employee (`org.employee`) | view_salary | ✓ | ✓ | — | — | — | — |" in rows
    assert "| Employee (`org.employee`) | view | ✓ | ✓ | subtree | ✓ | ✓ | — |" in rows


def test_the_matrix_is_the_same_on_every_run():
    assert _generated() == _generated()


def test_write_replaces_only_the_table_between_the_markers(tmp_path, monkeypatch):
    doc = tmp_path / "permissions.md"
    doc.write_text(f"# Intro\n\n{START}\nold table\n{END}\n\nOutro\n", encoding="utf-8")
    monkeypatch.setattr(permissions_matrix, "DOC_PATH", doc)
    call_command("permissions_matrix", write=True, stdout=StringIO())
    assert doc.read_text(encoding="utf-8") == (
        f"# Intro\n\n{START}\n{_generated()}\n{END}\n\nOutro\n"
    )


def test_write_refuses_a_document_without_the_markers(tmp_path, monkeypatch):
    doc = tmp_path / "permissions.md"
    doc.write_text("# No table here\n", encoding="utf-8")
    monkeypatch.setattr(permissions_matrix, "DOC_PATH", doc)
    with pytest.raises(CommandError, match="lacks the markers"):
        call_command("permissions_matrix", write=True)
    assert doc.read_text(encoding="utf-8") == "# No table here\n"
