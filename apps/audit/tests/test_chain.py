"""Sealing the audit entries into the hash chain, and walking it."""

import datetime

import pytest
from django.conf import settings

from apps.audit.chain import SealState, Verification, link_hash, seal, seal_state, verify
from apps.audit.models import AuditEntry, ChainHead
from apps.org.services import employee_create, employee_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(root_department):
    return [
        employee_create(actor=None, username=f"person{n}", department=root_department)
        for n in range(3)
    ]


def _sealed_in_order():
    return list(
        AuditEntry.objects.filter(seq__isnull=False).order_by("seq").values_list("id", "seq")
    )


def test_seal_gives_every_entry_the_next_position_in_id_order(people):
    count = AuditEntry.objects.count()
    assert seal() == count
    rows = _sealed_in_order()
    assert [seq for _id, seq in rows] == list(range(1, count + 1))
    assert [entry_id for entry_id, _seq in rows] == sorted(entry_id for entry_id, _seq in rows)
    assert not AuditEntry.objects.filter(hash="").exists()


def test_seal_moves_the_head_to_the_last_entry(people):
    seal()
    head = ChainHead.objects.get(pk=1)
    last = AuditEntry.objects.order_by("-seq").first()
    assert (head.seq, head.hash) == (last.seq, last.hash)
    assert head.sealed_at is not None
    assert head.sealed_through == max(AuditEntry.objects.values_list("at", flat=True))


def test_seal_is_idempotent(people):
    seal()
    before = list(AuditEntry.objects.values_list("id", "seq", "hash"))
    assert seal() == 0
    assert list(AuditEntry.objects.values_list("id", "seq", "hash")) == before


def test_seal_continues_the_chain_in_small_batches(people):
    assert seal(batch=2) == AuditEntry.objects.count()
    assert verify().intact


def test_later_changes_continue_the_chain(people):
    seal()
    sealed = ChainHead.objects.get(pk=1).seq
    employee_update(employee=people[0], actor=None, position="Lead")
    assert seal() == 1
    newest = AuditEntry.objects.get(seq=sealed + 1)
    assert newest.object_id == str(people[0].pk)
    assert verify().records == sealed + 1


def test_seal_state_shows_the_window_of_unsealed_entries(people):
    seal()
    employee_update(employee=people[0], actor=None, position="Lead")
    employee_update(employee=people[1], actor=None, position="Lead")
    waiting = AuditEntry.objects.filter(seq__isnull=True)
    state = seal_state()
    assert isinstance(state, SealState)
    assert state.unsealed == 2
    assert state.oldest_unsealed == min(waiting.values_list("at", flat=True))
    assert state.sealed == ChainHead.objects.get(pk=1).seq
    seal()
    state = seal_state()
    assert (state.unsealed, state.oldest_unsealed) == (0, None)
    assert state.sealed == AuditEntry.objects.count()


def test_seal_state_before_any_seal(people):
    state = seal_state()
    assert state.sealed == 0
    assert state.unsealed == AuditEntry.objects.count()
    assert state.sealed_at is None


def test_an_entry_committed_after_later_ones_is_sealed_after_them(people):
    """A transaction that commits late: its entry has a lower id than entries already sealed."""
    seal()
    employee_update(employee=people[0], actor=None, position="Slow")
    employee_update(employee=people[1], actor=None, position="Fast")
    slow = AuditEntry.objects.filter(seq__isnull=True).order_by("id").first()
    # Not yet committed, as far as the sealer can see.
    row = AuditEntry.objects.filter(pk=slow.pk).values().get()
    AuditEntry.objects.filter(pk=slow.pk).delete()
    assert seal() == 1
    AuditEntry.objects.create(**row)
    assert seal() == 1
    slow.refresh_from_db()
    assert slow.seq == AuditEntry.objects.count()
    assert AuditEntry.objects.filter(id__gt=slow.id, seq__lt=slow.seq).exists()
    result = verify()
    assert result.intact, result.summary()
    assert result.records == AuditEntry.objects.count()


def test_verify_walks_an_intact_chain(people):
    seal()
    result = verify()
    assert result.intact
    assert result.records == AuditEntry.objects.count()
    head = ChainHead.objects.get(pk=1)
    assert (result.head_seq, result.head_hash) == (head.seq, head.hash)
    assert result.summary() == f"intact: {result.records} records"


def test_verify_counts_the_entries_awaiting_seal(people):
    seal()
    employee_update(employee=people[0], actor=None, position="Lead")
    result = verify()
    assert result.intact
    assert result.unsealed == 1
    assert result.summary() == f"intact: {result.records} records (1 newer records awaiting seal)"


def test_verify_reports_progress_per_stretch(people, monkeypatch):
    monkeypatch.setattr("apps.audit.chain.verification.VERIFY_BATCH", 2)
    monkeypatch.setattr("apps.audit.chain.verification.VERIFY_STRETCH", 2)
    seal()
    seen = []
    verify(progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == AuditEntry.objects.count()
    assert len(seen) == (AuditEntry.objects.count() + 1) // 2


def test_an_empty_chain_is_intact(db):
    AuditEntry.objects.all().delete()
    assert verify().summary() == "intact: 0 records"


def test_the_summary_of_a_break_names_the_model_record_and_time():
    result = Verification()
    result.records = 7
    result.fail(
        "the record or its version at position 8 was altered",
        {
            "content_type_id": 3,
            "object_repr": "Ada Lovelace",
            "object_id": "42",
            "at": datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        },
        {3: "org.employee"},
    )
    assert not result.intact
    assert result.summary() == (
        "BROKEN after 7 intact records: the record or its version at position 8 was altered "
        "[model org.employee, record Ada Lovelace (42), time 2025-01-02T03:04:05+00:00]"
    )


def test_the_summary_of_a_break_without_a_record():
    result = Verification()
    result.fail("records were removed from its end")
    assert result.summary() == "BROKEN after 0 intact records: records were removed from its end"


def test_link_hash_depends_on_the_key_the_previous_hash_and_the_content(settings):
    entry, version = {"id": 1, "reason": "x"}, {"history_id": 1}
    base = link_hash("", entry, version)
    assert len(base) == 64
    assert link_hash("", entry, version) == base
    assert link_hash("0" * 64, entry, version) != base
    assert link_hash("", {**entry, "reason": "y"}, version) != base
    assert link_hash("", entry, {"history_id": 2}) != base
    settings.AUDIT_CHAIN_KEY = settings.AUDIT_CHAIN_KEY + "-other"
    assert link_hash("", entry, version) != base


def test_the_chain_key_defaults_to_a_configured_secret():
    assert settings.AUDIT_CHAIN_KEY
