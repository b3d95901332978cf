"""Audit entries: one per history row, written with the change, whatever path wrote it.

simple-history's ``post_create_historical_record`` signal covers every ordinary save;
bulk paths announce their rows with ``apps.core.history.history_bulk_notify``. Both
end here, so the rules (which action, which fields changed, whose scope) live once.
"""

import functools
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db.models import Exists, ForeignKey, Model, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

from apps.access.roles import SECURITY_OFFICER
from apps.access.selectors import role_holders
from apps.audit.chain import Verification, verify

# Which models the trail covers is the chain's question (it checks each of their
# versions is recorded); re-exported for the trail's readers. The chain imports no
# service: services call it, never the reverse.
from apps.audit.chain import audited_models as audited_models
from apps.audit.models import AuditEntry, VerificationRun
from apps.core.actions import ActionKind, ActionStore
from apps.core.history import current_action, system_actor
from apps.core.registry import policy_for
from apps.core.signals import chain_broken
from apps.core.texts import text_cut
from apps.org.models import Employee

Action = AuditEntry.Action

# Bookkeeping columns every save touches: not a change anyone made.
NOISE_FIELDS = frozenset({"created_at", "updated_at"})

BULK_BATCH = 2000
ACTIONS = frozenset(Action.values)


@functools.cache
def tracked_fields(model: type[Model]) -> tuple[Any, ...]:
    """The fields of ``model`` its history tracks, bookkeeping left out."""
    # (``model.history`` builds a manager class at every access: read it once.)
    return tuple(f for f in _all_tracked(model) if f.name not in NOISE_FIELDS)


@functools.cache
def _all_tracked(model: type[Model]) -> tuple[Any, ...]:
    with_history: Any = model  # simple-history adds ``history``; the library ships no types
    return tuple(with_history.history.model.tracked_fields)


def _scope_departments(model: type[Model], versions: list[dict[str, Any]]) -> list[list[Any]]:
    """Each version's departments (the trail's scope), by the model's registered scope paths.

    Read from the version's own columns; a path through a relation ("user__department")
    reads where the related rows lead, once for all the versions given.
    """
    found: list[list[Any]] = [[] for _version in versions]
    for path in policy_for(model).scope_paths:
        for places, department in zip(found, _path_ends(model, path, versions), strict=True):
            if department is not None and department not in places:
                places.append(department)
    # An entry keeps two departments: a transfer's from and to.
    return [(places + [None, None])[0:2] for places in found]


def _path_ends(model: type[Model], path: str, versions: list[dict[str, Any]]) -> list[Any]:
    if not path:  # the object is the department
        return [version[model._meta.pk.attname] for version in versions]
    first, _sep, rest = path.partition("__")
    # A scope path runs through foreign keys (the registry's scope paths).
    field = cast("ForeignKey[Any, Any]", model._meta.get_field(first))
    ids = [version.get(field.attname) for version in versions]
    wanted = {pk for pk in ids if pk is not None}
    if not rest or not wanted:
        return ids
    related: type[Model] = field.remote_field.model
    leads = dict(related._default_manager.filter(pk__in=wanted).values_list("pk", rest))
    return [leads.get(pk) for pk in ids]


def _changed(model: type[Model], row: dict[str, Any], previous: dict[str, Any] | None) -> list[str]:
    fields = tracked_fields(model)
    if previous is None:
        # What the new record was given: its id and unset flags say nothing.
        return [
            f.name
            for f in fields
            if not f.primary_key and row.get(f.attname) not in (None, "", False)
        ]
    return [f.name for f in fields if row.get(f.attname) != previous.get(f.attname)]


def action_of(
    model: type[Model],
    history_type: str,
    changed: list[str],
    row: dict[str, Any],
    previous: dict[str, Any] | None,
    *,
    named: str | None = None,
) -> str:
    """Name the change: what the service was told (``named``: "reverted"), else what a
    bulk path's context said ("imported"), else what the change did."""
    for action in (named, current_action()):
        if action in ACTIONS:
            return action
    if history_type == "+":
        return Action.CREATED
    if history_type == "-":
        return Action.DELETED
    if "is_active" in changed and previous is not None:
        return Action.RESTORED if row.get("is_active") else Action.DEACTIVATED
    move_field = policy_for(model).move_field
    if move_field is not None and move_field in changed:
        return Action.MOVED
    return Action.CHANGED


def _describe(values: dict[str, Any], model: type[Model]) -> str:
    """The object as it was, for the trail; from the version's own columns.

    (simple-history's ``version.instance`` reads the live row for excluded fields: a
    query per version.)
    """
    attrs = {f.attname: values.get(f.attname) for f in _all_tracked(model)}
    return str(model(**attrs))[:200]


def _row(values: dict[str, Any], model: type[Model]) -> dict[str, Any]:
    names = [f.attname for f in tracked_fields(model)] + ["is_active", model._meta.pk.attname]
    return {name: values.get(name) for name in names}


def _entry(
    model: type[Model],
    content_type: ContentType,
    version: dict[str, Any],
    previous: dict[str, Any] | None,
    actor: tuple[Any, str],
    departments: list[Any],
    named: str | None = None,
) -> AuditEntry:
    """The entry of one version (a dict of the history row's columns)."""
    row = _row(version, model)
    changed = _changed(model, row, previous)
    protected = policy_for(model).protected_names
    first, second = departments
    return AuditEntry(
        at=version["history_date"],
        actor_id=actor[0],
        actor_name=actor[1],
        action=action_of(model, version["history_type"], changed, row, previous, named=named),
        content_type=content_type,
        object_id=str(row[model._meta.pk.attname]),
        object_repr=_describe(version, model),
        history_id=version["history_id"],
        department_id=first,
        department_other_id=second if second != first else None,
        changed_fields=f" {' '.join(changed)} " if changed else "",
        sensitive=bool(changed) and set(changed) <= protected,
        reason=version["history_change_reason"] or "",
    )


def _columns(history_instance: Model) -> dict[str, Any]:
    return {
        f.attname: getattr(history_instance, f.attname)
        for f in history_instance._meta.concrete_fields
    }


def entry_record(history_instance: HistoricalChanges, *, action: str | None = None) -> AuditEntry:
    """Write the audit entry of one new history row (called from simple-history's signal).

    ``action``: what the service that saved it named the change (``marked_action``).
    """
    model = history_instance.instance_type
    history_model = type(history_instance)
    pk_name = model._meta.pk.attname
    version = _columns(history_instance)
    previous = None
    if history_instance.history_type != "+":
        before = (
            history_model.objects.filter(
                **{pk_name: version[pk_name], "history_id__lt": version["history_id"]}
            )
            .order_by("-history_id")
            .values()
            .first()
        )
        previous = _row(before, model) if before is not None else None
    actor = history_instance.history_user or system_actor()
    entry = _entry(
        model,
        ContentType.objects.get_for_model(model),
        version,
        previous,
        (actor.pk, actor.get_username()),
        _scope_departments(model, [version])[0],
        named=action,
    )
    entry.save()
    return entry


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def entries_for_bulk(history_model: Any, rows: QuerySet[Any]) -> int:
    # ``history_model``: simple-history's historical model (``instance_type``); no types.
    """Write the audit entries of history rows a bulk path inserted; returns how many.

    Rows are read per object in version order, so a version is compared with the one
    before it when both are in ``rows`` (a bulk insert has only first versions).
    """
    model = history_model.instance_type
    content_type = ContentType.objects.get_for_model(model)
    pk_name = model._meta.pk.attname
    user_model = get_user_model()
    system: tuple[Any, str] | None = None
    written = 0
    previous: dict[str, Any] | None = None
    ordered = rows.order_by(pk_name, "history_id").values()
    for chunk in _chunks(ordered.iterator(chunk_size=BULK_BATCH), BULK_BATCH):
        names = dict(
            user_model._default_manager.filter(
                pk__in={v["history_user_id"] for v in chunk} - {None}
            ).values_list("pk", user_model.USERNAME_FIELD)
        )
        entries = []
        departments = _scope_departments(model, chunk)
        for version, places in zip(chunk, departments, strict=True):
            user_id = version["history_user_id"]
            if user_id is None:
                if system is None:
                    account = system_actor()
                    system = (account.pk, account.get_username())
                actor = system
            else:
                actor = (user_id, names[user_id])
            before = previous if previous and previous[pk_name] == version[pk_name] else None
            if version["history_type"] == "+":
                before = None
            entries.append(_entry(model, content_type, version, before, actor, places))
            previous = _row(version, model)
        AuditEntry.objects.bulk_create(entries, batch_size=BULK_BATCH)
        written += len(entries)
    return written


def _action_entry(
    row: Any,  # an action store's row (apps.core.actions): every store has its ``at``
    kind: ActionKind,
    account: Employee,
    subject: Employee | None,
    reason: str,
    content_type: ContentType,
) -> AuditEntry:
    target = getattr(row, kind.store.target_field, "") if kind.store.target_field else ""
    return AuditEntry(
        at=row.at,
        actor_id=account.pk,
        actor_name=account.get_username(),
        action=kind.code,
        content_type=content_type,
        # The person it is about, so the trail filtered by their id shows it; the row
        # itself is ``history_id``.
        object_id="" if subject is None else str(subject.pk),
        # A target may be a stored text (apps.core.texts): cut, it still reads as one.
        object_repr=text_cut(str(subject if subject is not None else target), 200),
        history_id=row.pk,
        # An action about a person is in that person's department's scope.
        department_id=getattr(subject, "department_id", None),
        reason=reason or "",
    )


def entry_for_action(
    *, row: Model, kind: ActionKind, actor: Employee | None, subject: Employee | None, reason: str
) -> AuditEntry:
    """Write the audit entry of one logged action (``apps.core.signals.action_logged``).

    The entry names the action by its kind and the person it is about as its object; it
    is in that person's department's scope, under the store's own view permission
    (``selectors.trail_for``), so the trail shows nobody an action the store's list would
    not. The chain hashes the store's row as its version.
    """
    account = actor if actor is not None and actor.pk else system_actor()
    content_type = ContentType.objects.get_for_model(type(row))
    entry = _action_entry(row, kind, account, subject, reason, content_type)
    entry.save()
    return entry


def entries_for_actions(*, store: ActionStore) -> int:
    """Write the entries of a store's rows that have none (logged before the trail had them)."""
    model = store.model_class()
    content_type = ContentType.objects.get_for_model(model)
    recorded = AuditEntry.objects.filter(content_type=content_type, history_id=OuterRef("pk"))
    rows = (
        model._default_manager.filter(~Exists(recorded))
        .select_related("actor", store.subject_field)
        .order_by("pk")
    )
    system = None
    written = 0
    for chunk in _chunks(rows.iterator(chunk_size=BULK_BATCH), BULK_BATCH):
        entries = []
        for row in chunk:
            account = row.actor or system or (system := system_actor())
            entries.append(
                _action_entry(
                    row,
                    store.kind(getattr(row, store.kind_field)),
                    account,
                    getattr(row, store.subject_field),
                    getattr(row, store.reason_field),
                    content_type,
                )
            )
        AuditEntry.objects.bulk_create(entries, batch_size=BULK_BATCH)
        written += len(entries)
    return written


# --- Verification runs ------------------------------------------------------------------


def verification_run(*, triggered_by: str, progress: Any = None) -> Verification:
    """Walk the chain, keep the result (the audit page shows the latest) and alert on a break.

    Returns what the walk found; the kept row is the latest ``VerificationRun``.
    """
    started = timezone.now()
    result = verify(progress=progress)
    run = VerificationRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        intact=result.intact,
        records=result.records,
        unsealed=result.unsealed,
        head_seq=result.head_seq,
        head_hash=result.head_hash,
        problem=result.problem_stored,
        broken_model=result.broken_model,
        broken_object=result.broken_object[:200],
        broken_at=result.broken_at,
        triggered_by=triggered_by[:150],
    )
    if not result.intact:
        _alert_officers(run, result.summary())
        chain_broken.send(sender=VerificationRun, run=run, summary=result.summary())
    return result


VERIFY_PERM = "audit.verify_chain"


def verification_now(*, actor: Employee, progress: Any = None) -> Verification:
    """Verify the chain at once, at someone's request: the run is kept in their name.

    The same walk as the daily task (``verification_run``), alert on a break included.
    Refused (PermissionDenied) without ``audit.verify_chain``: a walk reads the whole
    chain, so not everyone who may read the trail may start one.
    """
    if not actor.has_perm(VERIFY_PERM):
        raise PermissionDenied(_("You may not verify the audit chain."))
    return verification_run(triggered_by=actor.get_username(), progress=progress)


def _alert_officers(run: Any, summary: str) -> None:
    """E-mail every security officer (with an address) that the chain is broken."""
    recipients = list(
        role_holders(SECURITY_OFFICER).exclude(email="").values_list("email", flat=True)
    )
    if not recipients:
        return
    subject = _("Audit trail integrity check failed")
    body = _(
        "The daily check of the audit trail's hash chain found a broken link.\n\n"
        "%(summary)s\n\nChecked at %(at)s. Investigate before trusting the history of the "
        "records named above."
    ) % {"summary": summary, "at": run.finished_at.isoformat()}
    send_mail(subject, body, None, recipients)
