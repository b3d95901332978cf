"""One way to log what someone did to someone's access or sign-in: ``action_log``.

Each app declares the kinds it logs, with the model that stores their rows (the
permission log, the security actions): ``action_store_register`` in its
``AppConfig.ready()``. ``action_log`` writes the row and then sends
``apps.core.signals.action_logged`` in the same transaction, so the audit app can put
the action in its hash chain (and on the trail) while the apps below it never import
audit. Sign-in events (``LoginEvent``) are not actions: they keep their own table.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise

from apps.core.signals import action_logged

if TYPE_CHECKING:
    from apps.org.models import Employee


@dataclass(frozen=True)
class ActionStore:
    """A model whose rows record actions, and the columns ``action_log`` fills."""

    model: str  # "app_label.ModelName"
    kind_field: str  # holds the kind's value ("granted")
    subject_field: str  # the person the action is about
    reason_field: str
    # A column that names what was acted on when there is no subject ("bob @ 10.0.0.1").
    target_field: str = ""
    kinds: dict[str, "ActionKind"] = field(default_factory=dict, compare=False)

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def kind(self, value: str) -> "ActionKind":
        """The kind this store records as ``value``; KeyError if it was never declared."""
        return self.kinds[str(value)]


@dataclass(frozen=True)
class ActionKind:
    """One kind of action, as its owning app declares it."""

    store: ActionStore = field(repr=False)
    value: str  # as the store keeps it
    label: str | Promise  # translated, as the trail shows it

    @property
    def code(self) -> str:
        """Unique across apps: "<app_label>.<value>" ("access.granted")."""
        return f"{self.store.model.split('.')[0].lower()}.{self.value}"


_STORES: dict[str, ActionStore] = {}
_KINDS: dict[str, ActionKind] = {}


def action_store_register(
    *,
    model: str,
    kind_field: str,
    subject_field: str,
    reason_field: str,
    target_field: str = "",
    choices: type[models.TextChoices],
) -> ActionStore:
    """Declare a store and its kinds (one per choice of its kind column); idempotent."""
    label = apps.get_model(model)._meta.label
    if label in _STORES:
        return _STORES[label]
    store = ActionStore(
        model=label,
        kind_field=kind_field,
        subject_field=subject_field,
        reason_field=reason_field,
        target_field=target_field,
    )
    kinds = [ActionKind(store=store, value=value, label=text) for value, text in choices.choices]
    for kind in kinds:  # all checked before any is kept: a refusal leaves nothing behind
        if kind.code in _KINDS:
            raise ValueError(f"The action kind {kind.code} is declared twice.")
    for kind in kinds:
        store.kinds[kind.value] = kind
        _KINDS[kind.code] = kind
    _STORES[label] = store
    return store


def action_stores() -> list[ActionStore]:
    """Every declared store, by model label."""
    return [_STORES[label] for label in sorted(_STORES)]


def action_kinds() -> list[ActionKind]:
    """Every declared kind, by code."""
    return [_KINDS[code] for code in sorted(_KINDS)]


def action_kind_of(code: str) -> ActionKind | None:
    """The kind logged under ``code``, or None (not an action: a change)."""
    return _KINDS.get(code)


# Atomic: called outside any transaction (a refusal, after the service's block), the row
# and what the receivers write (the audit entry) still commit together or not at all.
@transaction.atomic
def action_log(
    *,
    actor: "Employee | None",
    kind: ActionKind,
    subject: "Employee | None",
    reason: str,
    data: Mapping[str, Any] | None = None,
) -> models.Model:
    """Write the action's row in its store and announce it (inside the caller's transaction).

    ``data`` fills the store's other columns (``at`` defaults to now). Returns the row.
    """
    store = kind.store
    values = {"at": timezone.now(), **(data or {})}
    values.update(
        {
            store.kind_field: kind.value,
            "actor": actor if getattr(actor, "pk", None) else None,
            store.subject_field: subject,
            store.reason_field: reason,
        }
    )
    row = store.model_class()._default_manager.create(**values)
    action_logged.send(
        sender=type(row), row=row, kind=kind, actor=values["actor"], subject=subject, reason=reason
    )
    return row
