"""Completeness: every version has its entry, and every entry its version.

A version is a history row of an audited model, or a row of an action store.

The chain's links prove that what is sealed was not edited; these counts find history
rows written around Backoffice (no entry at all) and entries whose version is gone
before they were sealed.
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils.translation import gettext_noop

from apps.audit.chain.canonical import action_store_models, audited_models, history_model
from apps.audit.models import AuditEntry
from apps.core.texts import text_stored

# Findings, kept as msgids and values and translated when shown (apps.core.texts).
UNRECORDED = gettext_noop(
    "%(count)s version(s) of %(model)s have no audit record (written around Backoffice)"
)
LOST = gettext_noop("%(count)s audit record(s) of %(model)s lost their version")


def _object_repr(version: Any, fallback: str) -> str:
    # ``version``: a simple-history historical record (the library ships no types).
    try:
        return str(version.instance)[:200]
    except ObjectDoesNotExist:
        return fallback


def _orphan_version(model: type[Model], content_type: ContentType) -> Mapping[str, Any] | None:
    """The oldest version of ``model`` that has no audit entry, described as an entry."""
    # NOT EXISTS, not NOT IN: an anti-join, never a scan per row.
    recorded = AuditEntry.objects.filter(
        content_type=content_type, history_id=OuterRef("history_id")
    )
    version: Any = (  # a historical record: ``history_date``, ``instance``
        history_model(model)
        ._default_manager.filter(~Exists(recorded))
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


def _entry_without_row(
    content_type: ContentType, rows: QuerySet[Model]
) -> Mapping[str, Any] | None:
    """The first unsealed entry whose row (``rows``, matched on ``history_id``) is gone.

    Sealed entries whose row is gone fail the walk instead.
    """
    return (
        AuditEntry.objects.filter(content_type=content_type, seq__isnull=True)
        .filter(~Exists(rows))
        .order_by("id")
        .values("content_type_id", "object_id", "object_repr", "at")
        .first()
    )


def _entry_without_version(
    model: type[Model], content_type: ContentType
) -> Mapping[str, Any] | None:
    """The first unsealed entry of ``model`` whose version is gone."""
    versions = history_model(model)._default_manager.filter(history_id=OuterRef("history_id"))
    return _entry_without_row(content_type, versions)


def _action_without_entry(
    model: type[Model], content_type: ContentType
) -> Mapping[str, Any] | None:
    """The first row of an action store that has no audit entry, described as an entry."""
    recorded = AuditEntry.objects.filter(content_type=content_type, history_id=OuterRef("pk"))
    # An action store's row: every store has its ``at`` (apps.core.actions).
    row: Any = model._default_manager.filter(~Exists(recorded)).order_by("pk").first()
    if row is None:
        return None
    return {
        "content_type_id": content_type.pk,
        "object_id": str(row.pk),
        "object_repr": str(row)[:200],
        "at": row.at,
    }


def _entry_without_action(
    model: type[Model], content_type: ContentType
) -> Mapping[str, Any] | None:
    """The first unsealed entry of an action whose row is gone."""
    rows = model._default_manager.filter(pk=OuterRef("history_id"))
    return _entry_without_row(content_type, rows)


Finder = Callable[[type[Model], ContentType], Mapping[str, Any] | None]


def _version_tables() -> Iterator[tuple[type[Model], type[Model], Finder, Finder]]:
    """Per model: the table of its versions, and how to find a version or entry left alone."""
    for model in audited_models():
        yield model, history_model(model), _orphan_version, _entry_without_version
    # An action store's rows are their own versions.
    for model in action_store_models():
        yield model, model, _action_without_entry, _entry_without_action


def unrecorded_versions() -> list[tuple[str, Mapping[str, Any] | None]]:
    """Versions with no audit entry (written around Backoffice), and entries without one.

    Counts first (cheap); only a mismatch looks for the rows. A version whose entry is
    still being committed (a save outside a transaction) is gone from the second look.
    """
    found: list[tuple[str, Mapping[str, Any] | None]] = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, versions_model, unrecorded, lost_version in _version_tables():
            content_type = ContentType.objects.get_for_model(model)
            # One statement, one snapshot: a commit between two counts cannot skew them.
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM {quote(versions_model._meta.db_table)}), "
                f"(SELECT COUNT(*) FROM {quote(AuditEntry._meta.db_table)} "
                "WHERE content_type_id = %s)",
                [content_type.pk],
            )
            versions, entries = cursor.fetchone()
            if versions > entries and (orphan := unrecorded(model, content_type)):
                found.append(
                    (
                        text_stored(UNRECORDED, count=versions - entries, model=model._meta.label),
                        orphan,
                    )
                )
            elif versions < entries and (lost := lost_version(model, content_type)):
                found.append(
                    (
                        text_stored(LOST, count=entries - versions, model=model._meta.label),
                        lost,
                    )
                )
    return found
