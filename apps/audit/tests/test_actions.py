"""Logged actions (grants, refusals, unlocks, device resets...) in the chain and on the trail."""

import csv
import datetime
import gzip
import io
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.access.models import PermissionLog
from apps.access.roles import HR
from apps.access.services import (
    assignment_create,
    assignment_revoke,
    assignments_tidy,
    denial_record,
)
from apps.audit.chain import archive, seal, verify, verify_archive
from apps.audit.models import AuditEntry
from apps.audit.selectors import TrailFilterForm, trail_filter, trail_for
from apps.audit.services import entries_for_actions
from apps.audit.tests.exporting import export
from apps.core.actions import action_kind_of, action_kinds, action_log, action_stores
from apps.org.services import department_create, employee_create
from apps.security.models import SecurityAction
from apps.security.otp import devices_reset
from apps.security.sessions import sessions_end_for

pytestmark = pytest.mark.django_db

TRAIL = reverse("admin:audit_auditentry_changelist")
HOSTILE = '=HYPERLINK("http://evil.example","x")'

KINDS = [
    "access.denied",
    "access.expired",
    "access.granted",
    "access.revoked",
    "security.backup_codes",
    "security.device_enrolled",
    "security.device_replaced",
    "security.devices_reset",
    "security.sessions_revoked",
    "security.unlock",
]


@pytest.fixture
def places(root_department):
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    return eng, fin


@pytest.fixture
def inside(places):
    return employee_create(actor=None, username="ines", first_name="Ines", department=places[0])


@pytest.fixture
def outside(places):
    return employee_create(actor=None, username="otto", first_name="Otto", department=places[1])


def _entries(row):
    content_type = ContentType.objects.get_for_model(type(row))
    return AuditEntry.objects.filter(content_type=content_type, history_id=row.pk)


def _log(code, subject, reason="Checked by phone", actor=None):
    return action_log(actor=actor, kind=action_kind_of(code), subject=subject, reason=reason)


def test_the_access_and_security_apps_declare_every_kind_they_store():
    assert [kind.code for kind in action_kinds()] == KINDS
    assert {k.value for k in action_kinds() if k.store.model == "access.PermissionLog"} == set(
        PermissionLog.Action.values
    )
    assert {k.value for k in action_kinds() if k.store.model == "security.SecurityAction"} == set(
        SecurityAction.Kind.values
    )


@pytest.mark.parametrize("code", KINDS)
def test_each_kind_lands_once_in_the_chain_and_on_the_trail(code, inside, make_user):
    auditor = make_user("auditor")
    row = _log(code, inside, actor=auditor)
    assert seal() >= 1
    entry = _entries(row).get()
    assert entry.action == code
    assert entry.get_action_display() == str(action_kind_of(code).label)
    assert (entry.actor_name, entry.object_repr) == ("auditor", str(inside))
    assert (entry.object_id, entry.department_id) == (str(inside.pk), inside.department_id)
    assert entry.reason == "Checked by phone"
    assert entry.seq is not None
    assert trail_for(auditor).filter(pk=entry.pk).exists()
    assert verify().intact


def test_the_services_log_each_action_once(inside, make_user, roles):
    officer = make_user("security")
    granted = assignment_create(
        actor=None, user=inside, role=roles[HR], reason="Covers the HR desk"
    )
    assignment_revoke(assignment=granted, actor=None, reason="Desk covered")
    devices_reset(actor=officer, user=inside, reason="Lost phone")
    sessions_end_for(actor=officer, user=inside, reason="Lost phone")
    about = AuditEntry.objects.filter(object_repr=str(inside)).exclude(
        content_type=ContentType.objects.get_for_model(type(inside))
    )
    assert sorted(about.values_list("action", flat=True)) == [
        "access.granted",
        "access.revoked",
        "security.devices_reset",
        "security.sessions_revoked",
    ]
    assert PermissionLog.objects.filter(user=inside).count() == 2
    assert SecurityAction.objects.filter(user=inside).count() == 2
    assert about.get(action="security.devices_reset").actor_name == "security"


def test_an_expiry_is_logged_by_the_system_in_the_chain(inside, roles):
    start = timezone.now() - datetime.timedelta(days=2)
    assignment_create(
        actor=None,
        user=inside,
        role=roles[HR],
        valid_from=start,
        valid_until=timezone.now() + datetime.timedelta(hours=1),
        reason="Holiday cover",
    )
    assignments_tidy(at=timezone.now() + datetime.timedelta(hours=2))
    entry = AuditEntry.objects.get(action="access.expired")
    assert entry.object_repr == str(inside)
    assert entry.actor_name == "system"


def test_a_refusal_names_who_was_refused_and_where(inside, outside, make_user):
    manager = make_user("manager", department=inside.department)
    assert denial_record(user=manager, perm="org.change_employee", obj=outside, where="/x/")
    entry = AuditEntry.objects.get(action="access.denied")
    assert (entry.actor_name, entry.object_repr, entry.reason) == ("manager", str(manager), "/x/")
    # In the refused person's department: their own manager's scope, not the target's.
    assert entry.department_id == manager.department_id


def _unlock_then_fail(subject):
    with transaction.atomic():
        _log("security.unlock", subject)
        raise RuntimeError


def test_an_action_rolled_back_with_its_transaction_leaves_no_entry(inside):
    with pytest.raises(RuntimeError):
        _unlock_then_fail(inside)
    assert not SecurityAction.objects.exists()
    assert not AuditEntry.objects.filter(action="security.unlock").exists()


@pytest.mark.parametrize(
    ("code", "store", "column"),
    [("access.denied", PermissionLog, "detail"), ("security.unlock", SecurityAction, "reason")],
)
def test_an_edited_action_row_breaks_verification(code, store, column, inside):
    row = _log(code, inside)
    seal()
    assert verify().intact
    store.objects.filter(pk=row.pk).update(**{column: "Nothing happened"})
    result = verify()
    assert not result.intact
    assert "was altered" in result.problem
    assert str(inside) in result.broken_object


def test_a_deleted_action_row_breaks_verification(inside):
    row = _log("security.devices_reset", inside)
    seal()
    SecurityAction.objects.filter(pk=row.pk).delete()
    result = verify()
    assert not result.intact
    assert "has been deleted" in result.problem


def test_a_manager_sees_no_action_on_the_trail(inside, outside, make_user):
    manager = make_user("manager", department=inside.department)
    _log("access.denied", inside)
    _log("security.unlock", inside)
    assert not trail_for(manager).filter(action__contains=".").exists()


def test_the_permission_log_shows_only_where_its_view_right_reaches(
    inside, outside, make_user, roles
):
    # HR for Engineering only: the permission log's view right reaches that subtree.
    reader = make_user("staff", username="eng-hr")
    assignment_create(
        actor=None, user=reader, role=roles[HR], department=inside.department, reason="ENG HR"
    )
    mine = _log("access.denied", inside)
    theirs = _log("access.denied", outside)
    unlock = _log("security.unlock", inside)
    seen = trail_for(reader)
    assert seen.filter(pk=_entries(mine).get().pk).exists()
    assert not seen.filter(pk=_entries(theirs).get().pk).exists()
    # HR does not hold the security actions' view right anywhere.
    assert not seen.filter(pk=_entries(unlock).get().pk).exists()


def test_the_trail_filters_by_an_action_kind(inside, make_user):
    auditor = make_user("auditor")
    _log("security.unlock", inside)
    form = TrailFilterForm({"action": "security.unlock"}, user=auditor)
    assert form.is_valid(), form.errors
    assert dict(form.fields["action"].choices)["security.unlock"] == "unlocked"


def test_the_trail_filtered_by_a_persons_id_shows_the_actions_about_them(inside, make_user):
    auditor = make_user("auditor")
    row = _log("security.devices_reset", inside)
    form = TrailFilterForm({"object": str(inside.pk)}, user=auditor)
    assert form.is_valid(), form.errors
    found = trail_filter(auditor, trail_for(auditor), form.cleaned_data)
    assert set(found.values_list("action", flat=True)) >= {"created", "security.devices_reset"}
    assert found.filter(history_id=row.pk, action="security.devices_reset").exists()


def test_the_trail_page_shows_the_action_without_a_history_link(inside, client, make_user):
    client.force_login(make_user("auditor"))
    row = _log("security.devices_reset", inside, reason="Lost phone")
    response = client.get(TRAIL, {"action": "security.devices_reset"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-entry="{_entries(row).get().pk}"' in page
    assert "two-factor devices reset" in page
    assert "Lost phone" in page
    assert f"/securityaction/{row.pk}/" not in page


def test_exports_hold_actions_with_formula_safe_cells(inside, client, make_user):
    client.force_login(make_user("auditor"))
    _log("security.unlock", inside, reason=HOSTILE)
    filters = {"action": "security.unlock"}
    url = reverse("admin:audit_auditentry_export", args=["csv"])
    text = b"".join(export(client, url, filters).streaming_content).decode("utf-8")
    [header, row] = list(csv.reader(io.StringIO(text[1:])))
    assert (row[1], row[2], row[4], row[5]) == ("system", "unlocked", str(inside.pk), str(inside))
    assert row[8] == "'" + HOSTILE
    url = reverse("admin:audit_auditentry_export", args=["xlsx"])
    content = b"".join(export(client, url, filters).streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    [_header, cells] = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[2] == "unlocked"
    assert cells[8] == "'" + HOSTILE


def test_a_row_written_around_the_action_log_breaks_verification(inside):
    _log("access.granted", inside)
    seal()
    PermissionLog.objects.create(at=timezone.now(), action="granted", user=inside)
    result = verify()
    assert not result.intact
    assert "of access.PermissionLog have no audit record" in result.problem


def test_rows_logged_before_the_trail_get_their_entries_once(inside):
    old = [
        PermissionLog.objects.create(at=timezone.now(), action="denied", user=inside, detail="/a/"),
        SecurityAction.objects.create(at=timezone.now(), kind="unlock", user=inside, reason="r"),
    ]
    written = sum(entries_for_actions(store=store) for store in action_stores())
    assert written == 2
    assert sum(entries_for_actions(store=store) for store in action_stores()) == 0
    assert [_entries(row).get().action for row in old] == ["access.denied", "security.unlock"]
    seal()
    assert verify().intact


def test_an_archive_takes_the_action_rows_and_verifies_them(inside, tmp_path):
    row = _log("security.unlock", inside, reason="Lost phone")
    seal()
    cutoff = timezone.now() + datetime.timedelta(seconds=1)
    made = archive(cutoff=cutoff, directory=tmp_path, actor_name="tester")
    assert made is not None
    assert not SecurityAction.objects.filter(pk=row.pk).exists()
    assert verify_archive(Path(made.path)).intact
    with gzip.open(made.path, "rt") as source:
        assert '"reason":"Lost phone"' in source.read()
    _log("security.unlock", inside)
    seal()
    assert verify().intact
