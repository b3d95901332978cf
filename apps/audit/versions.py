"""Two versions of one object, side by side: what changed, field by field.

A version is any object with the model's attribute names: a history row, or the live
object (the revert preview compares it with an old version). The functions here only
read; the views render what they return.
"""

import datetime
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Field, Model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from apps.audit.models import AuditEntry, with_actor_flag
from apps.audit.services import tracked_fields
from apps.core.history_changes import EMPTY, related_labels, value_text
from apps.core.texts import text_shown

# Text longer than this, or with line breaks, is compared line by line.
LONG_TEXT = 80


@dataclass(frozen=True)
class Line:
    """One line of a long text: "same", "removed" (old side) or "added" (new side)."""

    kind: str
    text: str


@dataclass(frozen=True)
class FieldComparison:
    name: str
    label: "StrOrPromise"
    old: str
    new: str
    changed: bool
    # For long text only: each side's lines, marked.
    old_lines: tuple[Line, ...] = ()
    new_lines: tuple[Line, ...] = ()

    @property
    def is_long(self) -> bool:
        return bool(self.old_lines or self.new_lines)


@dataclass(frozen=True)
class VersionHeader:
    """Who made a version, when, how and why (from its audit entry when there is one)."""

    history_id: int | None
    at: datetime.datetime | None
    actor: str
    action: str
    reason: str


@dataclass
class Comparison:
    old: VersionHeader
    new: VersionHeader
    fields: list[FieldComparison] = field(default_factory=list)

    @property
    def changed(self) -> list[FieldComparison]:
        return [f for f in self.fields if f.changed]

    @property
    def unchanged(self) -> list[FieldComparison]:
        return [f for f in self.fields if not f.changed]


def compared_fields(model: type[Model], *, hidden: Iterable[str] = ()) -> list[Field]:
    """The fields a comparison shows: the tracked ones but the key, hidden ones left out."""
    hidden = set(hidden)
    fields = [f for f in tracked_fields(model) if not f.primary_key and f.name not in hidden]
    # The soft-delete flag reads best last, after the object's own details.
    return sorted(fields, key=lambda f: f.name == "is_active")


def foreign_labels(fields: Sequence[Field], versions: Sequence[Any]) -> dict[tuple, str]:
    """``(model, pk) -> str`` for every related value of ``versions``: one query per model."""
    return related_labels(fields, versions)


def display(f: Field, value: Any, labels: dict[tuple, str]) -> str:
    """A value as people read it (``apps.core.history_changes``, the one place for it)."""
    return value_text(f, value, labels)


def is_long(text: str) -> bool:
    return len(text) > LONG_TEXT or "\n" in text


def line_diff(old: str, new: str) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    """Each side's lines, with the lines only the old side has "removed", only the new "added"."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    left: list[Line] = []
    right: list[Line] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            left += [Line("same", text) for text in old_lines[i1:i2]]
            right += [Line("same", text) for text in new_lines[j1:j2]]
        else:
            left += [Line("removed", text) for text in old_lines[i1:i2]]
            right += [Line("added", text) for text in new_lines[j1:j2]]
    return tuple(left), tuple(right)


def field_comparison(f: Field, old: Any, new: Any, labels: dict[tuple, str]) -> FieldComparison:
    """One field of two versions; text fields with long values get a line diff."""
    old_value, new_value = getattr(old, f.attname), getattr(new, f.attname)
    changed = old_value != new_value
    old_text, new_text = display(f, old_value, labels), display(f, new_value, labels)
    comparison = FieldComparison(
        name=f.name,
        label=capfirst(f.verbose_name),
        old=old_text,
        new=new_text,
        changed=changed,
    )
    texts = [v for v in (old_value, new_value) if isinstance(v, str)]
    if changed and texts and not f.choices and any(is_long(t) for t in texts):
        old_lines, new_lines = line_diff(old_value or "", new_value or "")
        comparison = FieldComparison(
            **{**comparison.__dict__, "old_lines": old_lines, "new_lines": new_lines}
        )
    return comparison


def fields_compare(
    model: type[Model], old: Any, new: Any, *, hidden: Iterable[str] = (), only: Iterable[str] = ()
) -> list[FieldComparison]:
    """Every shown field of ``old`` and ``new`` (``only`` limits them to those names)."""
    fields = compared_fields(model, hidden=hidden)
    if only:
        only = set(only)
        fields = [f for f in fields if f.name in only]
    labels = foreign_labels(fields, [old, new])
    return [field_comparison(f, old, new, labels) for f in fields]


def version_headers(model: type[Model], versions: Sequence[Any]) -> dict[int, VersionHeader]:
    """The header of each history row, from its audit entry when it has one (one query)."""
    ids = [v.history_id for v in versions]
    entries = {
        e.history_id: e
        for e in with_actor_flag(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), history_id__in=ids
            )
        )
    }
    headers = {}
    for version in versions:
        entry = entries.get(version.history_id)
        reason = entry.reason if entry else (version.history_change_reason or "")
        headers[version.history_id] = VersionHeader(
            history_id=version.history_id,
            at=version.history_date,
            actor=entry.actor_label if entry else str(version.history_user or EMPTY),
            action=entry.get_action_display() if entry else version.get_history_type_display(),
            # Service reasons are stored untranslated; shown in the reader's language.
            reason=text_shown(reason),
        )
    return headers


def versions_compare(
    model: type[Model], first: Any, second: Any, *, hidden: Iterable[str] = ()
) -> Comparison:
    """Two history rows of one object, in either order: the older one is shown first."""
    old, new = sorted((first, second), key=lambda v: (v.history_date, v.history_id))
    headers = version_headers(model, [old, new])
    return Comparison(
        old=headers[old.history_id],
        new=headers[new.history_id],
        fields=fields_compare(model, old, new, hidden=hidden),
    )


def current_header() -> VersionHeader:
    """The header of the live object in a comparison (the revert preview)."""
    return VersionHeader(
        history_id=None, at=None, actor="", action=str(_("Current state")), reason=""
    )
