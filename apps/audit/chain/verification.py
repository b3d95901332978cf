"""Verification: walk the live chain and name its first broken link.

Editing an entry or a version, deleting either, or removing entries from the end of
the chain breaks a link that ``verify`` finds; without the key, nobody with only
database access can forge a chain that verifies.
"""

import datetime
import multiprocessing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_noop

from apps.audit.chain.canonical import (
    ENTRY_COLUMNS,
    entry_content,
    entry_versions,
    link_hash,
    model_labels,
)
from apps.audit.chain.completeness import unrecorded_versions
from apps.audit.models import AuditEntry, ChainArchive, ChainHead, VerificationRun
from apps.core import processes
from apps.core.texts import text_shown, text_stored

# What a verification can find, kept as msgids and values and translated when shown
# (the trail page, the officers' e-mail, the command's output): apps.core.texts.
MISSING = gettext_noop(
    "records %(first)s..%(last)s of the chain are missing before position %(position)s"
)
VERSION_DELETED = gettext_noop("the version recorded at position %(position)s has been deleted")
ALTERED = gettext_noop("the record or its version at position %(position)s was altered")
END_MISMATCH = gettext_noop(
    "the chain's recorded end does not match the record at position %(position)s"
)
CUT = gettext_noop(
    "the chain ends at position %(end)s but was sealed up to %(sealed)s: "
    "records were removed from its end"
)
CUT_AFTER_CHECK = gettext_noop(
    "the chain ends at position %(end)s, but the verification of %(when)s checked it up "
    "to %(checked)s: records were removed from its end"
)
REWRITTEN = gettext_noop(
    "position %(position)s no longer carries the hash the verification of %(when)s "
    "recorded: the chain was rewritten"
)

VERIFY_BATCH = 5000
# Links per stretch handed to one verification process.
VERIFY_STRETCH = 50_000


@dataclass
class Verification:
    """What a walk of the chain found; ``problem`` names the first broken link.

    ``problem_stored`` is the finding as kept (``VerificationRun.problem``): its msgid
    and values (apps.core.texts), read in the reader's language; ``problem`` reads it
    in the active one.
    """

    intact: bool = True
    records: int = 0
    unsealed: int = 0
    head_seq: int = 0
    head_hash: str = ""
    problem_stored: str = ""
    broken_model: str = ""
    broken_object: str = ""
    broken_at: datetime.datetime | None = None

    def fail(
        self,
        problem: str,
        entry: Mapping[str, Any] | None = None,
        labels: dict[int, str] | None = None,
    ) -> None:
        self.intact = False
        self.problem_stored = problem
        if entry is not None:
            self.broken_model = (labels or {}).get(entry["content_type_id"], "")
            self.broken_object = f"{entry['object_repr']} ({entry['object_id']})"
            self.broken_at = entry["at"]

    @property
    def problem(self) -> str:
        return text_shown(self.problem_stored)

    def summary(self) -> str:
        if self.intact:
            text = f"intact: {self.records} records"
            if self.unsealed:
                text += f" ({self.unsealed} newer records awaiting seal)"
            return text
        where = ""
        if self.broken_model:
            at = self.broken_at.isoformat() if self.broken_at else "?"
            where = f" [model {self.broken_model}, record {self.broken_object}, time {at}]"
        return f"BROKEN after {self.records} intact records: {self.problem}{where}"


def chain_start() -> tuple[int, str]:
    """Where the live chain starts: after the newest archive, or at position 1."""
    archive = ChainArchive.objects.order_by("-last_seq").first()
    if archive is None:
        return 1, ""
    return archive.last_seq + 1, archive.last_hash


def walk(start_seq: int, stop_seq: int | None = None) -> Iterator[list[dict[str, Any]]]:
    """The sealed entries from ``start_seq`` (to ``stop_seq``), in order, a chunk at a time."""
    cursor = start_seq - 1
    columns = (*ENTRY_COLUMNS, "hash")
    while True:
        entries = AuditEntry.objects.filter(seq__gt=cursor)
        if stop_seq is not None:
            entries = entries.filter(seq__lte=stop_seq)
        chunk = list(entries.order_by("seq").values(*columns)[:VERIFY_BATCH])
        if not chunk:
            return
        yield chunk
        cursor = chunk[-1]["seq"]


def _link_problem(
    entry: dict[str, Any],
    expected: int,
    previous: str,
    version: dict[str, Any] | None,
    labels: dict[int, str],
    head: Mapping[str, Any],
) -> str:
    """What is wrong with one link of the chain, or "" when it holds."""
    if entry["seq"] != expected:
        return text_stored(MISSING, first=expected, last=entry["seq"] - 1, position=entry["seq"])
    if version is None:
        return text_stored(VERSION_DELETED, position=expected)
    if link_hash(previous, entry_content(entry, labels), version) != entry["hash"]:
        return text_stored(ALTERED, position=expected)
    if expected == head["seq"] and entry["hash"] != head["hash"]:
        return text_stored(END_MISMATCH, position=expected)
    return ""


def _anchor_problem(end_seq: int, start_seq: int) -> str:
    """Compare with the end an earlier intact verification saw.

    Cutting entries off the end and setting the head to the new last entry needs no
    key; the heads that earlier runs recorded (and e-mailed nobody about, being
    intact) still pin the chain: it must reach each and carry the same hash there.
    """
    run = (
        VerificationRun.objects.filter(intact=True, head_seq__gte=start_seq)
        .order_by("-head_seq")
        .values("head_seq", "head_hash", "finished_at")
        .first()
    )
    if run is None:
        return ""
    when = run["finished_at"].isoformat()
    if end_seq < run["head_seq"]:
        return text_stored(CUT_AFTER_CHECK, end=end_seq, when=when, checked=run["head_seq"])
    there = AuditEntry.objects.filter(seq=run["head_seq"]).values_list("hash", flat=True).first()
    if there != run["head_hash"]:
        return text_stored(REWRITTEN, position=run["head_seq"], when=when)
    return ""


@dataclass
class _Stretch:
    """What checking a stretch of the chain found."""

    checked: int
    last_seq: int
    last_hash: str
    problem: str = ""
    where: dict[str, Any] | None = None


def _where(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry[key] for key in ("content_type_id", "object_repr", "object_id", "at")}


def _check_stretch(
    first: int, last: int | None, previous: str, head: Mapping[str, Any], labels: dict[int, str]
) -> _Stretch:
    """Check the links ``first``..``last`` (None: to the end) from hash ``previous``."""
    expected, checked = first, 0
    for chunk in walk(first, last):
        versions = entry_versions(chunk, labels)
        for entry in chunk:
            version = versions.get((entry["content_type_id"], entry["history_id"]))
            problem = _link_problem(entry, expected, previous, version, labels, head)
            if problem:
                return _Stretch(checked, expected - 1, previous, problem, _where(entry))
            previous = entry["hash"]
            expected += 1
            checked += 1
    if last is not None and expected <= last:
        later = (
            AuditEntry.objects.filter(seq__gt=last).order_by("seq").values(*ENTRY_COLUMNS).first()
        )
        if later is None:
            problem = text_stored(CUT, end=expected - 1, sealed=head["seq"])
            return _Stretch(checked, expected - 1, previous, problem)
        problem = text_stored(MISSING, first=expected, last=later["seq"] - 1, position=later["seq"])
        return _Stretch(checked, expected - 1, previous, problem, _where(later))
    return _Stretch(checked, expected - 1, previous)


def _stretch_worker(task: tuple[int, int, str | None, Mapping[str, Any]]) -> _Stretch:
    """One stretch in a worker process: it starts from the hash stored before it."""
    first, last, previous, head = task
    if previous is None:
        stored = AuditEntry.objects.filter(seq=first - 1).values_list("hash", flat=True).first()
        # A missing entry before the stretch is the previous stretch's finding.
        previous = stored or ""
    return _check_stretch(first, last, previous, head, model_labels())


def _verify_workers() -> int:
    """Processes for one verification: stretches are independent given the stored hashes.

    Only where each process can read the same committed rows (PostgreSQL, outside a
    transaction) and may start children (not inside a daemonic Celery pool process).
    """
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or multiprocessing.current_process().daemon
    ):
        return 1
    configured: int = settings.AUDIT_VERIFY_WORKERS
    return max(1, configured)


def _stretches(
    start: int, end: int, previous: str, head: Mapping[str, Any], labels: dict[int, str]
) -> Iterator[_Stretch]:
    """Check ``start``..``end`` in stretches, in order (in parallel where possible)."""
    bounds = [(a, min(a + VERIFY_STRETCH - 1, end)) for a in range(start, end + 1, VERIFY_STRETCH)]
    workers = min(_verify_workers(), len(bounds))
    if workers <= 1:
        for first, last in bounds:
            outcome = _check_stretch(first, last, previous, head, labels)
            yield outcome
            previous = outcome.last_hash
        return
    tasks = [(first, last, previous if first == start else None, head) for first, last in bounds]
    with processes.pool(workers, keep=["AUDIT_CHAIN_KEY"]) as pool:
        yield from pool.imap(_stretch_worker, tasks)


def verify(*, progress: Callable[[int], None] | None = None) -> Verification:
    """Walk the live chain from its start; stop at the first broken link.

    Each link is checked against the hash stored before it, so stretches of the chain
    are checked independently (in parallel processes on PostgreSQL); results are taken
    in chain order and the first broken link wins. Each process reads one chunk at a
    time: constant memory. Entries sealed while it runs only extend the end, so the head
    is read first: the walk must reach at least it.
    """
    result = Verification()
    labels = model_labels()
    head = ChainHead.objects.filter(pk=1).values("seq", "hash").first() or {"seq": 0, "hash": ""}
    start, previous = chain_start()
    last_seq = start - 1
    for outcome in _stretches(start, head["seq"], previous, head, labels):
        result.records += outcome.checked
        if outcome.problem:
            result.fail(outcome.problem, outcome.where, labels)
            return result
        last_seq, previous = outcome.last_seq, outcome.last_hash
        if progress is not None:
            progress(result.records)
    # Sealed while this ran: the links after the head read at the start.
    outcome = _check_stretch(last_seq + 1, None, previous, head, labels)
    result.records += outcome.checked
    if outcome.problem:
        result.fail(outcome.problem, outcome.where, labels)
        return result
    result.head_seq, result.head_hash = outcome.last_seq, outcome.last_hash
    if head["seq"] > result.head_seq:
        result.fail(text_stored(CUT, end=result.head_seq, sealed=head["seq"]))
        return result
    anchored = _anchor_problem(result.head_seq, start)
    if anchored:
        result.fail(anchored)
        return result
    for problem, entry in unrecorded_versions():
        result.fail(problem, entry, labels)
        return result
    result.unsealed = AuditEntry.objects.filter(seq__isnull=True).count()
    return result
