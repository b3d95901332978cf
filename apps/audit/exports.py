"""The filtered trail as CSV or XLSX, and the log of every export.

Both formats hold the same rows and columns as the page (scope and salary rules
applied by the caller's queryset and ``visible_fields``), the changes old -> new
included (``apps.audit.changes``, a chunk of entries at a time). An export runs as a
background job (``apps.audit.job_kinds``), so it is not cut: it streams the rows a batch at
a time into a file and reports its progress per batch. A caller may still give a cap (the
rows then end with a note saying so). Every cell goes through
``apps.core.spreadsheets.cell_text``: cleaned first, then quoted if it would run as a formula.
"""

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, override, pgettext
from django.utils.translation import gettext as _
from openpyxl import Workbook

from apps.audit.changes import Change, changes_text, entries_changes
from apps.audit.models import AuditEntry, TrailExport, with_actor_flag
from apps.audit.selectors import field_label, visible_fields
from apps.core.spreadsheets import cell_row
from apps.core.texts import text_shown
from apps.org.models import Employee

# The job kind that runs an export (apps.audit.job_kinds).
EXPORT_JOB = "audit.trail_export"
CHUNK = 1000
JOB_BATCH = 200
XLSX_CHUNK = 64 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_record(*, user: Employee, format: str, filters: dict[str, str]) -> TrailExport:
    """Log an export as it starts (an interrupted download is logged too); rows follow."""
    return TrailExport.objects.create(user=user, format=format, filters=filters, rows=0)


def export_finish(*, export: TrailExport, rows: int, truncated: bool) -> TrailExport:
    """Record how many rows the export held and whether it was cut."""
    export.rows = rows
    export.truncated = truncated
    export.save(update_fields=["rows", "truncated"])
    return export


def headers() -> list[str]:
    return [
        _("Time"),
        _("Actor"),
        _("Action"),
        _("Model"),
        _("Object id"),
        _("Object"),
        _("Changed fields"),
        pgettext("history", "Changes"),
        _("Reason"),
        _("Chain position"),
        _("Hash"),
    ]


def _model_name(content_type_id: int) -> str:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return str(capfirst(model._meta.verbose_name)) if model else ""


def _row(user: Employee | AnonymousUser, entry: AuditEntry, changes: list[Change]) -> list[Any]:
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    return [
        timezone.localtime(entry.at).replace(tzinfo=None),
        entry.actor_label,
        str(entry.get_action_display()),
        _model_name(entry.content_type_id),
        entry.object_id,
        entry.object_shown,
        ", ".join(field_label(model, name) for name in visible_fields(user, entry)),
        changes_text(changes),
        text_shown(entry.reason),
        entry.seq,
        entry.hash,
    ]


@dataclass
class Rows:
    """The rows of one export, counted as they are read; cut at the cap (None: never)."""

    user: Employee | AnonymousUser
    entries: QuerySet[AuditEntry]
    cap: int | None = None
    # Entries read (and their changes looked up) together; a job reports after each batch.
    batch_size: int = CHUNK
    # Called with the count of rows read after each batch (a job's progress).
    on_batch: Callable[[int], None] | None = None
    count: int = 0
    truncated: bool = False
    # The exporter's language, taken when the export starts: the rows are read in it
    # even when the response is streamed after the request's own language has gone.
    language: str = field(default_factory=lambda: get_language() or settings.LANGUAGE_CODE)

    def __iter__(self) -> Iterator[list[Any]]:
        chosen = (
            with_actor_flag(self.entries)
            .select_related("department", "department_other")
            .order_by("-at", "-id")
        )
        batch: list[AuditEntry] = []
        if self.cap is not None:
            chosen = chosen[: self.cap + 1]
        for entry in chosen.iterator(chunk_size=CHUNK):
            if self.count + len(batch) == self.cap:
                self.truncated = True
                break
            batch.append(entry)
            if len(batch) == self.batch_size:
                yield from self._batch(batch)
                batch = []
        yield from self._batch(batch)

    def _batch(self, batch: list[AuditEntry]) -> Iterator[list[Any]]:
        """The rows of up to ``batch_size`` entries: their old -> new values read together."""
        with override(self.language):
            changes = entries_changes(self.user, batch)
            rows = [_row(self.user, entry, changes.get(entry.pk, [])) for entry in batch]
        self.count += len(batch)
        if self.on_batch is not None:
            self.on_batch(self.count)
        yield from rows

    def note(self) -> list[str]:
        return [
            _(
                "Cut at %(count)d rows (the most an export holds): narrow the filters to export the rest."
            )
            % {"count": self.cap}
        ]


def rows_for(
    user: Employee | AnonymousUser,
    entries: QuerySet[AuditEntry],
    *,
    on_batch: Callable[[int], None] | None = None,
) -> Rows:
    # A job reports after each batch: smaller batches move its bar more often (a batch of
    # 200 costs a few more queries than one of 1,000, and moves the bar every ~0.2 s).
    return Rows(
        user=user, entries=entries, on_batch=on_batch, batch_size=JOB_BATCH if on_batch else CHUNK
    )


class _Line:
    """A write-only file for csv.writer: keeps the last line written."""

    value = ""

    def write(self, text: str) -> None:
        self.value = text


def csv_chunks(rows: Rows, export: TrailExport) -> Iterator[str]:
    """The CSV text in chunks (UTF-8 BOM first, for Excel); logs the count at the end."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow(cell_row(headers()))
    buffer = ["\ufeff", line.value]
    for values in rows:
        if isinstance(values[0], datetime.datetime):
            values[0] = values[0].isoformat(sep=" ")
        writer.writerow(cell_row(values))
        buffer.append(line.value)
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer = []
    if rows.truncated:
        writer.writerow(cell_row(rows.note()))
        buffer.append(line.value)
    export_finish(export=export, rows=rows.count, truncated=rows.truncated)
    yield "".join(buffer)


def xlsx_chunks(rows: Rows, export: TrailExport) -> Iterator[bytes]:
    """The XLSX workbook (openpyxl write-only: constant memory), built then sent in chunks."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Audit trail")[:31])
    sheet.append(cell_row(headers()))
    for values in rows:
        sheet.append(cell_row(values))
    if rows.truncated:
        sheet.append(cell_row(rows.note()))
    with tempfile.TemporaryFile() as target:
        workbook.save(target)
        export_finish(export=export, rows=rows.count, truncated=rows.truncated)
        target.seek(0)
        while chunk := target.read(XLSX_CHUNK):
            yield chunk
