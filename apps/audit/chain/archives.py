"""Archives: a verified prefix of the chain moved to a gzip file that verifies on its own.

The file records the hash the archive starts from; the live chain then continues from
its last hash.
"""

import datetime
import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.audit.chain.canonical import (
    canonical_json,
    entry_content,
    entry_versions,
    link_hash,
    model_labels,
    version_source,
)
from apps.audit.chain.sealing import head_locked
from apps.audit.chain.verification import Verification, chain_start, verify, walk
from apps.audit.models import AuditEntry, ChainArchive
from apps.core.texts import text_stored

ARCHIVE_FORMAT = "backoffice-audit-archive/1"

# What checking an archive can find, translated when shown (apps.core.texts).
NOT_AN_ARCHIVE = gettext_noop("not a Backoffice audit archive")
CLOSING_MISMATCH = gettext_noop("the archive's closing line does not match its records")
ARCHIVED_ALTERED = gettext_noop(
    "the archived record at position %(position)s was altered or is missing"
)
INCOMPLETE = gettext_noop("the archive is incomplete (no closing line)")
UNREADABLE = gettext_noop("the archive cannot be read: %(error)s")


class ChainBroken(ValueError):
    """The chain does not verify: nothing may be archived from it."""


def _archive_lines(first: int, last: int, labels: dict[int, str]) -> Iterator[dict[str, Any]]:
    """One line per entry from ``first`` to ``last``, in order: entry, version and hash."""
    for chunk in walk(first):
        versions = entry_versions(chunk, labels)
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
    first, _start_hash = chain_start()
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
    labels = model_labels()
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
    """Delete the archived entries and their versions (history or action rows), one
    statement per model: the file holds them now."""
    labels = model_labels()
    doomed = AuditEntry.objects.filter(seq__gte=first, seq__lte=last)
    for ct_id in doomed.order_by().values_list("content_type_id", flat=True).distinct():
        source = version_source(labels.get(ct_id, ""))
        if source is not None:
            model, key = source
            ids = doomed.filter(content_type_id=ct_id).values("history_id")
            model._default_manager.filter(**{f"{key}__in": ids}).delete()
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
            head_locked()  # no seal interleaves with the cut
            span = archive_range(cutoff=cutoff)
            if span is None:
                return None
            check = verify()
            if not check.intact:
                raise ChainBroken(f"The chain is broken; nothing archived. {check.summary()}")
            first, last = span
            start_hash = chain_start()[1]
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
        result.fail(text_stored(NOT_AN_ARCHIVE))
        return
    previous = header["start_hash"]
    expected = header["first_seq"]
    for raw in source:
        line = json.loads(raw)
        if "last_hash" in line:
            closing = (line["last_hash"], line["records"], expected - 1)
            if closing != (previous, result.records, header["last_seq"]):
                result.fail(text_stored(CLOSING_MISMATCH))
            result.head_seq, result.head_hash = expected - 1, previous
            return
        entry = line["entry"]
        if entry["seq"] != expected or link_hash(previous, entry, line["version"]) != line["hash"]:
            result.fail(text_stored(ARCHIVED_ALTERED, position=expected))
            result.broken_model = str(entry.get("model", ""))
            result.broken_object = f"{entry.get('object_repr')} ({entry.get('object_id')})"
            result.broken_at = _parsed_time(entry.get("at"))
            return
        previous = line["hash"]
        expected += 1
        result.records += 1
    result.fail(text_stored(INCOMPLETE))


def verify_archive(path: Path) -> Verification:
    """Check an archive file on its own: every link from its start hash to its last."""
    result = Verification()
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            _check_archive(source, result)
    except (OSError, EOFError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        result.fail(text_stored(UNREADABLE, error=f"{exc.__class__.__name__}: {exc}"))
    return result
