"""Sealing: committed entries get their places in the chain, in order.

Writers never wait on the chain: an entry is written unsealed with its change, and
``seal`` (run every few seconds by Celery beat) gives the committed ones their
places in order under one row lock that only sealers take.
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from apps.audit.chain.canonical import (
    ENTRY_COLUMNS,
    entry_content,
    entry_versions,
    link_hash,
    model_labels,
)
from apps.audit.models import AuditEntry, ChainHead

SEAL_BATCH = 2000


def head_locked() -> ChainHead:
    """The chain's head row, locked: only one sealer (or archiver) moves the end at a time."""
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def _write_seals(updates: list[tuple[int, int, str]]) -> None:
    """Store positions and hashes. On PostgreSQL one UPDATE ... FROM (VALUES ...) per
    1,000 rows: Django's bulk_update writes a CASE over every id of the batch for every
    row, quadratic in the batch (a 110,000-entry seed took minutes)."""
    if connection.vendor != "postgresql":
        AuditEntry.objects.bulk_update(
            [AuditEntry(id=pk, seq=seq, hash=link) for pk, seq, link in updates],
            ["seq", "hash"],
            batch_size=500,
        )
        return
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(updates), 1000):
            part = updates[start : start + 1000]
            rows = ", ".join(["(%s, %s, %s)"] * len(part))
            cursor.execute(
                f"UPDATE {table} AS entry SET seq = v.seq, hash = v.hash "
                f"FROM (VALUES {rows}) AS v(id, seq, hash) WHERE entry.id = v.id",
                [value for update in part for value in update],
            )


def seal(*, batch: int = SEAL_BATCH) -> int:
    """Give every committed unsealed entry its place and hash, in order; returns how many."""
    labels = model_labels()
    total = 0
    while True:
        with transaction.atomic():
            head = head_locked()
            entries = list(
                AuditEntry.objects.filter(seq__isnull=True)
                .order_by("id")
                .values(*ENTRY_COLUMNS)[:batch]
            )
            if not entries:
                return total
            versions = entry_versions(entries, labels)
            previous, seq = head.hash, head.seq
            updates = []
            for entry in entries:
                seq += 1
                entry["seq"] = seq
                version = versions.get((entry["content_type_id"], entry["history_id"]))
                previous = link_hash(previous, entry_content(entry, labels), version)
                updates.append((entry["id"], seq, previous))
            _write_seals(updates)
            newest = max(entry["at"] for entry in entries)
            head.seq, head.hash = seq, previous
            head.sealed_at = timezone.now()
            if head.sealed_through is None or newest > head.sealed_through:
                head.sealed_through = newest
            head.save()
        total += len(entries)


@dataclass
class SealState:
    """How far the chain is sealed: the window in which fresh entries are not yet."""

    sealed: int
    unsealed: int
    oldest_unsealed: datetime.datetime | None
    sealed_at: datetime.datetime | None
    sealed_through: datetime.datetime | None


def seal_state() -> SealState:
    """How many entries are sealed and how many wait, with the oldest waiting one's time."""
    head = ChainHead.objects.filter(pk=1).first()
    pending = AuditEntry.objects.filter(seq__isnull=True).aggregate(n=Count("id"), oldest=Min("at"))
    return SealState(
        sealed=head.seq if head else 0,
        unsealed=pending["n"],
        oldest_unsealed=pending["oldest"],
        sealed_at=head.sealed_at if head else None,
        sealed_through=head.sealed_through if head else None,
    )
