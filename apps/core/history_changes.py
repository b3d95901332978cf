"""How a change reads: field names and values as people read them, in one place.

The history list, the compare and revert pages, the audit trail and its exports all
name a field by its verbose name (translated) and write a value through ``value_text``:
"—" for nothing, labels for choices and related rows, the product's date and number
formats, and whatever display function the model's app registered for a field (a salary
reads as money: ``apps.core.registry`` ``displays``). The rule for who may see a field
is not here: callers leave out or mask what access says the reader may not see.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext

from apps.core.registry import policy_for

EMPTY = "—"

# ``(related model, pk) -> label``: the related rows a set of versions names.
Labels = dict[tuple[type[Model], Any], str]
if TYPE_CHECKING:
    AnyField = Field[Any, Any]


def model_field(model: type[Model] | None, name: str) -> AnyField | None:
    """The concrete field ``name`` of ``model``; None when unknown (since removed)."""
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, Field) else None


def field_label(model: type[Model] | None, name: str) -> str:
    """A field as people read it: its verbose name, translated; the name when unknown."""
    found = model_field(model, name)
    return str(capfirst(found.verbose_name)) if found is not None else name


def _related(f: AnyField) -> type[Model] | None:
    if (f.many_to_one or f.one_to_one) and f.remote_field is not None:
        model: type[Model] = f.remote_field.model
        return model
    return None


def related_labels(fields: Iterable[AnyField], rows: Iterable[Any]) -> Labels:
    """The labels of every related row ``rows`` name through ``fields``: one query per model.

    A row is anything with the model's attribute names (a history row, a live object).
    """
    fields = [f for f in fields if _related(f) is not None]
    wanted: dict[type[Model], set[Any]] = defaultdict(set)
    for row in rows:
        for f in fields:
            value = getattr(row, f.attname, None)
            if value is not None:
                wanted[_related(f)].add(value)  # type: ignore[index]  # filtered above
    return labels_for(wanted)


def labels_for(wanted: dict[type[Model], set[Any]]) -> Labels:
    """``(model, pk) -> str(row)`` for the wanted ids of each model: one query per model."""
    labels: Labels = {}
    for model, pks in wanted.items():
        if pks:
            for obj in model._default_manager.filter(pk__in=pks):
                labels[(model, obj.pk)] = str(obj)
    return labels


def value_text(f: AnyField | None, value: Any, labels: Labels | None = None) -> str:
    """A stored value as people read it, in the active language's formats."""
    if value is None or value == "":
        return EMPTY
    if f is None:
        return str(value)
    shown = policy_for(f.model).display_for(f.name) if f.model else None
    if shown is not None:
        return str(shown(value))
    related = _related(f)
    if related is not None:
        return (labels or {}).get((related, value)) or gettext(
            "%(model)s no longer present (%(id)s)"
        ) % {"model": related._meta.verbose_name, "id": value}
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    return plain_text(value)


def plain_text(value: Any) -> str:
    """A value of no particular field: yes/no, the product's date, time and number formats."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(moment, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, datetime.time):
        return formats.time_format(value, "TIME_FORMAT")
    if isinstance(value, Decimal | float | int):
        return formats.number_format(value, use_l10n=True)
    return str(value)


def changes_text(
    model: type[Model], changes: Sequence[tuple[str, Any, Any]], labels: Labels | None = None
) -> list[dict[str, str]]:
    """``(name, old, new)`` as the history list shows them: name, label, old and new text."""
    shown = []
    for name, old, new in changes:
        f = model_field(model, name)
        shown.append(
            {
                "name": name,
                "field": field_label(model, name),
                "old": value_text(f, old, labels),
                "new": value_text(f, new, labels),
            }
        )
    return shown


def wanted_labels(
    model: type[Model], changes: Iterable[tuple[str, Any, Any]]
) -> dict[type[Model], set[Any]]:
    """The related ids ``changes`` name, per related model (for ``labels_for``)."""
    wanted: dict[type[Model], set[Any]] = defaultdict(set)
    for name, old, new in changes:
        f = model_field(model, name)
        related = _related(f) if f is not None else None
        if related is not None:
            wanted[related].update(v for v in (old, new) if v is not None)
    return wanted
