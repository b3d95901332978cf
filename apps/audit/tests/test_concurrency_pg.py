"""The chain stays valid while two processes write and others seal (PostgreSQL only).

Each writer commits ~100 changes, one transaction each; one writer also seals after
each commit (as the embedded default does) while this test seals in a loop, so
sealers race each other and entries commit out of id order.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from apps.audit.chain import seal, verify
from apps.audit.models import AuditEntry
from apps.org.models import Employee
from apps.org.services import employee_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

WRITER = Path(__file__).with_name("concurrent_writer.py")
CHANGES = 100
# A bound on the loop, not a timing assertion: the writers take a few seconds.
GIVE_UP_AFTER = 300


def _writer(employee: Employee, *, seal_on_commit: bool) -> subprocess.Popen:
    env = {**os.environ, "AUDIT_SEAL_ON_COMMIT": "1" if seal_on_commit else "0"}
    return subprocess.Popen(
        [
            sys.executable,
            str(WRITER),
            connection.settings_dict["NAME"],
            str(employee.pk),
            str(CHANGES),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_writing_processes_and_racing_sealers_keep_the_chain_valid(root_department):
    ada = employee_create(actor=None, username="ada", department=root_department)
    bob = employee_create(actor=None, username="bob", department=root_department)
    before = AuditEntry.objects.count()
    writers = [_writer(ada, seal_on_commit=True), _writer(bob, seal_on_commit=False)]
    sealed_while_writing = 0
    deadline = time.monotonic() + GIVE_UP_AFTER
    while any(w.poll() is None for w in writers) and time.monotonic() < deadline:
        sealed_while_writing += seal()
    outputs = [w.communicate(timeout=60) for w in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert out.strip() == f"wrote {CHANGES}"
    seal()

    total = AuditEntry.objects.count()
    assert total == before + 2 * CHANGES
    assert sealed_while_writing > 0
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    result = verify()
    assert result.intact, result.summary()
    assert result.records == total
