"""Every role × every admin URL of every registered model, inside and outside the scope.

The cases are generated from ``admin.site._registry``, so a newly registered model is
covered at once. Each request is checked against the status the role's permissions
(``ROLE_PERMISSIONS``) give, and no page the manager opens may name anything outside
the department they manage. The few things the admin refuses whatever the permissions
(read-only screens, no hard delete) are declared below; an undeclared one fails here.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.forms import MultiWidget
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from apps.access.models import PermissionLog, RoleAssignment
from apps.access.roles import (
    ADMINISTRATOR,
    AUDITOR,
    HR,
    MANAGER,
    SECURITY_OFFICER,
    STAFF,
    roles_ensure,
)
from apps.access.services import assignment_create
from apps.audit.models import AuditEntry, ChainArchive, TrailExport, VerificationRun
from apps.core.registry import is_scoped
from apps.jobs.models import Job
from apps.notifications.models import Announcement
from apps.org.models import Department, Employee, Transfer
from apps.org.services import department_create, department_update, employee_create
from apps.org.transfers import transfer_request
from apps.security.models import Lockout, LoginEvent, SecurityAction, UserSession
from tests.otp import mark_verified

PERSONAS = {
    "admin": ADMINISTRATOR,
    "hr": HR,
    "manager": MANAGER,
    "security": SECURITY_OFFICER,
    "auditor": AUDITOR,
    "staff": STAFF,
}

# What the manager must never see: the names of everything outside their subtree.
OUTSIDE_NAMES = ("Outsidename", "Outsidedivision", "Outsideteam")

# --- what the admin refuses whatever the permissions --------------------------------

# Screens that never add or edit: their rows are written by services elsewhere.
READ_ONLY = {
    Transfer,
    PermissionLog,
    Group,
    Lockout,
    SecurityAction,
    LoginEvent,
    UserSession,
    # The audit trail and its bookkeeping: nobody edits them, superusers included.
    AuditEntry,
    TrailExport,
    VerificationRun,
    ChainArchive,
    Job,
}
# Screens guarded by a permission other than the model's own view permission.
VIEW_PERM = {Lockout: "security.unlock_user"}
# Screens everyone signed in opens, each showing the reader's own rows: a job is its
# requester's (and the administrators'); another person's is not found.
OWN_ROWS = {Job}
JOB_OWNERS = {"inside": "hr", "outside": "security"}
# Screens that add but never edit: a role assignment is revoked and assigned again.
EDIT_ONCE = {RoleAssignment}
# Guardian's object-permission screens need these as well as the right to change the model.
OBJECT_GRANT_PERMS = ("guardian.view_userobjectpermission", "guardian.view_groupobjectpermission")
# django-celery-beat's schedules (apps/jobs/beat_admin.py): configuration, not records;
# administrators delete them for real (beat writes CELERY_BEAT_SCHEDULE's entries again when
# it starts). They keep no simple-history: no version pages (404).
BEAT = {PeriodicTask, IntervalSchedule, CrontabSchedule, SolarSchedule, ClockedSchedule}
# Models whose admin deletes rows for real: only beat's (deactivate, revoke or cancel instead).
HARD_DELETE: set[type[models.Model]] = set(BEAT)
# Actions guarded by a permission of their own (``@action(permissions=["revoke"])``).
ACTION_PERMS = {
    "transfer_selected": ("org.change_employee", "org.add_transfer"),
    "cancel_selected": ("org.change_transfer",),
    "revoke_selected": ("access.change_roleassignment",),
    "unlock_selected": ("security.unlock_user",),
    "reset_devices_selected": ("security.reset_devices",),
    "end_selected": ("security.revoke_sessions",),
}


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _autocomplete_fields(model: type[models.Model]) -> list[str]:
    """Relations the autocomplete endpoint serves: the target is registered and searchable."""
    names = []
    for f in model._meta.get_fields():
        if not (f.is_relation and f.concrete and (f.many_to_one or f.many_to_many)):
            continue
        target = admin.site._registry.get(f.remote_field.model)
        if target is not None and target.search_fields:
            names.append(f.name)
    return sorted(names)


def _kinds(model: type[models.Model], model_admin: admin.ModelAdmin) -> list[str]:
    kinds = ["changelist", "add", "add_post"]
    if model_admin.search_fields:
        kinds.append("search")
    object_views = ["change", "save", "delete", "history"]
    if isinstance(model_admin, SimpleHistoryAdmin) and model not in BEAT:
        object_views += ["version", "version_post"]
    if isinstance(model_admin, GuardedModelAdminMixin):
        object_views.append("permissions")
    kinds += [f"{view}:{where}" for view in object_views for where in ("inside", "outside")]
    kinds += [f"autocomplete:{name}" for name in _autocomplete_fields(model)]
    kinds += [f"action:{name}" for name in model_admin.get_actions(_superuser_request())]
    return kinds


def _superuser_request() -> HttpRequest:
    """A request from someone holding every permission: enough to list every action."""
    request = RequestFactory().get("/")
    request.user = Employee(is_superuser=True, is_active=True, is_staff=True)
    return request


def _cases() -> list[Any]:
    cases = []
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda i: _label(i[0])):
        for kind in _kinds(model, model_admin):
            for persona in PERSONAS:
                cases.append(
                    pytest.param(model, persona, kind, id=f"{_label(model)}-{kind}-{persona}")
                )
    return cases


# --- the data, built once for the module ---------------------------------------------


@dataclass
class World:
    users: dict[str, Employee]
    perms: dict[str, frozenset[str]]
    inside: dict[type[models.Model], models.Model]
    outside: dict[type[models.Model], models.Model]
    clients: dict[str, Client] = field(default_factory=dict)


def _employee(username: str, first: str, last: str, department: Department) -> Employee:
    return employee_create(
        actor=None,
        username=username,
        first_name=first,
        last_name=last,
        department=department,
        is_staff=True,
    )


def _build() -> World:
    groups = roles_ensure()
    root = department_create(actor=None, name="Backoffice Group", code="BOG")
    inside = department_create(actor=None, name="Insidedivision", code="INS", parent=root)
    inside_team = department_create(actor=None, name="Insideteam", code="INT", parent=inside)
    outside = department_create(actor=None, name="Outsidedivision", code="OUS", parent=root)
    outside_team = department_create(actor=None, name="Outsideteam", code="OUT", parent=outside)

    users = {}
    for persona, role in PERSONAS.items():
        user = employee_create(
            actor=None,
            username=persona,
            first_name=persona.title(),
            last_name="Tester",
            department=inside if role == MANAGER else root,
            is_staff=True,
            is_superuser=persona == "admin",
        )
        assignment_create(
            actor=None,
            user=user,
            role=groups[role],
            department=inside if role == MANAGER else None,
            reason="test persona",
        )
        users[persona] = user

    alpha = _employee("alpha", "Insidename", "Alpha", inside)
    beta = _employee("beta", "Insidename", "Beta", inside_team)
    omega = _employee("omega", "Outsidename", "Omega", outside)
    sigma = _employee("sigma", "Outsidename", "Sigma", outside_team)
    department_update(department=outside, actor=None, manager=omega)
    later = timezone.localdate() + datetime.timedelta(days=7)
    hr = users["hr"]
    inside_move = transfer_request(
        employee=beta, to_department=inside, effective_date=later, reason="Move", actor=hr
    )
    outside_move = transfer_request(
        employee=sigma, to_department=outside, effective_date=later, reason="Move", actor=hr
    )
    inside_role = assignment_create(
        actor=None, user=alpha, role=groups[STAFF], department=inside, reason="Inside"
    )
    outside_role = assignment_create(
        actor=None, user=omega, role=groups[AUDITOR], department=outside, reason="Outside"
    )
    # Sign-in records (apps.security): not scoped, one of each per side.
    now = timezone.now()
    events = [
        LoginEvent.objects.create(at=now, username=u.username, user=u, outcome="success")
        for u in (alpha, omega)
    ]
    actions = [
        SecurityAction.objects.create(at=now, kind="unlock", user=u, reason="test")
        for u in (alpha, omega)
    ]
    attempts = [
        # Locked now (the Lockouts list holds only what is locked): the username's limit.
        Lockout.objects.create(
            username=u.username,
            ip_address="10.0.0.1",
            user_agent="test",
            failures_since_start=settings.AXES_FAILURE_LIMIT,
        )
        for u in (alpha, omega)
    ]
    user_sessions = [
        UserSession.objects.create(
            session_key=f"test{u.username}", user=u, created_at=now, last_seen=now
        )
        for u in (alpha, omega)
    ]
    # The audit trail (apps.audit): an entry per side, the rest not scoped.
    entries = [
        AuditEntry.objects.filter(object_id=str(u.pk)).earliest("id") for u in (alpha, omega)
    ]
    exports = [
        TrailExport.objects.create(user=u, format="csv", filters={}, rows=1) for u in (alpha, omega)
    ]
    runs = [
        VerificationRun.objects.create(
            started_at=now, finished_at=now, intact=True, records=n, triggered_by="test"
        )
        for n in (1, 2)
    ]
    archives = [
        ChainArchive.objects.create(
            path=f"/archive/{n}.jsonl.gz",
            sha256="0" * 64,
            first_seq=n,
            last_seq=n,
            last_hash="0" * 64,
            records=1,
            cutoff=now,
            actor_name="test",
        )
        for n in (1, 2)
    ]
    # Announcements (apps.notifications): scoped through their audience's department.
    from apps.notifications.services import announcement_publish

    notices = [
        announcement_publish(actor=hr, title=f"{name} notice", body="b", department=d)
        for name, d in (("Inside", inside), ("Outside", outside))
    ]
    jobs = [
        Job.objects.create(kind="audit.trail_export", requested_by=users[owner], params={})
        for owner in (JOB_OWNERS["inside"], JOB_OWNERS["outside"])
    ]
    perms = {
        persona: frozenset(
            f"{p.content_type.app_label}.{p.codename}"
            for p in groups[role].permissions.select_related("content_type")
        )
        for persona, role in PERSONAS.items()
    }
    beat = _beat_objects()
    return World(
        users=users,
        perms=perms,
        inside={
            Department: inside,
            Employee: alpha,
            Transfer: inside_move,
            RoleAssignment: inside_role,
            PermissionLog: PermissionLog.objects.get(assignment=inside_role),
            Group: groups[MANAGER],
            LoginEvent: events[0],
            SecurityAction: actions[0],
            Lockout: attempts[0],
            UserSession: user_sessions[0],
            AuditEntry: entries[0],
            TrailExport: exports[0],
            VerificationRun: runs[0],
            ChainArchive: archives[0],
            Announcement: notices[0],
            Job: jobs[0],
            **{model: pair[0] for model, pair in beat.items()},
        },
        outside={
            Department: outside,
            Employee: omega,
            Transfer: outside_move,
            RoleAssignment: outside_role,
            PermissionLog: PermissionLog.objects.get(assignment=outside_role),
            Group: groups[AUDITOR],
            LoginEvent: events[1],
            SecurityAction: actions[1],
            Lockout: attempts[1],
            UserSession: user_sessions[1],
            AuditEntry: entries[1],
            TrailExport: exports[1],
            VerificationRun: runs[1],
            ChainArchive: archives[1],
            Announcement: notices[1],
            Job: jobs[1],
            **{model: pair[1] for model, pair in beat.items()},
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The data and one logged-in client per persona, rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = _build()
        for persona, user in built.users.items():
            built.clients[persona] = Client()
            built.clients[persona].force_login(user)
            mark_verified(built.clients[persona], user)  # module scope: no autouse patch
        yield built
        transaction.set_rollback(True)


# --- what each role should get ----------------------------------------------------


def _holds(world: World, persona: str, model: type[models.Model], action: str) -> bool:
    if persona == "admin":
        return True
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}" in world.perms[persona]


def _sees(world: World, persona: str, model: type[models.Model]) -> bool:
    if model in OWN_ROWS:
        return True
    if model in VIEW_PERM:
        return persona == "admin" or VIEW_PERM[model] in world.perms[persona]
    return _holds(world, persona, model, "view") or _holds(world, persona, model, "change")


def _hidden(persona: str, model: type[models.Model], where: str) -> bool:
    """Is the object outside what this persona's assignment reaches (or not theirs)?"""
    if model in OWN_ROWS:
        return persona != "admin" and JOB_OWNERS[where] != persona
    return PERSONAS[persona] == MANAGER and is_scoped(model) and where == "outside"


def _action_allowed(world: World, persona: str, model: type[models.Model], name: str) -> bool:
    func = admin.site._registry[model].get_actions(_superuser_request())[name][0]
    wanted = []
    for perm in getattr(func, "allowed_permissions", ()):
        if perm in ("view", "add", "change", "delete"):
            wanted.append(f"{model._meta.app_label}.{perm}_{model._meta.model_name}")
        else:
            assert name in ACTION_PERMS, f"Declare the permissions of {name} in ACTION_PERMS."
            wanted += ACTION_PERMS[name]
    return persona == "admin" or all(p in world.perms[persona] for p in wanted)


def _beat_objects() -> dict[type[models.Model], list[models.Model]]:
    """Two of each of beat's models (not scoped: "inside" and "outside" alike)."""
    intervals = [IntervalSchedule.objects.create(every=n, period="seconds") for n in (10, 20)]
    return {
        IntervalSchedule: list(intervals),
        CrontabSchedule: [CrontabSchedule.objects.create(minute=str(n)) for n in (1, 2)],
        SolarSchedule: [
            SolarSchedule.objects.create(event="sunrise", latitude=n, longitude=n) for n in (1, 2)
        ],
        ClockedSchedule: [
            # Whole seconds: the form posts them so, and an unchanged save must change nothing.
            ClockedSchedule.objects.create(clocked_time=timezone.now().replace(microsecond=0))
            for _ in range(2)
        ],
        PeriodicTask: [
            PeriodicTask.objects.create(name=f"Outside task {n}", task="x", interval=intervals[n])
            for n in (0, 1)
        ],
    }


# The two answers to an action POST (without the confirmation's "post=yes"): its
# confirmation page, or nothing done (a redirect with a message, or the plain changelist
# when the user has no action at all).
CONFIRMATION = "confirmation page"
NOTHING_DONE = "nothing done"


def _outcome(response: Any) -> int | str:
    if response.status_code == 302 and response["Location"].endswith("/"):
        return NOTHING_DONE
    if response.status_code == 200 and response.context is not None:
        return NOTHING_DONE if "cl" in response.context else CONFIRMATION
    return response.status_code


def _expected(world: World, persona: str, model: type[models.Model], kind: str) -> int | str:
    view, _, where = kind.partition(":")
    sees = _sees(world, persona, model)
    if view in ("changelist", "search"):
        return 200 if sees else 403
    if view in ("add", "add_post"):  # an empty POST comes back with the form's errors
        return 200 if model not in READ_ONLY and _holds(world, persona, model, "add") else 403
    if view == "delete":
        return 200 if model in HARD_DELETE and _holds(world, persona, model, "delete") else 403
    if view == "permissions":
        granter = persona == "admin" or set(OBJECT_GRANT_PERMS) <= world.perms[persona]
        changes = model not in READ_ONLY and _holds(world, persona, model, "change")
        return 200 if granter and changes else 302  # guardian sends the others home
    if view == "autocomplete":
        target = model._meta.get_field(where).remote_field.model
        return 200 if _sees(world, persona, target) else 403
    if view == "action":
        if not sees:
            return 403
        if _hidden(persona, model, "outside") or not _action_allowed(world, persona, model, where):
            return NOTHING_DONE
        return CONFIRMATION
    if view == "save":
        changes = model not in READ_ONLY | EDIT_ONCE and _holds(world, persona, model, "change")
        if not changes:
            return 403
        return 404 if _hidden(persona, model, where) else 302
    # change, history, version, version_post
    if not sees:
        return 403
    if _hidden(persona, model, where):
        return 404
    return 403 if view == "version_post" else 200  # a version page is read-only


# --- requests -----------------------------------------------------------------------


def _url(model: type[models.Model], name: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def _request(world: World, persona: str, model: type[models.Model], kind: str) -> Any:
    client = world.clients[persona]
    view, _, where = kind.partition(":")
    if view == "changelist":
        return client.get(_url(model, "changelist"))
    if view == "search":
        return client.get(_url(model, "changelist"), {"q": "Outside"})
    if view == "add":
        return client.get(_url(model, "add"))
    if view == "add_post":
        return client.post(_url(model, "add"), {})
    if view == "autocomplete":
        query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name}
        return client.get(reverse("admin:autocomplete"), {**query, "field_name": where, "term": ""})
    if view == "action":
        return client.post(
            _url(model, "changelist"),
            {"action": where, "index": "0", ACTION_CHECKBOX_NAME: [world.outside[model].pk]},
        )
    obj = (world.inside if where == "inside" else world.outside)[model]
    if view == "save":
        # A role's page is not a form (apps.access.role_pages): post its name only.
        # A job's page is not a form either: nothing to post.
        if model is Group:
            data = {"name": obj.name}
        else:
            data = {} if model in OWN_ROWS else _unchanged_form(world, obj)
        return client.post(_url(model, "change", obj.pk), data)
    if view in ("version", "version_post"):
        version = obj.history.order_by("history_date").first()
        url = _url(model, "simple_history", obj.pk, version.history_id)
        return client.get(url) if view == "version" else client.post(url, {})
    return client.get(_url(model, view, obj.pk))


def _unchanged_form(world: World, obj: models.Model) -> dict[str, Any]:
    """The change form's current values, as the superuser's browser would post them (with
    its inlines' rows and management forms: beat's schedules list their periodic tasks)."""
    context = world.clients["admin"].get(_url(type(obj), "change", obj.pk)).context
    data = _form_values(context["adminform"].form)
    for inline in context.get("inline_admin_formsets") or []:
        formset = inline.formset
        data.update(_form_values(formset.management_form))
        for form in formset.forms:
            data.update(_form_values(form))
    return data


def _form_values(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        widget = form.fields[name].widget
        key = form.add_prefix(name)
        if isinstance(widget, MultiWidget):  # a date and a time box (announcements)
            for i, part in enumerate(widget.decompress(value)):
                if part is not None:
                    data[f"{key}_{i}"] = str(part)
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif value is True:
            data[key] = "on"
        elif value is not None and value is not False:  # 0 is a value (TOTAL_FORMS)
            data[key] = str(value)
    return data


def _row(obj: models.Model) -> dict[str, Any]:
    """The stored values; a save of an unchanged form may touch ``updated_at`` only."""
    row = type(obj)._default_manager.filter(pk=obj.pk).values().get()
    row.pop("updated_at", None)
    row.pop("date_changed", None)  # beat's periodic task: its own updated_at
    return row


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "persona", "kind"), _cases())
def test_every_admin_url_answers_as_the_role_matrix_says(world, model, persona, kind):
    assert model in world.inside, f"Give {_label(model)} an inside and an outside object."
    before = [_row(world.inside[model]), _row(world.outside[model])]
    response = _request(world, persona, model, kind)
    got = _outcome(response) if kind.startswith("action:") else response.status_code
    assert got == _expected(world, persona, model, kind), (got, response.get("Location"))
    if response.status_code == 302 and kind.startswith("permissions:"):
        assert response["Location"] == reverse("admin:index")
    if response.status_code == 302 and kind.startswith("save:"):
        assert response["Location"] == _url(model, "changelist")
    body = response.content.decode()
    if PERSONAS[persona] == MANAGER or response.status_code >= 400:
        leaked = [name for name in OUTSIDE_NAMES if name in body]
        assert not leaked, f"{leaked} in the answer to {persona}"
    assert [_row(world.inside[model]), _row(world.outside[model])] == before


# --- the checks above can fail ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "url", "name"),
    [
        ("manager", "admin:org_employee_changelist", "Insidename Alpha"),
        ("manager", "admin:org_department_changelist", "Insidedivision"),
        ("hr", "admin:org_employee_changelist", "Outsidename Omega"),
        ("hr", "admin:org_department_changelist", "Outsidedivision"),
    ],
)
def test_lists_show_the_names_the_matrix_looks_for(world, persona, url, name):
    assert name in world.clients[persona].get(reverse(url)).content.decode()


@pytest.mark.django_db
def test_the_manager_gets_the_confirmation_for_an_employee_inside(world):
    response = world.clients["manager"].post(
        _url(Employee, "changelist"),
        {
            "action": "deactivate_selected",
            "index": "0",
            ACTION_CHECKBOX_NAME: [world.inside[Employee].pk, world.outside[Employee].pk],
        },
    )
    assert _outcome(response) == CONFIRMATION
    body = response.content.decode()
    assert "Insidename Alpha" in body
    assert "Outsidename" not in body


@pytest.mark.django_db
def test_the_manager_saves_their_top_department_whose_parent_is_above_their_scope(world):
    inside = world.inside[Department]
    data = {**_unchanged_form(world, inside), "description": "Runs the inside things."}
    response = world.clients["manager"].post(_url(Department, "change", inside.pk), data)
    assert response.status_code == 302
    saved = Department.objects.get(pk=inside.pk)
    assert (saved.description, saved.parent_id) == ("Runs the inside things.", inside.parent_id)


@pytest.mark.django_db
def test_the_manager_autocomplete_offers_departments_inside_only(world):
    response = world.clients["manager"].get(
        reverse("admin:autocomplete"),
        {"app_label": "org", "model_name": "employee", "field_name": "department", "term": ""},
    )
    names = {item["text"] for item in response.json()["results"]}
    assert names == {"Insidedivision (INS)", "Insideteam (INT)"}


# --- admin pages that belong to no model's standard URLs ------------------------------


def _own_pages(world: World) -> list[tuple[str, dict]]:
    outside = str(world.outside[Department].pk)
    return [
        (reverse("admin:index"), {}),
        (reverse("admin:org_employee_me"), {}),
        (reverse("admin:org_department_chart"), {}),
        (reverse("admin:org_department_chart"), {"root": outside}),
        (reverse("admin:org_department_tree"), {}),
        (reverse("admin:org_department_tree_children"), {}),
        (reverse("admin:org_department_tree_children"), {"parent": outside}),
        (reverse("admin:org_department_tree_search"), {"q": "Outside"}),
        (_url(Employee, "changelist"), {"department__id__exact": outside}),
    ]


@pytest.mark.django_db
def test_the_managers_other_admin_pages_name_nothing_outside(world):
    client = world.clients["manager"]
    for url, query in _own_pages(world):
        response = client.get(url, query, follow=True)
        body = response.content.decode()
        assert response.status_code < 500, (url, query)
        assert not [n for n in OUTSIDE_NAMES if n in body], (url, query)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["org_department_tree_preview", "org_department_tree_apply"])
def test_the_manager_cannot_move_a_department_outside(world, name):
    outside, inside = world.outside[Department], world.inside[Department]
    response = world.clients["manager"].post(
        reverse(f"admin:{name}"),
        {
            "moves": [{"department": str(outside.pk), "parent": str(inside.pk)}],
            "version": "any",
            "reason": "Reorganisation",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not [n for n in OUTSIDE_NAMES if n in response.content.decode()]
    assert Department.objects.get(pk=outside.pk).parent_id == outside.parent_id
