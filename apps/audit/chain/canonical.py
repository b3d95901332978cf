"""What the chain hashes: the canonical form of an entry and of the version it records.

A link's hash is an HMAC-SHA256, keyed with ``settings.AUDIT_CHAIN_KEY``, over the
previous link's hash, the entry's own columns and the content of its version (the
history row). Sealing, verification and archives all hash through ``link_hash``.
"""

import hashlib
import hmac
from collections import defaultdict
from typing import Any

import orjson
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from simple_history.models import registered_models

from apps.core.actions import action_stores

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


def model_labels() -> dict[int, str]:
    """content type id -> "app_label.model": the hash names models, not database ids."""
    return {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}


def entry_content(entry: dict[str, Any], labels: dict[int, str]) -> dict[str, Any]:
    """The entry as the hash covers it: its columns, its model named by label."""
    content = {name: entry[name] for name in _HASHED_ENTRY_COLUMNS}
    content["model"] = labels.get(entry["content_type_id"], "")
    return content


def link_hash(previous: str, entry: dict[str, Any], version: dict[str, Any] | None) -> str:
    """The hash of one link: previous hash, entry content and version content."""
    body = canonical_json({"entry": entry, "version": version})
    key = settings.AUDIT_CHAIN_KEY.encode()
    return hmac.new(key, previous.encode() + b"\n" + body, hashlib.sha256).hexdigest()


def audited_models() -> list[type[Model]]:
    """Every model with history whose versions go into the trail."""
    return sorted(
        (m for m in registered_models.values() if m.__module__.startswith("apps.")),
        key=lambda m: m._meta.label,
    )


def history_model_of(label: str) -> type[Model] | None:
    """The history model of the model named ``label`` (None: not one with history)."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    manager = getattr(model, "history", None)
    return getattr(manager, "model", None)


def history_model(model: type[Model]) -> type[Model]:
    """The model of ``model``'s versions (``model.history.model``): for a model with history."""
    with_history: Any = model  # simple-history adds ``history``; the library ships no types
    versions: type[Model] = with_history.history.model
    return versions


def action_store_models() -> list[type[Model]]:
    """The models whose rows record logged actions (``apps.core.actions``)."""
    return [store.model_class() for store in action_stores()]


def trail_models() -> list[type[Model]]:
    """Every model whose entries are on the trail: those with history, then action stores."""
    return [*audited_models(), *action_store_models()]


def version_source(label: str) -> tuple[type[Model], str] | None:
    """Where the versions of a model's entries are, and their key.

    A model with history: its history rows by ``history_id``. An action store: its own
    rows by id (an action is written once; its row is the version), so editing the row
    the permission log or security actions list shows breaks the link.
    """
    history_model = history_model_of(label)
    if history_model is not None:
        return history_model, "history_id"
    if label in {model._meta.label_lower for model in action_store_models()}:
        model = apps.get_model(label)
        return model, model._meta.pk.attname
    return None


def entry_versions(
    entries: list[dict[str, Any]], labels: dict[int, str]
) -> dict[tuple[int, Any], dict[str, Any]]:
    """The versions (history or action rows) of a batch of entries, in one query per model."""
    wanted: dict[int, list[int]] = defaultdict(list)
    for entry in entries:
        wanted[entry["content_type_id"]].append(entry["history_id"])
    found: dict[tuple[int, Any], dict[str, Any]] = {}
    for ct_id, ids in wanted.items():
        source = version_source(labels.get(ct_id, ""))
        if source is None:
            continue
        model, key = source
        for row in model._default_manager.filter(**{f"{key}__in": ids}).order_by().values():
            found[(ct_id, row[key])] = row
    return found
