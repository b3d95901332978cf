"""The audit trail page: who sees which entries and fields, its filters and its pages."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.access.roles import HR
from apps.access.services import assignment_create
from apps.audit.models import AuditEntry, VerificationRun
from apps.audit.selectors import (
    TrailFilterForm,
    cursor_format,
    trail_filter,
    trail_for,
    trail_page,
    visible_fields,
)
from apps.org.models import Department, Employee, Transfer
from apps.org.services import department_create, employee_create, employee_update
from apps.org.transfers import transfer_request

pytestmark = pytest.mark.django_db

TRAIL = reverse("admin:audit_auditentry_changelist")


@dataclass
class World:
    eng: Department
    fin: Department
    inside: Employee
    outside: Employee
    transfer: Transfer
    hr: Employee


def build_world(make_user, root_department) -> World:
    """ENG (the manager's) and FIN; one employee in each with a name, salary and mixed change."""
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    web = department_create(actor=None, name="Web", code="WEB", parent=eng)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    ledger = department_create(actor=None, name="Ledger", code="LED", parent=fin)
    hr = make_user("hr")
    inside = employee_create(
        actor=hr, username="ines", first_name="Ines", last_name="Inside", department=web
    )
    outside = employee_create(
        actor=hr, username="otto", first_name="Otto", last_name="Outside", department=fin
    )
    for person in (inside, outside):
        employee_update(employee=person, actor=hr, position="Analyst", reason="New role")
        employee_update(employee=person, actor=hr, salary=Decimal("5000"), reason="Raise")
        employee_update(
            employee=person, actor=hr, salary=Decimal("6000"), position="Lead", reason="Promotion"
        )
    later = timezone.localdate() + datetime.timedelta(days=7)
    transfer = transfer_request(
        employee=outside, to_department=ledger, effective_date=later, reason="Stay", actor=hr
    )
    return World(eng=eng, fin=fin, inside=inside, outside=outside, transfer=transfer, hr=hr)


@pytest.fixture
def world(make_user, root_department):
    return build_world(make_user, root_department)


def _ids(entries):
    return set(entries.values_list("pk", flat=True))


def _of(obj):
    ct = ContentType.objects.get_for_model(type(obj))
    return AuditEntry.objects.filter(content_type=ct, object_id=str(obj.pk))


def _sensitive(obj):
    return _of(obj).filter(sensitive=True)


def _mixed(obj):
    return _of(obj).get(changed_fields__contains=" salary ", sensitive=False)


# --- who sees what ---------------------------------------------------------------------


def test_a_manager_sees_the_entries_of_their_subtree_only(world, make_user):
    manager = make_user("manager", department=world.eng)
    seen = _ids(trail_for(manager))
    assert _ids(_of(world.inside).filter(sensitive=False)) <= seen
    assert not _ids(_of(world.outside)) & seen
    assert not _ids(_of(world.fin)) & seen
    assert _ids(_of(world.eng)) <= seen


def test_a_manager_sees_no_salary_only_entry_and_no_salary_field(world, make_user):
    manager = make_user("manager", department=world.eng)
    assert not _ids(_sensitive(world.inside)) & _ids(trail_for(manager))
    assert visible_fields(manager, _mixed(world.inside)) == ["position"]


def test_hr_sees_every_entry_and_every_field(world):
    assert _ids(trail_for(world.hr)) == _ids(AuditEntry.objects.all())
    assert set(visible_fields(world.hr, _mixed(world.outside))) == {"position", "salary"}


def test_an_auditor_sees_all_but_salary(world, make_user):
    auditor = make_user("auditor")
    seen = _ids(trail_for(auditor))
    sensitive = _ids(AuditEntry.objects.filter(sensitive=True))
    assert sensitive
    assert seen == _ids(AuditEntry.objects.all()) - sensitive
    for entry in trail_for(auditor):
        assert "salary" not in visible_fields(auditor, entry)


def _hr_in(department, user, roles):
    assignment_create(
        actor=None, user=user, role=roles[HR], department=department, reason="HR for one part"
    )


def test_salary_shows_only_where_the_salary_right_reaches(world, make_user, roles):
    auditor = make_user("auditor")
    _hr_in(world.eng, auditor, roles)
    seen = _ids(trail_for(auditor))
    assert _ids(_sensitive(world.inside)) <= seen
    assert not _ids(_sensitive(world.outside)) & seen
    assert "salary" in visible_fields(auditor, _mixed(world.inside))
    assert "salary" not in visible_fields(auditor, _mixed(world.outside))


def test_a_security_officer_without_transfer_rights_sees_no_transfer(world, make_user):
    security = make_user("security")
    seen = _ids(trail_for(security))
    assert _of(world.transfer).exists()
    assert not _ids(_of(world.transfer)) & seen
    assert _ids(_of(world.inside).filter(sensitive=False)) <= seen


def test_a_superuser_sees_everything(world, make_user):
    admin = make_user("admin")
    assert _ids(trail_for(admin)) == _ids(AuditEntry.objects.all())
    assert "salary" in visible_fields(admin, _mixed(world.inside))


def test_staff_without_the_right_sees_nothing(world, make_user):
    assert not trail_for(make_user("staff")).exists()


# --- filters ------------------------------------------------------------------------------


def _filtered(user, **data):
    form = TrailFilterForm(data, user=user)
    assert form.is_valid(), form.errors
    return trail_filter(user, trail_for(user), form.cleaned_data)


def _errors(user, **data):
    form = TrailFilterForm(data, user=user)
    assert not form.is_valid()
    return form.errors


def test_filters_by_model_and_object(world):
    employees = _filtered(world.hr, model="org.employee")
    assert {e.content_type.model for e in employees} == {"employee"}
    one = _filtered(world.hr, object=str(world.inside.pk))
    assert _ids(one) == _ids(_of(world.inside))


def test_filters_by_actor_whatever_the_case(world):
    assert _ids(_filtered(world.hr, actor="HR")) == _ids(AuditEntry.objects.filter(actor=world.hr))
    assert _errors(world.hr, actor="nobody-here") == {"actor": ["No user has this username."]}


def test_filters_by_action_and_field(world):
    moved = _filtered(world.hr, action="created")
    assert set(moved.values_list("action", flat=True)) == {"created"}
    positions = _filtered(world.hr, field="position")
    assert positions.exists()
    assert all(" position " in e.changed_fields for e in positions)
    # "position" must not match "positions" or a prefix: fields are space-delimited.
    assert not _filtered(world.hr, field="phone").filter(changed_fields__contains="position")


def test_filters_by_days_inclusive_in_the_site_time_zone(world):
    tz = timezone.get_current_timezone()
    with time_machine.travel(datetime.datetime(2026, 3, 1, 23, 30, tzinfo=tz), tick=False):
        employee_update(employee=world.inside, actor=world.hr, position="Night shift")
    with time_machine.travel(datetime.datetime(2026, 3, 3, 0, 15, tzinfo=tz), tick=False):
        employee_update(employee=world.inside, actor=world.hr, position="Early shift")
    first = _filtered(world.hr, date_from="2026-03-01", date_to="2026-03-01")
    assert [e.at.astimezone(tz).date() for e in first] == [datetime.date(2026, 3, 1)]
    both = _filtered(world.hr, date_from="2026-03-01", date_to="2026-03-03")
    assert both.count() == 2
    assert not _filtered(world.hr, date_from="2026-03-02", date_to="2026-03-02").exists()


def test_the_auditor_may_not_filter_by_salary(world, make_user):
    auditor = make_user("auditor")
    assert "field" in _errors(auditor, field="salary")
    assert _filtered(world.hr, field="salary").exists()


def test_a_salary_filter_finds_only_where_the_right_reaches(world, make_user, roles):
    auditor = make_user("auditor")
    _hr_in(world.eng, auditor, roles)
    found = _filtered(auditor, field="salary")
    assert {e.object_id for e in found} == {str(world.inside.pk)}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("model", "auth.user"),
        ("model", "org.employee\x00"),
        ("model", "' OR 1=1 --"),
        ("object", "x" * 65),
        ("object", "abc\x00def"),
        ("actor", "<script>alert(1)</script>"),
        ("actor", "a" * 151),
        ("actor", "hr\x00"),
        ("date_from", "2026-13-01"),
        ("date_from", "99999-01-01"),
        ("date_to", "0001-01-01"),
        ("date_to", "'; DROP TABLE audit_auditentry; --"),
        ("action", "exploded"),
        ("field", "password"),
        ("field", "name\x00"),
        ("cursor", "2026-01-01T00:00:00Z_0"),
        ("cursor", "2026-01-01T00:00:00+08:00_5"),
        ("cursor", "2026-02-30T00:00:00Z_5"),
        ("cursor", "1" * 61),
        ("cursor", "2026-01-01T00:00:00Z_1 OR 1=1"),
    ],
)
def test_hostile_filters_are_form_errors(world, field, value):
    assert field in _errors(world.hr, **{field: value})


def test_an_end_before_the_start_is_refused(world):
    assert "date_to" in _errors(world.hr, date_from="2026-03-02", date_to="2026-03-01")


# --- keyset pages -----------------------------------------------------------------------


def test_pages_lose_and_repeat_nothing_when_times_are_equal(world):
    same = timezone.now().replace(microsecond=0)
    AuditEntry.objects.filter(
        pk__in=list(AuditEntry.objects.values_list("pk", flat=True))[::2]
    ).update(at=same)
    everything = list(AuditEntry.objects.order_by("-at", "-id").values_list("pk", flat=True))
    seen, cursor, pages = [], None, 0
    while True:
        page = trail_page(AuditEntry.objects.all(), cursor, size=4)
        seen += [e.pk for e in page.rows]
        pages += 1
        if page.next_cursor is None:
            break
        form = TrailFilterForm({"cursor": page.next_cursor}, user=world.hr)
        assert form.is_valid(), form.errors
        cursor = form.cleaned_data["cursor"]
    assert seen == everything
    assert pages == -(-len(everything) // 4)


def test_paging_back_towards_the_newest_returns_the_same_pages(world):
    same = timezone.now().replace(microsecond=0)
    AuditEntry.objects.filter(
        pk__in=list(AuditEntry.objects.values_list("pk", flat=True))[::2]
    ).update(at=same)
    forward, cursor = [], None
    while True:
        page = trail_page(AuditEntry.objects.all(), cursor, size=3)
        forward.append([e.pk for e in page.rows])
        if page.next_cursor is None:
            break
        cursor = TrailFilterForm({"cursor": page.next_cursor}, user=world.hr)
        assert cursor.is_valid()
        cursor = cursor.cleaned_data["cursor"]
    assert page.previous_cursor is not None or len(forward) == 1
    backward = [forward[-1]]
    while page.previous_cursor is not None:
        form = TrailFilterForm({"before": page.previous_cursor}, user=world.hr)
        assert form.is_valid(), form.errors
        page = trail_page(
            AuditEntry.objects.all(), None, size=3, before=form.cleaned_data["before"]
        )
        backward.append([e.pk for e in page.rows])
    # Pages are cut from the newest end going forward; going back, the first page of
    # the walk may hold fewer rows, so compare the rows in order, not the page cuts.
    assert [pk for rows in reversed(backward) for pk in rows][: len(forward[0])] == forward[0]
    assert sorted(pk for rows in backward for pk in rows) == sorted(
        pk for rows in forward for pk in rows
    )


def test_the_cursor_names_the_last_row(world):
    entry = AuditEntry.objects.order_by("-at", "-id").first()
    text = cursor_format(entry)
    assert text.endswith(f"Z_{entry.pk}")
    form = TrailFilterForm({"cursor": text}, user=world.hr)
    assert form.is_valid()
    assert form.cleaned_data["cursor"] == (entry.at, entry.pk)


# --- the page ---------------------------------------------------------------------------


def test_the_page_lists_entries_with_links_and_status(world, client):
    client.force_login(world.hr)
    response = client.get(TRAIL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Never verified." in body
    assert "awaiting seal" in body
    history = reverse("admin:org_employee_history", args=[world.inside.pk])
    assert history in body
    assert "?actor=hr" in body
    assert 'data-testid="export-csv"' in body  # HR exports its trail (a background job)


def test_the_page_shows_the_last_verification(world, client, make_user):
    now = timezone.now()
    VerificationRun.objects.create(
        started_at=now,
        finished_at=now,
        intact=False,
        records=12,
        problem="Entry 7 was edited",
        triggered_by="test",
    )
    auditor = make_user("auditor")
    client.force_login(auditor)
    body = client.get(TRAIL).content.decode()
    assert "Entry 7 was edited" in body
    assert "12 records checked" in body
    assert 'data-testid="export-csv"' in body


def test_the_manager_page_names_nothing_outside(world, client, make_user):
    client.force_login(make_user("manager", department=world.eng))
    body = client.get(TRAIL).content.decode()
    assert "Ines Inside" in body
    assert "Otto" not in body
    assert "Finance" not in body


def test_the_page_refuses_people_without_the_right(world, client, make_user):
    client.force_login(make_user("staff"))
    assert client.get(TRAIL).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"actor": "<script>alert(1)</script>"},
        {"date_from": "2026-99-99"},
        {"cursor": "garbage"},
        {"before": "2026-01-01T00:00:00Z_0"},
        {"before": "x" * 61},
        {"model": "x" * 5000},
    ],
)
def test_bad_filters_on_the_page_are_a_400_with_the_form(world, client, query):
    client.force_login(world.hr)
    response = client.get(TRAIL, query)
    assert response.status_code == 400
    assert 'data-testid="trail-form"' in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_nul_in_a_parameter_name_is_a_400(world, client):
    client.force_login(world.hr)
    assert client.get(f"{TRAIL}?act%00or=hr").status_code == 400


def test_the_older_link_leads_to_the_next_page(world, client):
    client.force_login(world.hr)
    for n in range(55):
        employee_update(employee=world.inside, actor=world.hr, position=f"Step {n}")
    first = client.get(TRAIL, {"model": "org.employee"})
    rows = first.context["rows"]
    assert len(rows) == 50
    second = client.get(TRAIL + first.context["older_url"])
    assert second.status_code == 200
    ids = [r["entry"].pk for r in rows] + [r["entry"].pk for r in second.context["rows"]]
    assert len(ids) == len(set(ids))
    assert 'data-testid="trail-newest"' in second.content.decode()
    back = client.get(TRAIL + second.context["newer_url"])
    assert [r["entry"].pk for r in back.context["rows"]] == [r["entry"].pk for r in rows]
    assert back.context["newer_url"] is None


def _queries(client, query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(TRAIL, query)
    assert response.status_code == 200
    return len(queries), len(response.context["rows"])


def test_the_page_costs_the_same_queries_for_10_and_60_rows(make_user, root_department, client):
    hr = make_user("hr")
    client.force_login(hr)
    people = [
        employee_create(actor=hr, username=f"p{n}", department=root_department) for n in range(5)
    ]
    for person in people:
        employee_update(employee=person, actor=hr, position="One")
    query = {"model": "org.employee", "actor": "hr"}
    _queries(client, query)  # the content types are cached from the first page on
    small, shown = _queries(client, query)
    assert shown == 10
    # Every page names departments (created, then moved): their labels are one query.
    other = department_create(actor=None, name="Other", code="OTH", parent=root_department)
    for n in range(10):
        for person in people:
            place = other if n % 2 == 0 else root_department
            employee_update(employee=person, actor=hr, position=f"Step {n}", department=place)
    large, shown = _queries(client, query)
    assert shown == 50
    assert large == small
    html = client.get(TRAIL, query).content.decode()
    assert 'data-testid="trail-change" data-field="department"' in html


# --- read-only --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "auditor", "hr"])
def test_nobody_adds_changes_or_deletes_an_entry(world, client, make_user, persona):
    user = world.hr if persona == "hr" else make_user(persona)
    client.force_login(user)
    entry = _of(world.inside).first()
    before = AuditEntry.objects.filter(pk=entry.pk).values().get()
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_add"), {}).status_code == 403
    assert client.post(change, {"reason": "edited"}).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert (
        client.post(
            TRAIL, {"action": "delete_selected", "_selected_action": [entry.pk]}
        ).status_code
        == 405
    )
    assert AuditEntry.objects.filter(pk=entry.pk).values().get() == before


def test_the_entry_page_is_read_only_and_hides_salary(world, client, make_user):
    client.force_login(make_user("auditor"))
    entry = _mixed(world.inside)
    response = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert response.status_code == 200
    assert response.context["original"].visible_fields == ["position"]
    assert 'name="_save"' not in response.content.decode()


def test_an_entry_outside_the_scope_is_not_found(world, client, make_user):
    client.force_login(make_user("manager", department=world.eng))
    entry = _of(world.outside).first()
    response = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert response.status_code == 404
