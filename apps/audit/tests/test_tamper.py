"""Tamper evidence: edits made around Backoffice, straight in SQL, break the chain."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connection

from apps.audit import chain
from apps.audit.chain import seal, verify
from apps.audit.models import AuditEntry, ChainHead, VerificationRun
from apps.org.models import Employee
from apps.org.services import employee_create, employee_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(root_department):
    ada = employee_create(
        actor=None,
        username="ada",
        first_name="Ada",
        last_name="Lovelace",
        department=root_department,
    )
    employee_update(employee=ada, actor=None, position="Analyst", reason="promotion")
    employee_create(actor=None, username="grace", first_name="Grace", department=root_department)
    seal()
    assert verify().intact
    return ada


def _entry(employee, position=0):
    """The audit entry of one version of ``employee`` (0 = first)."""
    content_type = ContentType.objects.get_for_model(Employee)
    entries = AuditEntry.objects.filter(content_type=content_type, object_id=str(employee.pk))
    return entries.order_by("seq")[position]


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _assert_broken_at(result, entry):
    assert not result.intact
    assert result.broken_model == "org.employee"
    assert result.broken_object == f"{entry.object_repr} ({entry.object_id})"
    assert result.broken_at == entry.at
    assert result.records == entry.seq - 1


def test_editing_a_history_row_in_sql_breaks_the_chain_at_that_record(ada):
    entry = _entry(ada, 1)
    changed = _sql(
        "UPDATE org_historicalemployee SET first_name = %s WHERE history_id = %s",
        ["Eve", entry.history_id],
    )
    assert changed == 1
    result = verify()
    _assert_broken_at(result, entry)
    assert f"position {entry.seq} was altered" in result.problem
    assert "model org.employee, record Ada Lovelace" in result.summary()


def test_deleting_a_history_row_in_sql_breaks_the_chain_at_that_record(ada):
    entry = _entry(ada, 0)
    assert _sql("DELETE FROM org_historicalemployee WHERE history_id = %s", [entry.history_id]) == 1
    result = verify()
    _assert_broken_at(result, entry)
    assert f"version recorded at position {entry.seq} has been deleted" in result.problem


def test_editing_an_entrys_reason_in_sql_breaks_the_chain(ada):
    entry = _entry(ada, 1)
    _sql("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["routine", entry.pk])
    _assert_broken_at(verify(), entry)


def test_editing_an_entrys_actor_in_sql_breaks_the_chain(ada, make_user):
    entry = _entry(ada, 1)
    other = make_user("hr")
    _sql(
        "UPDATE audit_auditentry SET actor_id = %s, actor_name = %s WHERE id = %s",
        [Employee._meta.pk.get_db_prep_value(other.pk, connection), other.username, entry.pk],
    )
    _assert_broken_at(verify(), entry)


def test_deleting_an_entry_in_the_middle_leaves_a_gap(ada):
    entry = _entry(ada, 0)
    following = AuditEntry.objects.get(seq=entry.seq + 1)
    _sql("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    result = verify()
    assert not result.intact
    assert f"records {entry.seq}..{entry.seq} of the chain are missing" in result.problem
    assert result.broken_at == following.at


def test_deleting_the_last_entries_and_their_versions_is_a_truncation(ada):
    head = ChainHead.objects.get(pk=1)
    last_two = AuditEntry.objects.filter(seq__gt=head.seq - 2)
    for entry in last_two:
        history = entry.content_type.model_class().history.model
        _sql(f"DELETE FROM {history._meta.db_table} WHERE history_id = %s", [entry.history_id])
    _sql("DELETE FROM audit_auditentry WHERE seq > %s", [head.seq - 2])
    result = verify()
    assert not result.intact
    assert "records were removed from its end" in result.problem
    assert result.records == head.seq - 2


def test_rewriting_the_recorded_end_of_the_chain_is_found(ada):
    ChainHead.objects.filter(pk=1).update(hash="0" * 64)
    result = verify()
    assert not result.intact
    assert "recorded end does not match" in result.problem


def test_cutting_the_end_and_resetting_the_head_is_found_by_an_earlier_verification(ada):
    # The cut a person with database access but no key can make: drop the last entries
    # and their versions, then point the head at the new last entry.
    from apps.audit.services import verification_run

    assert verification_run(triggered_by="test").intact
    head = ChainHead.objects.get(pk=1)
    for entry in AuditEntry.objects.filter(seq__gt=head.seq - 2):
        history = entry.content_type.model_class().history.model
        _sql(f"DELETE FROM {history._meta.db_table} WHERE history_id = %s", [entry.history_id])
    _sql("DELETE FROM audit_auditentry WHERE seq > %s", [head.seq - 2])
    last = AuditEntry.objects.get(seq=head.seq - 2)
    ChainHead.objects.filter(pk=1).update(seq=last.seq, hash=last.hash)

    result = verify()

    assert not result.intact
    assert "checked it up to" in result.problem


def test_a_rewritten_chain_is_found_by_an_earlier_verification(ada):
    from apps.audit.services import verification_run

    assert verification_run(triggered_by="test").intact
    head = ChainHead.objects.get(pk=1)
    _sql("UPDATE audit_auditentry SET hash = %s WHERE seq = %s", ["f" * 64, head.seq])
    ChainHead.objects.filter(pk=1).update(hash="f" * 64)

    result = verify()

    assert not result.intact


def test_a_history_row_inserted_in_sql_without_an_entry_is_found(ada):
    history = Employee.history.model
    columns = [f.column for f in history._meta.concrete_fields if f.column != "history_id"]
    listed = ", ".join(columns)
    copied = ", ".join("%s" if c == "first_name" else c for c in columns)
    _sql(
        f"INSERT INTO org_historicalemployee ({listed}) "
        f"SELECT {copied} FROM org_historicalemployee WHERE history_id = %s",
        ["Mallory", _entry(ada, 1).history_id],
    )
    result = verify()
    assert not result.intact
    assert "1 version(s) of org.Employee have no audit record" in result.problem
    assert result.broken_model == "org.employee"
    assert result.broken_object == f"Mallory Lovelace ({ada.employee_id}) ({ada.pk})"


def test_an_unsealed_entry_whose_version_was_deleted_is_found(ada):
    employee_update(employee=ada, actor=None, position="Chief")
    entry = AuditEntry.objects.get(seq__isnull=True)
    _sql("DELETE FROM org_historicalemployee WHERE history_id = %s", [entry.history_id])
    result = verify()
    assert not result.intact
    assert "lost their version" in result.problem
    assert result.broken_object == f"{entry.object_repr} ({entry.object_id})"


def test_rehashing_an_edit_without_the_key_still_breaks_the_chain(ada, settings):
    """A forger with database access but not the key recomputes the whole chain."""
    entry = _entry(ada, 1)
    _sql("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["routine", entry.pk])
    real_key = settings.AUDIT_CHAIN_KEY
    settings.AUDIT_CHAIN_KEY = "a guess at the key"
    labels = chain.model_labels()
    previous = ""
    rows = AuditEntry.objects.order_by("seq").values(*chain.ENTRY_COLUMNS)
    for row in rows:
        version = chain.entry_versions([row], labels)[(row["content_type_id"], row["history_id"])]
        previous = chain.link_hash(previous, chain.entry_content(row, labels), version)
        AuditEntry.objects.filter(pk=row["id"]).update(hash=previous)
    ChainHead.objects.filter(pk=1).update(hash=previous)
    assert verify().intact  # consistent under the forger's key ...
    settings.AUDIT_CHAIN_KEY = real_key
    _assert_broken_at(verify(), AuditEntry.objects.get(seq=1))  # ... not under the real one


# --- the command ----------------------------------------------------------------------


def test_the_command_prints_intact_and_the_count(ada, capsys):
    employee_update(employee=ada, actor=None, position="Chief")
    call_command("verify_audit")
    sealed = AuditEntry.objects.filter(seq__isnull=False).count()
    assert capsys.readouterr().out.strip() == (
        f"intact: {sealed} records (1 newer records awaiting seal)"
    )
    assert AuditEntry.objects.filter(seq__isnull=True).count() == 1  # it sealed nothing


def test_the_command_keeps_the_result(ada):
    call_command("verify_audit")
    run = VerificationRun.objects.get()
    assert run.intact
    assert run.records == AuditEntry.objects.count()
    assert run.triggered_by.startswith("command:")


def test_the_command_keeps_nothing_with_no_record(ada, capsys):
    call_command("verify_audit", "--no-record")
    assert "intact:" in capsys.readouterr().out
    assert not VerificationRun.objects.exists()


def test_the_command_names_the_broken_link_and_fails(ada):
    entry = _entry(ada, 1)
    _sql(
        "UPDATE org_historicalemployee SET first_name = %s WHERE history_id = %s",
        ["Eve", entry.history_id],
    )
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit")
    assert raised.value.returncode == 1
    message = str(raised.value)
    assert message.startswith(f"BROKEN after {entry.seq - 1} intact records")
    assert f"model org.employee, record {ada} ({ada.pk}), time {entry.at.isoformat()}" in message
    run = VerificationRun.objects.get()
    assert not run.intact
    assert run.broken_model == "org.employee"


def test_the_command_exits_1_on_a_break_and_0_when_intact(ada, capsys, monkeypatch):
    # The command line entry point closes the connections when done: keep the test's open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    ManagementUtility(["manage.py", "verify_audit", "--no-record"]).execute()  # no SystemExit
    assert "intact:" in capsys.readouterr().out
    _sql("DELETE FROM audit_auditentry WHERE id = %s", [_entry(ada, 0).pk])
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "verify_audit", "--no-record"]).execute()
    assert exited.value.code == 1
    assert "of the chain are missing" in capsys.readouterr().err


def test_the_command_reports_progress_at_verbosity_2(ada, capsys, monkeypatch):
    monkeypatch.setattr("apps.audit.chain.verification.VERIFY_BATCH", 1)
    monkeypatch.setattr("apps.audit.chain.verification.VERIFY_STRETCH", 1)
    monkeypatch.setattr("apps.audit.management.commands.verify_audit.PROGRESS_EVERY", 2)
    call_command("verify_audit", "--no-record", verbosity=2)
    err = capsys.readouterr().err
    assert "2 records verified" in err
    assert "1 records verified" not in err
    call_command("verify_audit", "--no-record")
    assert capsys.readouterr().err == ""
