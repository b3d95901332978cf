"""Reads of the audit trail that carry a rule: whose entries, which fields, which page.

An entry is visible where its model's view permission reaches the department the
object belonged to at the time (``access.scope``); an entry that changed protected
fields only (salary) is visible where their view permission (``org.view_salary``) reached
that department, and elsewhere they are left out of the changed fields
(``access.fields``; the fields and permissions are registered with each model). The page is keyset-paginated on (at, id): no COUNT(*), any depth costs
the same.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.access import scope
from apps.access.fields import fields_hidden_as_of, fields_never_visible
from apps.audit.chain import trail_models
from apps.audit.models import AuditEntry, with_actor_flag
from apps.audit.services import audited_models, tracked_fields
from apps.core.history_changes import field_label as field_label  # re-exported: the trail
from apps.core.registry import policies, policy_for
from apps.core.validators import validate_no_surrogates
from apps.org.models import Department, Employee

PAGE_SIZE = 50
# A record name to search for: longer is not a name.
NAME_MAX = 100
# Up to this many departments in a scope are named in the query (see ``_model_q``).
LITERAL_DEPARTMENTS = 2000
# The trail's dates: wide enough for any history, narrow enough that no bound overflows.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(9998, 12, 31)
# "<UTC time>Z_<id>", e.g. 2026-11-25T10:24:15.123456Z_42
CURSOR_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)_([1-9]\d{0,17})$")


def view_perm(model: type[Model]) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


def _model_q(snap: scope.Snapshot, perm: str, model: type[Model]) -> Q | None:
    """The entries of ``model`` in reach under ``perm``: by department, or by object grant."""
    departments = scope.scope_q(snap, perm, Department)
    if departments is None:
        return None
    # The departments as a list of ids, not a join on their tree columns: PostgreSQL can
    # then estimate how many entries they hold and read a small scope's entries from the
    # department indexes instead of walking the time index back through a million
    # entries (a one-department manager: 3.5 s as a join, 0.8 s as a subquery). A very
    # large scope stays a subquery: its entries are frequent, the time index suits it.
    in_scope = Department.objects.filter(departments).values_list("pk", flat=True)
    ids = list(in_scope[: LITERAL_DEPARTMENTS + 1])
    inside: Any = ids if len(ids) <= LITERAL_DEPARTMENTS else in_scope
    q = Q(department_id__in=inside) | Q(department_other_id__in=inside)
    ct_id = ContentType.objects.get_for_model(model).pk
    granted = sorted(pk for ct, pk in snap.objects.get(perm, ()) if ct == ct_id)
    if granted:
        q |= Q(content_type_id=ct_id, object_id__in=granted)
    return q


def _protected_q(snap: scope.Snapshot, *, field: str | None = None) -> Q | None:
    """The entries whose protected fields (``field`` only, when given) the user sees.

    None: everywhere. Only entries of models protecting such a field are matched.
    """
    q = Q(pk__in=[])
    everywhere = True
    for policy in policies():
        perms = {f.view_perm for f in policy.protected if field in (None, f.name)}
        if not perms:
            continue
        condition = Q(content_type=ContentType.objects.get_for_model(policy.model))
        for perm in sorted(perms):
            model_q = _model_q(snap, perm, policy.model)
            if model_q is not None:
                everywhere = False
                condition &= model_q
        q |= condition
    return None if everywhere else q


def trail_for(user: Employee | AnonymousUser) -> QuerySet[AuditEntry]:
    """The entries ``user`` may see: per model its view permission's scope, salary apart."""
    snap = scope.snapshot(user)
    entries = with_actor_flag(AuditEntry.objects.all())
    if snap.superuser:
        return entries
    # Models with the same condition share one OR branch: the SQL stays small.
    groups: dict[tuple[Any, ...], tuple[Q | None, list[int]]] = {}
    # Logged actions are under their store's view permission, in the scope of the
    # department of the person they are about: the trail shows none its list would not.
    for model in trail_models():
        perm = view_perm(model)
        if perm not in snap.perms:
            continue
        ct_id = ContentType.objects.get_for_model(model).pk
        # What the condition is made of (a Q holding a subquery has no cheap identity).
        granted = tuple(sorted(pk for ct, pk in snap.objects.get(perm, ()) if ct == ct_id))
        key = (
            snap.is_everywhere(perm),
            tuple(sorted(snap.ranges.get(perm, ()))),
            (ct_id, granted) if granted else (),
        )
        if key not in groups:
            groups[key] = (_model_q(snap, perm, model), [])
        groups[key][1].append(ct_id)
    if not groups:
        return entries.none()
    visible = Q(pk__in=[])
    for condition, ct_ids in groups.values():
        branch = Q(content_type_id__in=sorted(ct_ids))
        visible |= branch if condition is None else branch & condition
    entries = entries.filter(visible)
    protected = _protected_q(snap)
    if protected is not None:
        entries = entries.filter(Q(sensitive=False) | protected)
    return entries


def visible_fields(user: Employee | AnonymousUser, entry: AuditEntry) -> list[str]:
    """The entry's changed fields, less the protected ones the user may not see there.

    Load entries with ``select_related("department", "department_other")`` for a list:
    the decision then needs no query per row.
    """
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    fields = entry.fields
    if model is None or not policy_for(model).protected_names.intersection(fields):
        return fields
    hidden = fields_hidden_as_of(
        user=user,
        model=model,
        object_id=entry.object_id,
        departments=(entry.department, entry.department_other),
    )
    return [name for name in fields if name not in hidden]


def viewable_objects(
    user: Employee | AnonymousUser, entries: Iterable[AuditEntry]
) -> set[tuple[int, str]]:
    """(content type id, object id) of the entries' objects the user may open today.

    One query per model on the page, whatever the number of rows.
    """
    wanted: dict[int, set[str]] = defaultdict(set)
    for entry in entries:
        wanted[entry.content_type_id].add(entry.object_id)
    found: set[tuple[int, str]] = set()
    for ct_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        valid = []
        for raw in ids:
            try:
                valid.append(model._meta.pk.to_python(raw))
            except forms.ValidationError:
                continue
        visible = scope.restrict(user, view_perm(model), model._default_manager.all())
        for pk in visible.filter(pk__in=valid).order_by().values_list("pk", flat=True):
            found.add((ct_id, str(pk)))
    return found


# --- Filters ------------------------------------------------------------------------------


def model_choices(user: Employee | AnonymousUser) -> list[tuple[str, str]]:
    """The audited models whose entries the user may see, as ("app_label.model", name)."""
    snap = scope.snapshot(user)
    return [
        (model._meta.label_lower, str(capfirst(model._meta.verbose_name)))
        for model in trail_models()
        if snap.superuser or view_perm(model) in snap.perms
    ]


def field_choices(user: Employee | AnonymousUser) -> list[tuple[str, str]]:
    """The tracked fields of the models the user may see; protected ones need the right.

    Each reads as its verbose name alone; two fields of the same name on several models
    are one choice (the filter matches the name), two names with one label are told apart
    by their models.
    """
    allowed = {label for label, _name in model_choices(user)}
    labels: dict[str, str] = {}
    owners: dict[str, list[str]] = defaultdict(list)
    for model in audited_models():
        if model._meta.label_lower in allowed:
            hidden = fields_never_visible(user=user, model=model)
            for f in tracked_fields(model):
                if f.name not in hidden and not f.primary_key:
                    labels.setdefault(f.name, field_label(model, f.name))
                    owners[f.name].append(str(model._meta.verbose_name))
    taken: dict[str, int] = defaultdict(int)
    for label in labels.values():
        taken[label] += 1
    choices = [
        (name, label if taken[label] == 1 else f"{label} ({', '.join(owners[name])})")
        for name, label in labels.items()
    ]
    return sorted(choices, key=lambda c: c[1])


def cursor_format(entry: AuditEntry) -> str:
    at = entry.at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{at}_{entry.pk}"


def cursor_parse(value: str) -> tuple[datetime.datetime, int]:
    """ "<UTC time>Z_<id>" -> (time, id); ValueError for anything else."""
    match = CURSOR_RE.match(value)
    if match is None:
        raise ValueError(value)
    at = datetime.datetime.fromisoformat(match.group(1))
    return at, int(match.group(2))


class TrailFilterForm(forms.Form):
    """The trail's filters (GET). Every field is optional; a bad value is a form error."""

    model = forms.ChoiceField(label=_("Model"), required=False)
    # The record, by its name (a search over the records the reader may see; the page
    # turns it into ``objects``), or by its id (links name one record exactly).
    name = forms.CharField(
        label=_("Record"),
        required=False,
        max_length=NAME_MAX,
        validators=[validate_no_surrogates],
    )
    object = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor = forms.CharField(label=_("Actor (username)"), required=False, max_length=150)
    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False)
    date_to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    field = forms.ChoiceField(label=_("Changed field"), required=False)
    cursor = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    # Paging back towards the newest: the entries just newer than this one.
    before = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)

    # The filters a link or an export carries (the cursor is the page, not a filter).
    FILTERS = ("model", "name", "object", "actor", "date_from", "date_to", "action", "field")

    def _choices(self, name: str) -> forms.ChoiceField:
        """One of the form's choice fields (declared above), typed as such."""
        return cast(forms.ChoiceField, self.fields[name])

    def __init__(self, *args: Any, user: Employee | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        everything: list[tuple[Any, Any]] = [("", _("All"))]
        action_field = AuditEntry._meta.get_field("action")
        self._choices("model").choices = everything + model_choices(user)
        self._choices("action").choices = everything + list(action_field.choices or ())
        self._choices("field").choices = everything + field_choices(user)
        for name in ("date_from", "date_to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})

    def _clean_day(self, name: str) -> datetime.date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s."),
                params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            )
        return day

    def clean_date_from(self) -> datetime.date | None:
        return self._clean_day("date_from")

    def clean_date_to(self) -> datetime.date | None:
        return self._clean_day("date_to")

    def clean_actor(self) -> list[Any] | None:
        name = self.cleaned_data.get("actor", "").strip()
        if not name:
            return None
        ids = list(Employee.objects.filter(username__iexact=name).values_list("pk", flat=True))
        if not ids:
            raise forms.ValidationError(_("No user has this username."))
        return ids

    def clean_cursor(self) -> tuple[datetime.datetime, int] | None:
        return self._clean_position("cursor")

    def clean_before(self) -> tuple[datetime.datetime, int] | None:
        return self._clean_position("before")

    def _clean_position(self, name: str) -> tuple[datetime.datetime, int] | None:
        raw = self.cleaned_data.get(name, "")
        if not raw:
            return None
        try:
            return cursor_parse(raw)
        except ValueError:
            raise forms.ValidationError(
                _("This page link is not valid; start from the newest.")
            ) from None

    def clean(self) -> dict[str, Any]:
        super().clean()  # Django's returns self.cleaned_data (typed Optional by the stubs)
        cleaned = self.cleaned_data
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict[str, str]:
        """The submitted filters as text (for links, and the export log)."""
        return {name: str(self.data[name]) for name in self.FILTERS if self.data.get(name)}


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def trail_filter(
    user: Employee | AnonymousUser, entries: QuerySet[AuditEntry], data: dict[str, Any]
) -> QuerySet[AuditEntry]:
    """``entries`` narrowed by a valid form's ``cleaned_data``."""
    if data.get("model"):
        app_label, model_name = data["model"].split(".", 1)
        entries = entries.filter(
            content_type=ContentType.objects.get_by_natural_key(app_label, model_name)
        )
    if data.get("object"):
        entries = entries.filter(object_id=data["object"])
    if data.get("name"):
        entries = entries.filter(objects_q(data.get("objects") or {}))
    if data.get("actor"):
        entries = entries.filter(actor_id__in=data["actor"])
    if data.get("date_from"):
        entries = entries.filter(at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        entries = entries.filter(at__lt=_day_start(data["date_to"] + datetime.timedelta(days=1)))
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    field = data.get("field")
    if field:
        entries = entries.filter(changed_fields__contains=f" {field} ")
        # Only where the user sees that field: elsewhere it is not there to find.
        visible = _protected_q(scope.snapshot(user), field=field)
        if visible is not None:
            protecting = [p.model for p in policies() if p.protected_field(field)]
            others = ~Q(content_type__in=ContentType.objects.get_for_models(*protecting).values())
            entries = entries.filter(others | visible)
    return entries


def objects_q(objects: dict[type[Model], list[Any]]) -> Q:
    """The entries of these records (``model -> ids``, as a name search found them)."""
    q = Q(pk__in=[])
    for model, ids in objects.items():
        if ids:
            ct = ContentType.objects.get_for_model(model)
            q |= Q(content_type_id=ct.pk, object_id__in=sorted(str(pk) for pk in ids))
    return q


@dataclass
class TrailPage:
    rows: list[AuditEntry]
    next_cursor: str | None  # the older page, when there is one
    previous_cursor: str | None = None  # the newer page, when there is one


def trail_page(
    entries: QuerySet[AuditEntry],
    cursor: tuple[datetime.datetime, int] | None,
    size: int = PAGE_SIZE,
    *,
    before: tuple[datetime.datetime, int] | None = None,
) -> TrailPage:
    """One page, newest first: strictly older than ``cursor``, or (``before``) the page
    just newer than that entry. Each direction reads one indexed range, never a count."""
    entries = entries.select_related("department", "department_other")
    if before is not None and cursor is None:
        at, pk = before
        newer = list(
            entries.filter(Q(at__gt=at) | Q(at=at, pk__gt=pk)).order_by("at", "id")[: size + 1]
        )
        rows = newer[:size][::-1]
        return TrailPage(
            rows=rows,
            next_cursor=cursor_format(rows[-1]) if rows else None,
            previous_cursor=cursor_format(rows[0]) if len(newer) > size else None,
        )
    if cursor is not None:
        at, pk = cursor
        entries = entries.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
    rows = list(entries.order_by("-at", "-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return TrailPage(
        rows=rows,
        next_cursor=cursor_format(rows[-1]) if more else None,
        previous_cursor=cursor_format(rows[0]) if cursor is not None and rows else None,
    )
