"""The hash chain over the audit entries: sealing, verification and archiving.

Each sealed entry gets the next position (``seq``) and an HMAC-SHA256, keyed with
``settings.AUDIT_CHAIN_KEY``, over the previous entry's hash, its own content and the
content of the version (the history row) it records. Editing an entry or a version,
deleting either, or removing entries from the end of the chain breaks a link that
``verify`` finds; without the key, nobody with only database access can forge a
chain that verifies.

Writers never wait on the chain: an entry is written unsealed with its change, and
``seal`` (run every few seconds by Celery beat) gives the committed ones their
places in order under one row lock that only sealers take.
"""

import datetime
import gzip
import hashlib
import hmac
import json
import multiprocessing
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, connections, transaction
from django.db.models import Count, Exists, Max, Min, Model, OuterRef
from django.utils import timezone

from apps.audit.models import AuditEntry, ChainArchive, ChainHead, VerificationRun

ARCHIVE_FORMAT = "backoffice-audit-archive/1"
SEAL_BATCH = 2000
VERIFY_BATCH = 5000
# Links per stretch handed to one verification process.
VERIFY_STRETCH = 50_000

# The entry's own columns that the hash covers (seq included: no reordering).
ENTRY_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "history_id",
    "department_id",
    "department_other_id",
    "changed_fields",
    "sensitive",
    "reason",
    "seq",
)
_HASHED_ENTRY_COLUMNS = tuple(name for name in ENTRY_COLUMNS if name != "content_type_id")
_JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NAIVE_UTC


def _as_text(value: Any) -> str:
    """Values JSON has no type for (Decimal): their text, as the database gave it."""
    return str(value)


def canonical_json(data: Any) -> bytes:
    """One canonical JSON text for the same values: keys sorted, compact, UTF-8, times
    as RFC 3339 (Django reads them as UTC from every database), UUIDs and dates as text.

    orjson: the standard library's encoder plus a per-value conversion cost more than
    half of a million-record verification.
    """
    return orjson.dumps(data, option=_JSON_OPTIONS, default=_as_text)


def _model_labels() -> dict[int, str]:
    """content type id -> "app_label.model": the hash names models, not database ids."""
    return {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}


def entry_content(entry: dict[str, Any], labels: dict[int, str]) -> dict[str, Any]:
    content = {name: entry[name] for name in _HASHED_ENTRY_COLUMNS}
    content["model"] = labels.get(entry["content_type_id"], "")
    return content


def link_hash(previous: str, entry: dict[str, Any], version: dict[str, Any] | None) -> str:
    """The hash of one link: previous hash, entry content and version content."""
    body = canonical_json({"entry": entry, "version": version})
    key = settings.AUDIT_CHAIN_KEY.encode()
    return hmac.new(key, previous.encode() + b"\n" + body, hashlib.sha256).hexdigest()


def _history_model(label: str) -> type[Model] | None:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    manager = getattr(model, "history", None)
    return getattr(manager, "model", None)


def _versions(entries: list[dict[str, Any]], labels: dict[int, str]) -> dict[tuple, dict]:
    """The versions (history rows) of a batch of entries, in one query per model."""
    wanted: dict[int, list[int]] = defaultdict(list)
    for entry in entries:
        wanted[entry["content_type_id"]].append(entry["history_id"])
    found = {}
    for ct_id, ids in wanted.items():
        history_model = _history_model(labels.get(ct_id, ""))
        if history_model is None:
            continue
        for row in history_model.objects.filter(history_id__in=ids).order_by().values():
            found[(ct_id, row["history_id"])] = row
    return found


def _head_locked() -> ChainHead:
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
    labels = _model_labels()
    total = 0
    while True:
        with transaction.atomic():
            head = _head_locked()
            entries = list(
                AuditEntry.objects.filter(seq__isnull=True)
                .order_by("id")
                .values(*ENTRY_COLUMNS)[:batch]
            )
            if not entries:
                return total
            versions = _versions(entries, labels)
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


# --- Verification ---------------------------------------------------------------------


@dataclass
class Verification:
    """What a walk of the chain found; ``problem`` names the first broken link."""

    intact: bool = True
    records: int = 0
    unsealed: int = 0
    head_seq: int = 0
    head_hash: str = ""
    problem: str = ""
    broken_model: str = ""
    broken_object: str = ""
    broken_at: datetime.datetime | None = None

    def fail(self, problem: str, entry: dict | None = None, labels: dict | None = None) -> None:
        self.intact = False
        self.problem = problem
        if entry is not None:
            self.broken_model = (labels or {}).get(entry["content_type_id"], "")
            self.broken_object = f"{entry['object_repr']} ({entry['object_id']})"
            self.broken_at = entry["at"]

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


def _chain_start() -> tuple[int, str]:
    """Where the live chain starts: after the newest archive, or at position 1."""
    archive = ChainArchive.objects.order_by("-last_seq").first()
    if archive is None:
        return 1, ""
    return archive.last_seq + 1, archive.last_hash


def _walk(start_seq: int, stop_seq: int | None = None) -> Iterator[list[dict[str, Any]]]:
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


def _object_repr(version: Model, fallback: str) -> str:
    try:
        return str(version.instance)[:200]
    except ObjectDoesNotExist:
        return fallback


def _orphan_version(model: type[Model], content_type: ContentType) -> dict[str, Any] | None:
    """The oldest version of ``model`` that has no audit entry, described as an entry."""
    # NOT EXISTS, not NOT IN: an anti-join, never a scan per row.
    recorded = AuditEntry.objects.filter(
        content_type=content_type, history_id=OuterRef("history_id")
    )
    version = (
        model.history.model.objects.filter(~Exists(recorded))
        .order_by("history_date", "history_id")
        .first()
    )
    if version is None:
        return None
    object_id = str(getattr(version, model._meta.pk.attname))
    return {
        "content_type_id": content_type.pk,
        "object_id": object_id,
        "object_repr": _object_repr(version, object_id),
        "at": version.history_date,
    }


def _entry_without_version(model: type[Model], content_type: ContentType) -> dict | None:
    """The first unsealed entry of ``model`` whose version is gone (sealed ones fail the walk)."""
    versions = model.history.model.objects.filter(history_id=OuterRef("history_id"))
    return (
        AuditEntry.objects.filter(content_type=content_type, seq__isnull=True)
        .filter(~Exists(versions))
        .order_by("id")
        .values("content_type_id", "object_id", "object_repr", "at")
        .first()
    )


def _unrecorded_versions() -> list[tuple[str, dict[str, Any] | None]]:
    """History rows with no audit entry (written around Backoffice), and entries without one.

    Counts first (cheap); only a mismatch looks for the rows. A version whose entry is
    still being committed (a save outside a transaction) is gone from the second look.
    """
    from apps.audit.services import audited_models

    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in audited_models():
            history_model = model.history.model
            content_type = ContentType.objects.get_for_model(model)
            # One statement, one snapshot: a commit between two counts cannot skew them.
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM {quote(history_model._meta.db_table)}), "
                f"(SELECT COUNT(*) FROM {quote(AuditEntry._meta.db_table)} "
                "WHERE content_type_id = %s)",
                [content_type.pk],
            )
            versions, entries = cursor.fetchone()
            if versions > entries and (orphan := _orphan_version(model, content_type)):
                found.append(
                    (
                        f"{versions - entries} version(s) of {model._meta.label} have no "
                        "audit record (written around Backoffice)",
                        orphan,
                    )
                )
            elif versions < entries and (lost := _entry_without_version(model, content_type)):
                found.append(
                    (
                        f"{entries - versions} audit record(s) of {model._meta.label} lost their version",
                        lost,
                    )
                )
    return found


def _link_problem(
    entry: dict[str, Any],
    expected: int,
    previous: str,
    version: dict[str, Any] | None,
    labels: dict[int, str],
    head: dict[str, Any],
) -> str:
    """What is wrong with one link of the chain, or "" when it holds."""
    if entry["seq"] != expected:
        return (
            f"records {expected}..{entry['seq'] - 1} of the chain are missing "
            f"before position {entry['seq']}"
        )
    if version is None:
        return f"the version recorded at position {expected} has been deleted"
    if link_hash(previous, entry_content(entry, labels), version) != entry["hash"]:
        return f"the record or its version at position {expected} was altered"
    if expected == head["seq"] and entry["hash"] != head["hash"]:
        return f"the chain's recorded end does not match the record at position {expected}"
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
        return (
            f"the chain ends at position {end_seq}, but the verification of {when} "
            f"checked it up to {run['head_seq']}: records were removed from its end"
        )
    there = AuditEntry.objects.filter(seq=run["head_seq"]).values_list("hash", flat=True).first()
    if there != run["head_hash"]:
        return (
            f"position {run['head_seq']} no longer carries the hash the verification of "
            f"{when} recorded: the chain was rewritten"
        )
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
    first: int, last: int | None, previous: str, head: dict[str, Any], labels: dict[int, str]
) -> _Stretch:
    """Check the links ``first``..``last`` (None: to the end) from hash ``previous``."""
    expected, checked = first, 0
    for chunk in _walk(first, last):
        versions = _versions(chunk, labels)
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
            problem = (
                f"the chain ends at position {expected - 1} but was sealed up to "
                f"{head['seq']}: records were removed from its end"
            )
            return _Stretch(checked, expected - 1, previous, problem)
        problem = (
            f"records {expected}..{later['seq'] - 1} of the chain are missing "
            f"before position {later['seq']}"
        )
        return _Stretch(checked, expected - 1, previous, problem, _where(later))
    return _Stretch(checked, expected - 1, previous)


def _stretch_worker(task: tuple[int, int, str | None, dict[str, Any]]) -> _Stretch:
    """One stretch in a worker process: it starts from the hash stored before it."""
    first, last, previous, head = task
    if previous is None:
        stored = AuditEntry.objects.filter(seq=first - 1).values_list("hash", flat=True).first()
        # A missing entry before the stretch is the previous stretch's finding.
        previous = stored or ""
    return _check_stretch(first, last, previous, head, _model_labels())


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
    return max(1, settings.AUDIT_VERIFY_WORKERS)


def _stretches(
    start: int, end: int, previous: str, head: dict[str, Any], labels: dict[int, str]
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
    connections.close_all()  # each process opens its own
    with multiprocessing.get_context("fork").Pool(workers) as pool:
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
    labels = _model_labels()
    head = ChainHead.objects.filter(pk=1).values("seq", "hash").first() or {"seq": 0, "hash": ""}
    start, previous = _chain_start()
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
        result.fail(
            f"the chain ends at position {result.head_seq} but was sealed up to "
            f"{head['seq']}: records were removed from its end"
        )
        return result
    anchored = _anchor_problem(result.head_seq, start)
    if anchored:
        result.fail(anchored)
        return result
    for problem, entry in _unrecorded_versions():
        result.fail(problem, entry, labels)
        return result
    result.unsealed = AuditEntry.objects.filter(seq__isnull=True).count()
    return result


# --- Archiving ------------------------------------------------------------------------


class ChainBroken(ValueError):
    """The chain does not verify: nothing may be archived from it."""


def _archive_lines(first: int, last: int, labels: dict[int, str]) -> Iterator[dict[str, Any]]:
    """One line per entry from ``first`` to ``last``, in order: entry, version and hash."""
    for chunk in _walk(first):
        versions = _versions(chunk, labels)
        for entry in chunk:
            if entry["seq"] > last:
                return
            version = versions.get((entry["content_type_id"], entry["history_id"]))
            yield {"entry": entry_content(entry, labels), "version": version, "hash": entry["hash"]}


def archive_range(*, cutoff: datetime.datetime) -> tuple[int, int] | None:
    """The positions an archive at ``cutoff`` would take: the sealed prefix older than it.

    The prefix stops before the first sealed entry at or after ``cutoff`` (commit order
    and time order may differ); None when nothing is old enough.
    """
    first, _start_hash = _chain_start()
    sealed = AuditEntry.objects.filter(seq__isnull=False)
    newer = sealed.filter(at__gte=cutoff).aggregate(s=Min("seq"))["s"]
    last = (newer - 1) if newer is not None else sealed.aggregate(s=Max("seq"))["s"]
    if last is None or last < first:
        return None
    return first, last


def _write_archive(
    path: Path, first: int, last: int, start_hash: str, cutoff: datetime.datetime
) -> tuple[str, int, str]:
    """Write the gzip file; returns (last hash, records, sha256 of the file)."""
    labels = _model_labels()
    previous, records = start_hash, 0
    with gzip.open(path, "wt", encoding="utf-8") as out:
        header = {
            "format": ARCHIVE_FORMAT,
            "first_seq": first,
            "last_seq": last,
            "start_hash": start_hash,
            "cutoff": cutoff,
        }
        out.write(canonical_json(header).decode() + "\n")
        for line in _archive_lines(first, last, labels):
            out.write(canonical_json(line).decode() + "\n")
            previous = line["hash"]
            records += 1
        out.write(json.dumps({"last_hash": previous, "records": records}) + "\n")
    digest = hashlib.sha256()
    with path.open("rb") as written:
        for block in iter(lambda: written.read(1 << 20), b""):
            digest.update(block)
    return previous, records, digest.hexdigest()


def _delete_archived(first: int, last: int) -> None:
    """Delete the archived entries and their versions, one statement per model."""
    labels = _model_labels()
    doomed = AuditEntry.objects.filter(seq__gte=first, seq__lte=last)
    for ct_id in doomed.order_by().values_list("content_type_id", flat=True).distinct():
        history_model = _history_model(labels.get(ct_id, ""))
        if history_model is not None:
            ids = doomed.filter(content_type_id=ct_id).values("history_id")
            history_model.objects.filter(history_id__in=ids).delete()
    doomed.delete()


def archive(*, cutoff: datetime.datetime, directory: Path, actor_name: str) -> ChainArchive | None:
    """Move the sealed entries older than ``cutoff`` (and their versions) to a gzip file.

    Only a verified prefix of the chain is archived; the file records the hash the
    archive starts from and the live chain then continues from its last hash. Raises
    ChainBroken (nothing written, nothing deleted) when the chain does not verify.
    Returns None when nothing is old enough.
    """
    path: Path | None = None
    try:
        with transaction.atomic():
            _head_locked()  # no seal interleaves with the cut
            span = archive_range(cutoff=cutoff)
            if span is None:
                return None
            check = verify()
            if not check.intact:
                raise ChainBroken(f"The chain is broken; nothing archived. {check.summary()}")
            first, last = span
            start_hash = _chain_start()[1]
            directory.mkdir(parents=True, exist_ok=True)
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
            path = directory / f"audit-{first:012d}-{last:012d}-{stamp}.jsonl.gz"
            last_hash, records, sha256 = _write_archive(path, first, last, start_hash, cutoff)
            _delete_archived(first, last)
            return ChainArchive.objects.create(
                path=str(path),
                sha256=sha256,
                first_seq=first,
                last_seq=last,
                start_hash=start_hash,
                last_hash=last_hash,
                records=records,
                cutoff=cutoff,
                actor_name=actor_name,
            )
    except BaseException:
        # Also when the commit itself fails: no file without its row.
        if path is not None and path.exists():
            path.unlink()
        raise


def _parsed_time(value: Any) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _check_archive(source: Any, result: Verification) -> None:
    header = json.loads(source.readline() or "{}")
    if header.get("format") != ARCHIVE_FORMAT:
        result.fail("not a Backoffice audit archive")
        return
    previous = header["start_hash"]
    expected = header["first_seq"]
    for raw in source:
        line = json.loads(raw)
        if "last_hash" in line:
            closing = (line["last_hash"], line["records"], expected - 1)
            if closing != (previous, result.records, header["last_seq"]):
                result.fail("the archive's closing line does not match its records")
            result.head_seq, result.head_hash = expected - 1, previous
            return
        entry = line["entry"]
        if entry["seq"] != expected or link_hash(previous, entry, line["version"]) != line["hash"]:
            result.fail(f"the archived record at position {expected} was altered or is missing")
            result.broken_model = str(entry.get("model", ""))
            result.broken_object = f"{entry.get('object_repr')} ({entry.get('object_id')})"
            result.broken_at = _parsed_time(entry.get("at"))
            return
        previous = line["hash"]
        expected += 1
        result.records += 1
    result.fail("the archive is incomplete (no closing line)")


def verify_archive(path: Path) -> Verification:
    """Check an archive file on its own: every link from its start hash to its last."""
    result = Verification()
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            _check_archive(source, result)
    except (OSError, EOFError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        result.fail(f"the archive cannot be read: {exc.__class__.__name__}: {exc}")
    return result
