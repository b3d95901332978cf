"""The employee record (issue 14): an HR form in sections, reports-to, read-only panels
(transfer history, role assignments), account actions behind permission, scope and rank,
and salaries as money."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from apps.access.roles import HR
from apps.access.services import assignment_create
from apps.audit.models import AuditEntry
from apps.org.models import Employee, Transfer
from apps.org.selectors import employee_reports_to
from apps.org.services import department_update, employee_create
from apps.security.models import SecurityAction, UserSession

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def people(make_user, tree):
    """Personas at the root, and a manager scoped to WEB."""
    found = {p: make_user(p) for p in ("admin", "hr", "security", "auditor", "staff")}
    found["webmanager"] = make_user("manager", department=tree["web"], username="webmanager")
    return found


def _change(person):
    return reverse("admin:org_employee_change", args=[person.pk])


def _action(person, name):
    return reverse("admin:org_employee_record_action", args=[person.pk, name])


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _as(client, user):
    client.force_login(user)
    return client


def _session(user, key="s"):
    now = timezone.now()
    return UserSession.objects.create(
        session_key=key * 32, user=user, created_at=now, last_seen=now
    )


# --- the sections -------------------------------------------------------------------


def test_hr_sees_the_record_in_sections(client, people):
    page = _as(client, people["hr"]).get(_change(people["staff"])).text
    for title in ("Person", "Job", "Contact", "Emergency contact", "Account"):
        assert f">{title}<" in page or f"{title}\n" in page, title
    for name in ("emergency_contact_name", "emergency_contact_relationship", "position"):
        assert f'name="{name}"' in page


@pytest.mark.parametrize("reader", ["hr", "auditor", "security", "webmanager"])
def test_no_permission_picker_switches_or_hash_for_anyone_but_superusers(client, people, reader):
    target = people["staff"]
    page = _as(client, people[reader]).get(_change(target)).text
    for name in ("user_permissions", "groups", "is_staff", "is_superuser", "password"):
        assert f'name="{name}"' not in page, name
    assert "Superuser only" not in page
    assert "algorithm" not in page
    assert _fresh(target).password.split("$")[-1] not in page


def test_the_superuser_sees_the_switches_and_the_picker_but_no_hash(client, people):
    target = people["staff"]
    page = _as(client, people["admin"]).get(_change(target)).text
    for name in ("user_permissions", "is_staff", "is_superuser"):
        assert f'name="{name}"' in page, name
    assert "Superuser only" in page
    assert "algorithm" not in page
    assert _fresh(target).password.split("$")[-1] not in page


def test_hr_cannot_switch_staff_or_superuser_on_by_posting(client, people):
    staff = people["staff"]
    response = _as(client, people["hr"]).post(
        _change(staff), {**_form_data(staff), "is_superuser": "on", "is_staff": ""}
    )
    assert response.status_code == 302
    assert not _fresh(staff).is_superuser
    assert _fresh(staff).is_staff


def test_hr_saves_the_emergency_contact_normalised(client, people):
    staff = people["staff"]
    data = {
        **_form_data(staff),
        "emergency_contact_name": "Wang Fang",
        "emergency_contact_relationship": "spouse",
        "emergency_contact_phone": "+86 138 0013 8000",
        "change_reason": "Given on the first day",
    }
    assert _as(client, people["hr"]).post(_change(staff), data).status_code == 302
    saved = _fresh(staff)
    assert (saved.emergency_contact_name, saved.emergency_contact_relationship) == (
        "Wang Fang",
        "spouse",
    )
    assert saved.emergency_contact_phone == "+8613800138000"


def _form_data(person):
    return {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "employee_id": person.employee_id,
        "department": str(person.department_id),
        "position": person.position,
        "phone": person.phone,
        "hire_date": "",
        "salary": "" if person.salary is None else str(person.salary),
        "emergency_contact_name": person.emergency_contact_name,
        "emergency_contact_relationship": person.emergency_contact_relationship,
        "emergency_contact_phone": person.emergency_contact_phone,
        "change_reason": "",
    }


# --- reports to ---------------------------------------------------------------------


@pytest.fixture
def managed(tree, people):
    """BOG managed by the admin, WEB by a lead; ENG and MOB have no manager."""
    boss, lead = (
        people["admin"],
        employee_create(actor=None, username="lead", department=tree["web"]),
    )
    department_update(department=tree["bog"], actor=None, manager=boss)
    department_update(department=tree["web"], actor=None, manager=lead)
    mobile = employee_create(actor=None, username="mobile", department=tree["mob"])
    engineer = employee_create(actor=None, username="engineer", department=tree["eng"])
    return {"boss": boss, "lead": lead, "mobile": mobile, "engineer": engineer}


def test_reports_to_the_nearest_manager_up_the_tree(managed):
    assert employee_reports_to(employee=managed["mobile"]) == managed["lead"]
    assert employee_reports_to(employee=managed["engineer"]) == managed["boss"]


def test_a_manager_reports_to_the_manager_above(managed):
    assert employee_reports_to(employee=managed["lead"]) == managed["boss"]
    assert employee_reports_to(employee=managed["boss"]) is None


def test_a_manager_who_left_is_skipped(managed):
    Employee.objects.filter(pk=managed["lead"].pk).update(is_active=False)
    assert employee_reports_to(employee=managed["mobile"]) == managed["boss"]


def test_reports_to_links_when_the_reader_may_view_the_manager(client, people, managed):
    page = _as(client, people["hr"]).get(_change(managed["mobile"])).text
    assert f'href="{_change(managed["lead"])}"' in page
    assert 'data-testid="reports-to"' in page


def test_reports_to_is_a_name_without_link_outside_the_reader_s_scope(client, people, managed):
    page = _as(client, people["webmanager"]).get(_change(managed["lead"])).text
    assert str(managed["boss"]) in page
    assert f'href="{_change(managed["boss"])}"' not in page


# --- read-only panels ---------------------------------------------------------------


def _transfer(employee, source, target, days_ago, reason, actor):
    return Transfer.objects.create(
        employee=employee,
        from_department=source,
        to_department=target,
        effective_date=timezone.localdate() - datetime.timedelta(days=days_ago),
        reason=reason,
        requested_by=actor,
        status=Transfer.Status.APPLIED,
    )


def test_transfer_history_is_newest_first(client, people, tree):
    person = employee_create(actor=None, username="mover", department=tree["web"])
    _transfer(person, tree["fin"], tree["eng"], 30, "older-move", people["hr"])
    _transfer(person, tree["eng"], tree["web"], 3, "newer-move", people["hr"])
    page = _as(client, people["hr"]).get(_change(person)).text
    assert 'href="#transfers"' in page
    assert page.index("newer-move") < page.index("older-move")


def test_transfer_history_shows_only_transfers_in_the_reader_s_scope(client, people, tree):
    person = employee_create(actor=None, username="mover", department=tree["web"])
    _transfer(person, tree["fin"], tree["eng"], 30, "outside-web", people["hr"])
    _transfer(person, tree["eng"], tree["web"], 3, "into-web", people["hr"])
    page = _as(client, people["webmanager"]).get(_change(person)).text
    assert "into-web" in page
    assert "outside-web" not in page


def test_role_assignments_panel_for_readers_of_assignments(client, people):
    page = _as(client, people["hr"]).get(_change(people["staff"])).text
    assert "Role assignments" in page
    assert "test persona" in page  # the assignment's reason


def test_role_assignments_panel_hidden_without_the_right(client, people, tree):
    person = employee_create(actor=None, username="webber", department=tree["web"])
    page = _as(client, people["webmanager"]).get(_change(person)).text
    assert "Role assignments" not in page


def test_role_assignments_panel_shows_only_assignments_in_scope(client, make_user, roles, tree):
    # Sees every employee (manager of the root), reads assignments only in FIN.
    reader = make_user("manager", username="reader")
    assignment_create(
        actor=None, user=reader, role=roles[HR], department=tree["fin"], reason="fin hr"
    )
    webber = employee_create(actor=None, username="webber", department=tree["web"])
    assignment_create(
        actor=None, user=webber, role=roles["Staff"], department=None, reason="web-role-row"
    )
    finner = employee_create(actor=None, username="finner", department=tree["fin"])
    assignment_create(
        actor=None, user=finner, role=roles["Staff"], department=None, reason="fin-role-row"
    )
    _as(client, reader)
    assert "web-role-row" not in client.get(_change(webber)).text
    assert "fin-role-row" in client.get(_change(finner)).text


def test_a_failed_save_still_shows_the_read_only_panels(client, people, managed, tree):
    person = managed["mobile"]
    _transfer(person, tree["eng"], tree["mob"], 3, "panel-move", people["hr"])
    data = {**_form_data(person), "phone": "not a phone"}
    response = _as(client, people["hr"]).post(_change(person), data)
    assert response.status_code == 200
    page = response.text
    assert "errornote" in page
    assert f'href="{_change(managed["lead"])}"' in page  # reports to
    assert "panel-move" in page  # transfer history
    assert "Role assignments" in page


def test_a_forged_inline_post_changes_nothing(client, people):
    staff = people["staff"]
    data = {
        **_form_data(staff),
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-0-reason": "forged",
        "role_assignments-0-role": "1",
    }
    assert _as(client, people["hr"]).post(_change(staff), data).status_code == 302
    assert not staff.role_assignments.filter(reason="forged").exists()


# --- salary -------------------------------------------------------------------------


@pytest.fixture
def paid(tree):
    return employee_create(
        actor=None, username="paid", department=tree["web"], salary=Decimal("1234567.5")
    )


def test_salary_reads_as_money_in_the_list(client, people, paid):
    page = _as(client, people["hr"]).get(reverse("admin:org_employee_changelist")).text
    assert "¥1,234,567.50" in page


def test_salary_reads_as_money_in_chinese_too(client, people, paid):
    client.cookies["django_language"] = "zh-hans"
    page = _as(client, people["hr"]).get(reverse("admin:org_employee_changelist")).text
    assert "¥1,234,567.50" in page


def test_a_read_only_salary_reads_as_money(client, make_user, paid):
    reader = make_user("manager", username="viewer")
    reader.user_permissions.add(Permission.objects.get(codename="view_salary"))
    page = _as(client, reader).get(_change(paid)).text
    assert "¥1,234,567.50" in page
    assert 'name="salary"' not in page


def test_the_edit_input_stays_a_number(client, people, paid):
    page = _as(client, people["hr"]).get(_change(paid)).text
    assert 'name="salary"' in page
    assert 'value="1234567.50"' in page


def test_a_masked_salary_stays_masked_on_a_failed_save(client, people, paid):
    data = {**_form_data(paid), "phone": "not a phone", "salary": ""}
    data.pop("salary")
    response = _as(client, people["webmanager"]).post(_change(paid), data)
    assert response.status_code == 200
    assert "1,234,567" not in response.text
    assert "1234567" not in response.text
    assert _fresh(paid).salary == Decimal("1234567.50")


# --- account actions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "target", "shown"),
    [
        ("hr", "staff", {"reset-password"}),
        ("security", "staff", {"end-sessions", "reset-devices"}),
        ("admin", "staff", {"reset-password", "end-sessions", "reset-devices"}),
        ("hr", "admin", set()),
        ("hr", "security", set()),
        ("security", "hr", set()),
        ("auditor", "staff", set()),
        ("hr", "hr", set()),
    ],
)
def test_actions_are_offered_to_those_allowed(client, people, reader, target, shown):
    page = _as(client, people[reader]).get(_change(people[target])).text
    for name in ("reset-password", "end-sessions", "reset-devices"):
        assert (f'data-testid="record-action-{name}"' in page) is (name in shown), name


@pytest.mark.parametrize(
    ("reader", "target", "name"),
    [
        ("hr", "admin", "reset-password"),  # higher rank
        ("hr", "security", "reset-password"),  # same rank
        ("security", "hr", "end-sessions"),
        ("security", "admin", "reset-devices"),
        ("auditor", "staff", "reset-password"),  # no permission
        ("hr", "staff", "end-sessions"),
        ("hr", "staff", "reset-devices"),
        ("hr", "hr", "reset-password"),  # one's own: the own password page
    ],
)
def test_actions_are_refused_without_permission_or_rank(client, people, reader, target, name):
    person = people[target]
    UserSession.objects.filter(user=person).delete()
    _session(person)
    _as(client, people[reader])
    assert client.get(_action(person, name)).status_code == 403
    data = {"reason": "x", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(_action(person, name), data).status_code == 403
    assert _fresh(person).check_password(PASSWORD)
    assert UserSession.objects.filter(user=person, ended_at__isnull=True).exists()
    assert not SecurityAction.objects.filter(user=person).exists()


def test_actions_out_of_scope_are_not_found(client, people, tree):
    outsider = employee_create(actor=None, username="outsider", department=tree["fin"])
    _as(client, people["webmanager"])
    for name in ("reset-password", "end-sessions", "reset-devices"):
        assert client.get(_action(outsider, name)).status_code == 404


def test_a_manager_resets_a_password_in_scope_only_below_their_rank(client, people, tree):
    webber = employee_create(actor=None, username="webber", department=tree["web"])
    _as(client, people["webmanager"])
    assert client.get(_action(webber, "reset-password")).status_code == 200


def test_reset_password_asks_a_reason(client, people):
    staff = people["staff"]
    response = _as(client, people["hr"]).post(
        _action(staff, "reset-password"),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "reason": "  "},
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert _fresh(staff).check_password(PASSWORD)


def test_reset_password_sets_it_ends_sessions_and_keeps_the_reason(client, people):
    staff = people["staff"]
    _session(staff)
    response = _as(client, people["hr"]).post(
        _action(staff, "reset-password"),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "reason": "Forgot it"},
    )
    assert response.status_code == 302
    assert response["Location"] == _change(staff)
    assert _fresh(staff).check_password(NEW_PASSWORD)
    assert not UserSession.objects.filter(user=staff, ended_at__isnull=True).exists()
    version = staff.history.order_by("-history_id").first()
    assert version.history_change_reason == "Forgot it"
    assert version.history_user == people["hr"]
    assert AuditEntry.objects.filter(object_id=str(staff.pk), reason="Forgot it").exists()


def test_end_sessions_logs_the_reason(client, people):
    staff = people["staff"]
    _session(staff, "a")
    _session(staff, "b")
    response = _as(client, people["security"]).post(
        _action(staff, "end-sessions"), {"reason": "Laptop stolen"}
    )
    assert response.status_code == 302
    assert not UserSession.objects.filter(user=staff, ended_at__isnull=True).exists()
    logged = SecurityAction.objects.get(user=staff)
    assert (logged.actor, logged.reason) == (people["security"], "Laptop stolen")


def test_end_sessions_asks_a_reason(client, people):
    staff = people["staff"]
    _session(staff)
    response = _as(client, people["security"]).post(_action(staff, "end-sessions"), {})
    assert response.status_code == 200
    assert UserSession.objects.filter(user=staff, ended_at__isnull=True).exists()
    assert not SecurityAction.objects.exists()


def test_reset_devices_removes_them_and_logs(client, people):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    staff = people["staff"]
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    response = _as(client, people["security"]).post(
        _action(staff, "reset-devices"), {"reason": "Lost phone"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert SecurityAction.objects.get(user=staff).reason == "Lost phone"


def test_the_change_form_links_to_the_reset_action_instead_of_the_hash(client, people):
    staff = people["staff"]
    page = _as(client, people["hr"]).get(_change(staff)).text
    assert f'href="{_action(staff, "reset-password")}"' in page
    assert "/password/" not in page


# --- hostile input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "{pk}/actions/no-such-action/",
        "not-a-uuid/actions/reset-password/",
        "{pk}%00/actions/reset-password/",
        "00000000-0000-0000-0000-000000000000/actions/reset-password/",
        "{pk}/actions/reset-password%00/",
    ],
)
def test_hostile_action_addresses_are_not_found(client, people, path):
    base = reverse("admin:org_employee_changelist")
    _as(client, people["hr"])
    url = base + path.format(pk=people["staff"].pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"password1": NEW_PASSWORD, "password2": "different-passphrase-99", "reason": "r"},
        {"password1": "short", "password2": "short", "reason": "r"},
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "reason": "x" * 501},
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "reason": "nul \x00 byte"},
        {"password1": [NEW_PASSWORD, "x"], "reason": ["a", "b"]},
    ],
)
def test_hostile_reset_input_is_a_form_error(client, people, data):
    staff = people["staff"]
    response = _as(client, people["hr"]).post(_action(staff, "reset-password"), data)
    assert response.status_code == 200
    assert _fresh(staff).check_password(PASSWORD)


def test_undecodable_bytes_in_a_reason_are_a_form_error_or_stored_readably(client, people):
    staff = people["staff"]
    body = f"password1={NEW_PASSWORD}&password2={NEW_PASSWORD}&reason=bad+%ED%A0%80+%FF"
    response = _as(client, people["hr"]).post(
        _action(staff, "reset-password"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("reason", ["x" * 501, "nul \x00"])
def test_hostile_reasons_for_security_actions_are_form_errors(client, people, reason):
    staff = people["staff"]
    _session(staff)
    response = _as(client, people["security"]).post(
        _action(staff, "end-sessions"), {"reason": reason}
    )
    assert response.status_code == 200
    assert not SecurityAction.objects.exists()


def test_the_change_form_query_count_does_not_grow_with_panels(client, people, tree):
    from apps.org.tests.test_admin import _queries

    person = employee_create(actor=None, username="mover", department=tree["web"])
    _as(client, people["hr"])
    few = _queries(client, _change(person))
    for i in range(8):
        _transfer(person, tree["eng"], tree["web"], 10 + i, f"move {i}", people["hr"])
    for department in (tree["eng"], tree["fin"], tree["mob"]):
        assignment_create(
            actor=None,
            user=person,
            role=Group.objects.get(name="Staff"),
            department=department,
            reason="more",
        )
    assert _queries(client, _change(person)) == few


def test_the_add_form_has_no_read_only_panels(client, people):
    page = _as(client, people["hr"]).get(reverse("admin:org_employee_add")).text
    assert 'href="#role_assignments"' not in page
    assert 'href="#transfers"' not in page
