"""What each trail entry changed, old → new, for a page or an export chunk at a time.

An entry names its version (``history_id``); the value before is the object's previous
version. The fields listed are those the reader may see on the entry
(``selectors.visible_fields``: a salary outside their salary scope is left out, as the
trail has always left it out, so neither its value nor that it changed is shown). Values
read as everywhere else (``apps.core.history_changes``). The cost is a few queries per
model on the page (its versions, their predecessors, the related rows they name), never
one per entry.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, OuterRef, Q, Subquery

from apps.audit.chain.canonical import history_model
from apps.audit.models import AuditEntry
from apps.audit.selectors import visible_fields
from apps.core import history_changes
from apps.core.actions import action_kind_of
from apps.core.history_changes import EMPTY
from apps.org.models import Employee


@dataclass(frozen=True)
class Change:
    """One field of one entry: its name, its label and the values before and after."""

    name: str
    label: str
    old: str
    new: str
    # False for a record's first version (created, imported): there is no before.
    has_old: bool = True

    @property
    def old_empty(self) -> bool:
        return self.old == EMPTY

    @property
    def new_empty(self) -> bool:
        return self.new == EMPTY

    def text(self) -> str:
        if not self.has_old:
            return f"{self.label}: {self.new}"
        return f"{self.label}: {self.old} → {self.new}"


def _versions(model: type[Model], ids: Sequence[int]) -> dict[int, tuple[Any, Any]]:
    """``history_id -> (previous version or None, version)``: two queries."""
    versions: Any = history_model(model)._default_manager  # simple-history ships no types
    pk = model._meta.pk.attname
    earlier = versions.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        **{pk: OuterRef(pk)},
    ).order_by("-history_date", "-history_id")
    rows: list[Any] = list(
        versions.filter(history_id__in=ids).annotate(
            previous_id=Subquery(earlier.values("history_id")[:1])
        )
    )
    wanted = [row.previous_id for row in rows if row.previous_id is not None]
    previous: dict[int, Any] = {
        row.history_id: row for row in versions.filter(history_id__in=wanted)
    }
    return {row.history_id: (previous.get(row.previous_id), row) for row in rows}


def entries_changes(
    user: Employee | AnonymousUser, entries: Iterable[AuditEntry]
) -> dict[int, list[Change]]:
    """``entry id -> its changes`` the reader may see, in the entry's field order.

    Load the entries with ``select_related("department", "department_other")`` (the
    trail's pages and exports do): the visibility decision then costs no query.
    """
    by_model: dict[type[Model], list[AuditEntry]] = defaultdict(list)
    for entry in entries:
        if action_kind_of(entry.action) is not None:
            continue  # a logged action: its row is the record, there is no version
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        if model is not None and hasattr(model, "history"):
            by_model[model].append(entry)
    pairs: list[tuple[AuditEntry, type[Model], bool, list[tuple[str, Any, Any]]]] = []
    wanted: dict[type[Model], set[Any]] = defaultdict(set)
    for model, chosen in by_model.items():
        versions = _versions(model, [entry.history_id for entry in chosen])
        for entry in chosen:
            previous, version = versions.get(entry.history_id, (None, None))
            raw = []
            for name in visible_fields(user, entry):
                f = history_changes.model_field(model, name)
                if f is None or version is None:
                    continue
                old = getattr(previous, f.attname, None) if previous is not None else None
                raw.append((name, old, getattr(version, f.attname, None)))
            pairs.append((entry, model, previous is not None, raw))
            for related, ids in history_changes.wanted_labels(model, raw).items():
                wanted[related].update(ids)
    labels = history_changes.labels_for(wanted)
    found: dict[int, list[Change]] = {}
    for entry, model, has_old, raw in pairs:
        found[entry.pk] = [
            Change(name=c["name"], label=c["field"], old=c["old"], new=c["new"], has_old=has_old)
            for c in history_changes.changes_text(model, raw, labels)
        ]
    return found


def changes_text(changes: Sequence[Change]) -> str:
    """An entry's changes as one line of text (the exports' "Changes" cell)."""
    return "; ".join(change.text() for change in changes)
