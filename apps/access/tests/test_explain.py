"""The "Explain access" page: every path behind each action, agreeing with the scope module."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from guardian.shortcuts import assign_perm

from apps.access import scope
from apps.access.roles import HR, MANAGER
from apps.access.selectors import access_explain
from apps.access.services import assignment_create, assignment_revoke
from apps.org.models import Department, Employee, Transfer
from apps.org.services import department_create, employee_create

URL = "/admin/access/roleassignment/explain/"


@pytest.fixture
def org(root_department):
    """BOG > ENG > WEB, BOG > FIN; Wendy works in WEB, Frank in FIN."""
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    web = department_create(actor=None, name="Web", code="WEB", parent=eng)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    return {
        "bog": root_department,
        "eng": eng,
        "web": web,
        "fin": fin,
        "wendy": employee_create(
            actor=None, username="wendy", first_name="Wendy", last_name="Web", department=web
        ),
        "frank": employee_create(
            actor=None, username="frank", first_name="Frank", last_name="Fin", department=fin
        ),
    }


@pytest.fixture
def person(org):
    return employee_create(actor=None, username="pat", first_name="Pat", department=org["fin"])


def fresh(user):
    return Employee.objects.get(pk=user.pk)


def give(user, role, *, department=None, start=None, end=None):
    return assignment_create(
        actor=None,
        user=user,
        role=role,
        department=department,
        valid_from=start,
        valid_until=end,
        reason="test",
    )


def by_perm(rows):
    return {row.perm: row for row in rows}


def texts(row):
    return [path.text for path in row.paths]


def assert_agrees_with_scope(user, model, obj=None, at=None):
    """The verdict of every action is what the snapshot and allows_in say."""
    user = fresh(user)
    snap = scope.snapshot_read(user, at=at)
    rows = access_explain(user=user, model=model, obj=obj, at=at)
    for row in rows:
        expected = (
            snap.superuser or row.perm in snap.perms
            if obj is None
            else scope.allows_in(snap, row.perm, obj)
        )
        assert row.allowed == expected, (row.perm, texts(row))
        assert row.allowed == any(p.grants for p in row.paths)
    return by_perm(rows)


# --- The selector ------------------------------------------------------------------


def test_a_superuser_may_do_everything_and_that_is_the_only_path(make_user, org):
    admin = make_user("admin")
    rows = assert_agrees_with_scope(admin, Employee, org["frank"])
    assert set(rows) == {
        "org.view_employee",
        "org.add_employee",
        "org.change_employee",
        "org.delete_employee",
        "org.view_salary",
        "org.change_salary",
    }
    assert all(row.allowed for row in rows.values())
    assert [p.kind for p in rows["org.delete_employee"].paths] == ["superuser"]


def test_an_inactive_user_may_do_nothing(make_user, org):
    hr = make_user("hr")
    Employee.objects.filter(pk=hr.pk).update(is_active=False)
    rows = assert_agrees_with_scope(hr, Employee, org["frank"])
    assert not any(row.allowed for row in rows.values())
    assert [p.kind for p in rows["org.view_employee"].paths] == ["inactive"]


def test_an_organisation_wide_role_grants_its_permissions_everywhere(make_user, org):
    rows = assert_agrees_with_scope(make_user("hr"), Employee, org["frank"])
    view = rows["org.view_employee"]
    assert view.allowed
    assert view.paths[0].kind == "assignment"
    assert view.paths[0].state == "valid"
    assert "HR, organisation-wide" in view.paths[0].text
    assert "open-ended, valid now" in view.paths[0].text
    # HR deletes nobody: no path, and the page says so.
    delete = rows["org.delete_employee"]
    assert not delete.allowed
    assert [p.kind for p in delete.paths] == ["nothing"]


def test_a_scoped_role_reaches_records_inside_the_department_only(make_user, org):
    manager = make_user("manager", department=org["eng"])
    inside = assert_agrees_with_scope(manager, Employee, org["wendy"])["org.change_employee"]
    assert inside.allowed
    assert "Manager, scoped on Engineering (ENG)" in inside.paths[0].text
    assert "Engineering (ENG) contains this record" in inside.paths[0].text

    outside = assert_agrees_with_scope(manager, Employee, org["frank"])["org.change_employee"]
    assert not outside.allowed
    assert "this record is outside Engineering (ENG)" in outside.paths[0].text
    assert outside.paths[-1].kind == "nothing"

    # Without a record: held somewhere, enough to open the list.
    listing = assert_agrees_with_scope(manager, Employee)["org.change_employee"]
    assert listing.allowed
    assert "the records in the subtree of Engineering (ENG) only" in listing.paths[0].text


def test_a_scoped_role_reaches_departments_and_transfers_by_their_departments(make_user, org):
    manager = make_user("manager", department=org["eng"])
    assert assert_agrees_with_scope(manager, Department, org["web"])["org.view_department"].allowed
    assert not assert_agrees_with_scope(manager, Department, org["fin"])[
        "org.view_department"
    ].allowed
    transfer = Transfer.objects.create(
        employee=org["frank"],
        from_department=org["fin"],
        to_department=org["web"],
        effective_date=datetime.date(2026, 1, 1),
        reason="test",
        requested_by=org["frank"],
    )
    assert assert_agrees_with_scope(manager, Transfer, transfer)["org.view_transfer"].allowed


def test_an_expired_assignment_grants_nothing_and_says_so(roles, person, org):
    now = timezone.now()
    give(person, roles[HR], start=now, end=now + datetime.timedelta(days=1))
    later = now + datetime.timedelta(days=2)
    row = assert_agrees_with_scope(person, Employee, org["frank"], at=later)["org.view_employee"]
    assert not row.allowed
    assert row.paths[0].state == "expired"
    assert "expired" in row.paths[0].text
    # At a moment inside the window the same assignment grants.
    during = now + datetime.timedelta(hours=1)
    assert assert_agrees_with_scope(person, Employee, org["frank"], at=during)[
        "org.view_employee"
    ].allowed


def test_a_future_assignment_is_not_yet_valid(roles, person, org):
    give(person, roles[HR], start=timezone.now() + datetime.timedelta(days=3))
    row = assert_agrees_with_scope(person, Employee, org["frank"])["org.view_employee"]
    assert not row.allowed
    assert row.paths[0].state == "future"
    assert "not yet valid" in row.paths[0].text


def test_a_revoked_assignment_grants_nothing(roles, person, org):
    future = give(person, roles[HR], start=timezone.now() + datetime.timedelta(days=3))
    assignment_revoke(assignment=future, actor=None, reason="changed plans")
    current = give(person, roles[MANAGER], department=org["eng"])
    assignment_revoke(assignment=current, actor=None, reason="left")
    rows = assert_agrees_with_scope(person, Employee, org["wendy"])
    assert {p.state for p in rows["org.view_employee"].paths} == {"revoked", "expired", ""}
    assert not rows["org.view_employee"].allowed


def test_a_direct_permission_grants_everywhere(person, org):
    person.user_permissions.add(Permission.objects.get(codename="view_transfer"))
    rows = assert_agrees_with_scope(person, Transfer)
    assert rows["org.view_transfer"].allowed
    assert [p.kind for p in rows["org.view_transfer"].paths] == ["direct"]
    assert not rows["org.add_transfer"].allowed


def test_an_object_grant_reaches_that_record_only(person, org):
    assign_perm("org.view_employee", person, org["frank"])
    on_it = assert_agrees_with_scope(person, Employee, org["frank"])["org.view_employee"]
    assert on_it.allowed
    assert [p.kind for p in on_it.paths] == ["object_grant"]
    assert not assert_agrees_with_scope(person, Employee, org["wendy"])["org.view_employee"].allowed
    listing = assert_agrees_with_scope(person, Employee)["org.view_employee"]
    assert listing.allowed
    assert "Grant on 1 employee record" in listing.paths[0].text


def test_an_object_grant_on_an_ancestor_department_reaches_its_subtree(person, org):
    assign_perm("org.view_department", person, org["eng"])
    below = assert_agrees_with_scope(person, Department, org["web"])["org.view_department"]
    assert below.allowed
    assert below.paths[0].kind == "department_grant"
    assert "Engineering (ENG) contains this record" in below.paths[0].text
    itself = assert_agrees_with_scope(person, Department, org["eng"])["org.view_department"]
    assert [p.kind for p in itself.paths] == ["object_grant"]
    beside = assert_agrees_with_scope(person, Department, org["fin"])["org.view_department"]
    assert not beside.allowed
    assert "this record is outside it" in beside.paths[0].text


def test_group_membership_without_a_valid_assignment_grants_nothing(roles, person, org):
    person.groups.add(roles[HR])
    row = assert_agrees_with_scope(person, Employee, org["frank"])["org.view_employee"]
    assert not row.allowed
    assert row.paths[0].kind == "group"
    assert "without a valid assignment: grants nothing" in row.paths[0].text


def test_group_membership_mirroring_a_valid_assignment_is_not_listed(make_user, org):
    hr = make_user("hr")
    assert hr.groups.filter(name=HR).exists()
    row = assert_agrees_with_scope(hr, Employee, org["frank"])["org.view_employee"]
    assert [p.kind for p in row.paths] == ["assignment"]


def test_salary_permissions_are_explained_for_employees_only(make_user, org):
    manager = make_user("manager", department=org["eng"])
    rows = assert_agrees_with_scope(manager, Employee, org["wendy"])
    assert not rows["org.view_salary"].allowed
    assert "org.view_salary" not in assert_agrees_with_scope(manager, Department)


def test_the_queries_do_not_grow_with_the_assignments(
    roles, person, org, django_assert_max_num_queries
):
    for department in (org["eng"], org["web"], org["fin"], org["bog"]):
        give(person, roles[MANAGER], department=department)
    user = fresh(person)
    with django_assert_max_num_queries(8):
        access_explain(user=user, model=Employee, obj=org["wendy"])


# --- The page ----------------------------------------------------------------------


def explain(client, **params):
    return client.get(URL, params)


def test_hr_opens_the_page(hr_client):
    response = hr_client.get(URL)
    assert response.status_code == 200
    assert "Explain access" in response.content.decode()


def test_the_sidebar_links_to_it_for_those_who_may_open_it(hr_client):
    assert URL in hr_client.get("/admin/").content.decode()


def test_staff_are_refused(staff_client):
    assert staff_client.get(URL).status_code == 403
    assert URL not in staff_client.get("/admin/").content.decode()


def test_hr_sees_the_paths_for_a_user_and_a_record(hr_client, make_user, org):
    manager = make_user("manager", department=org["eng"])
    response = explain(
        hr_client, user=str(manager.pk), model="org.employee", object_id=str(org["wendy"].pk)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-perm="org.change_employee"' in body
    assert "scoped on Engineering (ENG)" in body
    assert "Engineering (ENG) contains this record" in body


def test_a_model_without_a_record_is_explained(hr_client, make_user):
    manager = make_user("manager")
    response = explain(hr_client, user=str(manager.pk), model="access.roleassignment")
    assert response.status_code == 200
    assert 'data-perm="access.view_roleassignment"' in response.content.decode()


def test_a_malformed_record_id_is_a_form_error(hr_client, hr_user):
    response = explain(hr_client, user=str(hr_user.pk), model="org.employee", object_id="12; --")
    body = response.content.decode()
    assert response.status_code == 200
    assert "this is not one" in body
    assert "explain-table" not in body


def test_an_unknown_record_is_a_form_error(hr_client, hr_user):
    response = explain(
        hr_client, user=str(hr_user.pk), model="org.transfer", object_id=str(uuid.uuid4())
    )
    assert "No such record." in response.content.decode()


def test_an_unknown_model_or_user_is_a_form_error(hr_client, hr_user):
    body = explain(hr_client, user="not-a-uuid", model="auth.user").content.decode()
    assert "Choose a model from the list." in body
    assert "No such user." in body
    body = explain(hr_client, user=str(uuid.uuid4()), model="org.employee").content.decode()
    assert "No such user." in body


def test_a_record_outside_the_viewers_scope_is_no_such_record(client, make_user, org):
    scoped_hr = make_user("hr", scope=org["eng"])
    client.force_login(scoped_hr)
    response = explain(
        client, user=str(org["wendy"].pk), model="org.employee", object_id=str(org["frank"].pk)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "No such record." in body
    assert "Frank" not in body
    assert "explain-table" not in body
    # Nor can the user being explained come from outside the scope.
    body = explain(client, user=str(org["frank"].pk), model="org.employee").content.decode()
    assert "No such user." in body
    assert "Frank" not in body


def test_oversized_input_is_refused_with_form_errors(hr_client):
    huge = "x" * 10_000
    response = explain(hr_client, user=huge, model=huge, object_id=huge)
    body = response.content.decode()
    assert response.status_code == 200
    assert "No such user." in body
    assert "Choose a model from the list." in body
    assert "at most 64 characters" in body
