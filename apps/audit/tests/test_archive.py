"""Retention: old records move to a compressed file; the live chain goes on from it."""

import datetime
import gzip
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from apps.audit import chain
from apps.audit.chain import archive, seal, verify, verify_archive
from apps.audit.models import AuditEntry, ChainArchive
from apps.org.models import Employee
from apps.org.services import department_create, employee_create, employee_update

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2020, 1, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def history(db):
    """Changes made in 2020 (first in the chain), then changes made today; all sealed."""
    with time_machine.travel(LONG_AGO, tick=True):
        dept = department_create(actor=None, name="Archive Dept", code="ARC")
        ada = employee_create(actor=None, username="ada", first_name="Ada", department=dept)
        employee_update(employee=ada, actor=None, position="Analyst")
    old = AuditEntry.objects.count()
    employee_update(employee=ada, actor=None, position="Lead")
    employee_create(actor=None, username="grace", first_name="Grace", department=dept)
    seal()
    return {"ada": ada, "old": old, "all": AuditEntry.objects.count()}


def _cutoff():
    return LONG_AGO + datetime.timedelta(days=30)


def _versions():
    return Employee.history.count()


def _rewrite(path, edit, level=9):
    """Decompress, edit the lines, compress again (as someone with the file would)."""
    with gzip.open(path, "rt", encoding="utf-8") as source:
        lines = source.read().splitlines()
    lines = edit(lines)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=level) as out:
        out.write("\n".join(lines) + "\n")


def test_archive_moves_the_old_records_to_a_file(history, tmp_path):
    versions = _versions()
    done = archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    assert (done.first_seq, done.last_seq, done.records) == (1, history["old"], history["old"])
    assert done.path.startswith(str(tmp_path))
    assert AuditEntry.objects.count() == history["all"] - history["old"]
    assert not AuditEntry.objects.filter(at__lt=_cutoff()).exists()
    assert _versions() < versions  # the old versions went with their entries
    assert ChainArchive.objects.get() == done


def test_the_live_chain_verifies_across_the_cut(history, tmp_path):
    done = archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    result = verify()
    assert result.intact, result.summary()
    assert result.records == history["all"] - history["old"]
    assert result.head_seq == history["all"]
    first_live = AuditEntry.objects.order_by("seq").first()
    assert first_live.seq == done.last_seq + 1


def test_changes_after_the_cut_keep_the_chain_intact(history, tmp_path):
    archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    employee_update(employee=history["ada"], actor=None, position="Chief")
    assert seal() == 1
    assert verify().intact


def test_the_archive_file_verifies_on_its_own(history, tmp_path):
    done = archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    result = verify_archive(tmp_path / done.path.rsplit("/", 1)[-1])
    assert result.intact, result.summary()
    assert result.records == history["old"]
    assert (result.head_seq, result.head_hash) == (done.last_seq, done.last_hash)


def test_a_second_archive_starts_where_the_first_ended(history, tmp_path):
    first = archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    second = archive(
        cutoff=datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1),
        directory=tmp_path,
        actor_name="tester",
    )
    assert second.first_seq == first.last_seq + 1
    assert second.start_hash == first.last_hash
    assert second.last_seq == history["all"]
    assert verify_archive(second.path).intact
    assert verify().summary() == "intact: 0 records"


def test_an_edited_archive_line_fails_verification(history, tmp_path):
    done = archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")

    def edit(lines):
        line = json.loads(lines[2])
        line["version"]["first_name"] = "Eve"
        lines[2] = json.dumps(line, sort_keys=True)
        return lines

    _rewrite(done.path, edit)
    result = verify_archive(done.path)
    assert not result.intact
    assert "archived record at position 2 was altered" in result.problem
    assert result.broken_model
    assert result.broken_at is not None


def test_a_removed_archive_line_fails_verification(history, tmp_path):
    done = archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    _rewrite(done.path, lambda lines: lines[:2] + lines[3:])
    assert not verify_archive(done.path).intact


def test_a_truncated_archive_fails_verification(history, tmp_path):
    done = archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    _rewrite(done.path, lambda lines: lines[:-1])
    result = verify_archive(done.path)
    assert "incomplete" in result.problem


@pytest.mark.parametrize(
    "content", [b"", b"not gzip at all", gzip.compress(b"\x00\xff garbage"), gzip.compress(b"{}")]
)
def test_a_file_that_is_no_archive_fails_verification(tmp_path, content):
    path = tmp_path / "bogus.jsonl.gz"
    path.write_bytes(content)
    result = verify_archive(path)
    assert not result.intact
    assert result.problem


def test_deleting_the_archive_record_breaks_the_live_chain(history, tmp_path):
    archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    ChainArchive.objects.all().delete()
    result = verify()
    assert not result.intact
    assert f"records 1..{history['old']} of the chain are missing" in result.problem


def test_nothing_old_enough_archives_nothing(history, tmp_path):
    assert archive(cutoff=LONG_AGO, directory=tmp_path, actor_name="tester") is None
    assert not list(tmp_path.iterdir())
    assert AuditEntry.objects.count() == history["all"]


def test_a_broken_chain_is_refused_and_nothing_is_deleted(history, tmp_path):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'forged' WHERE seq = 1")
    versions = _versions()
    with pytest.raises(chain.ChainBroken, match="nothing archived"):
        archive(cutoff=_cutoff(), directory=tmp_path / "out", actor_name="tester")
    assert AuditEntry.objects.count() == history["all"]
    assert _versions() == versions
    assert not ChainArchive.objects.exists()
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_failure_after_writing_leaves_no_file_and_deletes_nothing(history, tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(ChainArchive.objects, "create", fail)
    with pytest.raises(RuntimeError):
        archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    assert not list(tmp_path.iterdir())
    assert AuditEntry.objects.count() == history["all"]
    assert verify().intact


# --- the commands -----------------------------------------------------------------------


def test_the_command_archives_and_says_what(history, tmp_path, capsys):
    call_command("archive_audit", "--older-than-days", "365", "--dir", str(tmp_path))
    out = capsys.readouterr().out
    done = ChainArchive.objects.get()
    assert f"Archived {history['old']} records (positions 1..{history['old']})" in out
    assert done.path in out
    assert done.actor_name.startswith("command:")
    assert verify().intact


def test_the_command_uses_the_retention_setting(history, tmp_path, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 365
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    call_command("archive_audit")
    done = ChainArchive.objects.get()
    assert done.records == history["old"]
    assert done.path.startswith(str(tmp_path))


def test_the_dry_run_changes_nothing(history, tmp_path, capsys):
    call_command("archive_audit", "--older-than-days", "365", "--dir", str(tmp_path), "--dry-run")
    out = capsys.readouterr().out
    assert f"would archive {history['old']} records (positions 1..{history['old']})" in out
    assert AuditEntry.objects.count() == history["all"]
    assert not ChainArchive.objects.exists()
    assert not list(tmp_path.iterdir())


def test_the_command_with_nothing_to_archive(history, tmp_path, capsys):
    call_command("archive_audit", "--older-than-days", "100000", "--dir", str(tmp_path))
    assert "Nothing to archive" in capsys.readouterr().out
    assert not ChainArchive.objects.exists()


def test_the_command_refuses_a_broken_chain(history, tmp_path):
    AuditEntry.objects.filter(seq=2).delete()
    for dry in ([], ["--dry-run"]):
        with pytest.raises(CommandError, match="broken") as raised:
            call_command("archive_audit", "--older-than-days", "365", "--dir", str(tmp_path), *dry)
        assert raised.value.returncode == 1
    assert AuditEntry.objects.count() == history["all"] - 1
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("days", ["-1", "100001", "99999999999"])
def test_the_command_refuses_a_bad_retention(history, tmp_path, days):
    with pytest.raises(CommandError, match="older-than-days"):
        call_command("archive_audit", "--older-than-days", days, "--dir", str(tmp_path))


def test_verify_audit_checks_an_archive_file(history, tmp_path, capsys):
    done = archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    call_command("verify_audit", "--archive", done.path)
    assert capsys.readouterr().out.strip() == f"intact: {history['old']} records"


def test_verify_audit_fails_an_edited_archive_file(history, tmp_path):
    done = archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    _rewrite(done.path, lambda lines: lines[:2] + lines[3:])
    with pytest.raises(CommandError, match="BROKEN") as raised:
        call_command("verify_audit", "--archive", done.path)
    assert raised.value.returncode == 1


def test_verify_audit_checks_the_file_against_its_recorded_checksum(history, tmp_path):
    done = archive(cutoff=_cutoff(), directory=tmp_path, actor_name="tester")
    _rewrite(done.path, lambda lines: lines, level=1)  # same records, other bytes
    assert verify_archive(done.path).intact
    with pytest.raises(CommandError, match="checksum differs"):
        call_command("verify_audit", "--archive", done.path)


def test_verify_audit_refuses_a_missing_archive_file(tmp_path, db):
    with pytest.raises(CommandError, match="No archive file"):
        call_command("verify_audit", "--archive", str(tmp_path / "nope.jsonl.gz"))


def test_seal_audit_says_how_many_it_sealed(history, capsys):
    employee_update(employee=history["ada"], actor=None, position="Chief")
    call_command("seal_audit")
    assert capsys.readouterr().out.startswith("Sealed 1 record(s);")
    call_command("seal_audit")
    assert capsys.readouterr().out.startswith("Sealed 0 record(s);")
