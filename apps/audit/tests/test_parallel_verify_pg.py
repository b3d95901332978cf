"""Verification in parallel processes finds what the sequential walk finds (PostgreSQL)."""

import pytest
from django.db import connection

from apps.audit.chain import seal, verification, verify
from apps.audit.models import AuditEntry
from apps.org.services import employee_create, employee_update

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


@pytest.fixture
def chain_of_30(root_department, monkeypatch, settings):
    person = employee_create(actor=None, username="ada", department=root_department)
    for number in range(28):
        employee_update(employee=person, actor=None, position=f"Step {number}")
    seal()
    monkeypatch.setattr(verification, "VERIFY_STRETCH", 4)
    settings.AUDIT_VERIFY_WORKERS = 2
    assert verification._verify_workers() == 2
    return AuditEntry.objects.count()


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_intact_chain_verifies_in_parallel_stretches(chain_of_30):
    seen = []
    result = verify(progress=seen.append)
    assert result.intact, result.summary()
    assert result.records == chain_of_30
    assert len(seen) == -(-chain_of_30 // 4)


def test_the_first_broken_link_wins_across_stretches(chain_of_30):
    late = AuditEntry.objects.get(seq=chain_of_30 - 2)
    early = AuditEntry.objects.get(seq=9)
    for entry in (late, early):
        _sql("UPDATE audit_auditentry SET reason = 'edited' WHERE id = %s", [entry.pk])
    result = verify()
    assert not result.intact
    assert "position 9 was altered" in result.problem
    assert result.records == 8
    assert result.broken_object == f"{early.object_repr} ({early.object_id})"


def test_entries_missing_at_a_stretch_boundary_are_found(chain_of_30):
    # Positions 8 and 9: the end of one stretch and the start of the next.
    _sql("DELETE FROM audit_auditentry WHERE seq IN (8, 9)")
    result = verify()
    assert not result.intact
    assert "records 8..9 of the chain are missing before position 10" in result.problem


def test_a_cut_tail_is_found(chain_of_30):
    _sql("DELETE FROM audit_auditentry WHERE seq > %s", [chain_of_30 - 3])
    result = verify()
    assert not result.intact
    assert "records were removed from its end" in result.problem
