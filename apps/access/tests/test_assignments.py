"""Role assignments: the refusals, the validity window, the tidy task and the log."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.access import scope
from apps.access.models import PermissionLog, RoleAssignment
from apps.access.roles import ADMINISTRATOR, AUDITOR, HR, MANAGER, SECURITY_OFFICER
from apps.access.services import assignment_create, assignment_revoke, assignments_tidy
from apps.access.tasks import tidy_assignments
from apps.org.services import department_create, employee_create, employee_update

NOON = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def person(root_department):
    return employee_create(actor=None, username="pat", department=root_department, is_staff=True)


def fresh(user):
    """A new user object, as the next request would load it (no cached snapshot)."""
    return type(user).objects.get(pk=user.pk)


def give(user, role, *, actor=None, **kwargs):
    kwargs.setdefault("reason", "needs it")
    return assignment_create(actor=actor, user=user, role=role, **kwargs)


# --- Refusals ----------------------------------------------------------------------


def test_until_before_from_is_refused(roles, person):
    with pytest.raises(ValidationError, match="must be after"):
        give(person, roles[HR], valid_from=NOON, valid_until=NOON - datetime.timedelta(hours=1))
    assert not RoleAssignment.objects.exists()


def test_an_inactive_user_gets_no_role(roles, person):
    person.is_active = False
    person.save()
    with pytest.raises(ValidationError, match="inactive"):
        give(person, roles[HR])


def test_nobody_assigns_a_role_to_themselves(roles, make_user):
    hr = make_user("hr")
    with pytest.raises(ValidationError, match="yourself"):
        give(hr, roles[MANAGER], actor=hr)


@pytest.mark.parametrize("role", [ADMINISTRATOR, SECURITY_OFFICER])
def test_hr_cannot_hand_out_a_role_it_does_not_hold_at_or_above_its_rank(
    roles, make_user, person, role
):
    hr = make_user("hr")
    with pytest.raises(ValidationError, match="do not hold it or a role above it"):
        give(person, roles[role], actor=fresh(hr))
    assert not PermissionLog.objects.filter(user=person).exists()


@pytest.mark.parametrize("role", [HR, MANAGER, AUDITOR])
def test_hr_hands_out_its_own_role_and_those_below(roles, make_user, person, role):
    hr = make_user("hr")
    assignment = give(person, roles[role], actor=fresh(hr))
    assert assignment.assigned_by == hr
    entry = PermissionLog.objects.get(user=person)
    assert (entry.action, entry.actor, entry.role) == ("granted", hr, roles[role])


def test_a_user_without_the_assign_permission_is_refused(roles, make_user, person):
    auditor = make_user("auditor")
    with pytest.raises(ValidationError, match="may not assign roles"):
        give(person, roles[AUDITOR], actor=fresh(auditor))


def test_the_reason_is_required_and_an_inactive_department_refused(roles, person, root_department):
    with pytest.raises(ValidationError, match="reason"):
        give(person, roles[MANAGER], reason="  ")
    closed = department_create(actor=None, name="Closed", code="CLO", parent=root_department)
    closed.is_active = False
    closed.save()
    with pytest.raises(ValidationError, match="inactive"):
        give(person, roles[MANAGER], department=closed)


def test_an_overlapping_duplicate_is_refused(roles, person):
    give(person, roles[AUDITOR])
    with pytest.raises(ValidationError, match="already holds"):
        give(person, roles[AUDITOR], valid_from=timezone.now() + datetime.timedelta(days=3))


# --- Validity window ---------------------------------------------------------------


def test_rights_follow_the_window_without_the_tidy_task(roles, person):
    with time_machine.travel(NOON, tick=False):
        give(
            person,
            roles[AUDITOR],
            valid_from=NOON + datetime.timedelta(hours=1),
            valid_until=NOON + datetime.timedelta(hours=2),
        )
        assert not fresh(person).has_perm("org.view_employee")  # not yet valid
    with time_machine.travel(NOON + datetime.timedelta(hours=1), tick=False):
        assert fresh(person).has_perm("org.view_employee")
        assignments_tidy()  # the membership mirror catches up
    just_before = NOON + datetime.timedelta(hours=2) - datetime.timedelta(microseconds=1)
    with time_machine.travel(just_before, tick=False):
        assert fresh(person).has_perm("org.view_employee")
    with time_machine.travel(NOON + datetime.timedelta(hours=2), tick=False):
        # Expired at this instant: nothing, though the group membership still lingers.
        assert person.groups.filter(name=AUDITOR).exists()
        assert not fresh(person).has_perm("org.view_employee")


def test_the_tidy_task_logs_the_expiry_once_and_drops_the_membership(roles, person):
    with time_machine.travel(NOON, tick=False):
        give(person, roles[AUDITOR], valid_until=NOON + datetime.timedelta(hours=2))
        assert person.groups.filter(name=AUDITOR).exists()
    with time_machine.travel(NOON + datetime.timedelta(hours=3), tick=False):
        assert tidy_assignments.delay().get() == {"expired": 1, "memberships_changed": 1}
        assert assignments_tidy() == {"expired": 0, "memberships_changed": 0}
        assert not fresh(person).has_perm("org.view_employee")
    assert not person.groups.exists()
    expiry = PermissionLog.objects.get(action="expired")
    assert expiry.at == NOON + datetime.timedelta(hours=2)
    assert expiry.user == person


def test_the_tidy_task_adds_the_membership_when_a_future_assignment_starts(roles, person):
    with time_machine.travel(NOON, tick=False):
        give(person, roles[AUDITOR], valid_from=NOON + datetime.timedelta(days=1))
        assert not person.groups.exists()
    with time_machine.travel(NOON + datetime.timedelta(days=1, minutes=5), tick=False):
        assignments_tidy()
    assert list(person.groups.values_list("name", flat=True)) == [AUDITOR]


def test_revoking_ends_the_rights_at_once_and_is_logged(roles, make_user, person):
    hr = make_user("hr")
    assignment = give(person, roles[AUDITOR])
    assert fresh(person).has_perm("org.view_employee")
    assignment_revoke(assignment=assignment, actor=fresh(hr), reason="left the audit team")
    assert not fresh(person).has_perm("org.view_employee")
    assert not person.groups.exists()
    revoked = PermissionLog.objects.get(action="revoked")
    assert (revoked.actor, revoked.detail) == (hr, "left the audit team")
    with pytest.raises(ValidationError, match="already ended"):
        assignment_revoke(assignment=assignment, actor=fresh(hr), reason="again")


def test_group_membership_alone_gives_nothing(roles, person):
    person.groups.add(roles[HR])
    assert not fresh(person).has_perm("org.view_employee")


# --- Scope -------------------------------------------------------------------------


@pytest.fixture
def divisions(root_department):
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    web = department_create(actor=None, name="Web", code="WEB", parent=eng)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    inside = employee_create(actor=None, username="inside", department=web)
    outside = employee_create(actor=None, username="outside", department=fin)
    return {"eng": eng, "web": web, "fin": fin, "inside": inside, "outside": outside}


def test_a_scoped_manager_reaches_the_subtree_and_nothing_else(roles, person, divisions):
    give(person, roles[MANAGER], department=divisions["eng"])
    user = fresh(person)
    assert user.has_perm("org.view_employee")  # enough to open the list
    assert user.has_perm("org.change_employee", divisions["inside"])
    assert not user.has_perm("org.change_employee", divisions["outside"])
    assert user.has_perm("org.view_department", divisions["web"])
    assert not user.has_perm("org.view_department", divisions["fin"])
    visible = scope.restrict(user, "org.view_employee", type(person).objects.all())
    assert set(visible.values_list("username", flat=True)) == {"inside"}


def test_the_refused_object_access_is_logged_once_per_window(
    roles, person, divisions, django_capture_on_commit_callbacks
):
    from apps.access.services import denial_record

    give(person, roles[MANAGER], department=divisions["eng"])
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            denial_record(user=person, perm="org.change_employee", obj=divisions["outside"])
    denied = PermissionLog.objects.filter(action="denied")
    assert denied.count() == 1
    assert denied.get().permission == "org.change_employee"


def test_the_denial_log_is_capped_per_user_per_minute(
    roles, person, root_department, django_capture_on_commit_callbacks
):
    from apps.access.services import DENIAL_BURST, denial_record

    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    give(person, roles[MANAGER], department=eng)
    others = [
        department_create(
            actor=None,
            name=f"Other {i}",
            code=f"OT{chr(65 + i // 26)}{chr(65 + i % 26)}",
            parent=root_department,
        )
        for i in range(DENIAL_BURST + 5)
    ]
    for other in others:
        with django_capture_on_commit_callbacks(execute=True):
            denial_record(user=person, perm="org.change_department", obj=other)
    assert PermissionLog.objects.filter(action="denied").count() == DENIAL_BURST


def test_a_department_moved_into_the_scope_is_in_scope_at_once(roles, person, divisions):
    give(person, roles[MANAGER], department=divisions["eng"])
    assert not fresh(person).has_perm("org.view_employee", divisions["outside"])
    from apps.org.services import department_move

    department_move(department=divisions["fin"], parent=divisions["web"], actor=None)
    outside = type(person).objects.get(username="outside")
    assert fresh(person).has_perm("org.view_employee", outside)


def test_a_manager_cannot_move_people_out_of_scope(roles, person, divisions):
    give(person, roles[MANAGER], department=divisions["eng"])
    with pytest.raises(ValidationError, match="outside the ones you may change"):
        employee_update(
            employee=divisions["inside"], actor=fresh(person), department=divisions["fin"]
        )
    with pytest.raises(ValidationError, match="outside the ones you may change"):
        employee_update(
            employee=divisions["outside"], actor=fresh(person), department=divisions["web"]
        )
    moved = employee_update(
        employee=divisions["inside"], actor=fresh(person), department=divisions["eng"]
    )
    assert moved.department == divisions["eng"]


def test_a_manager_cannot_move_a_department_out_of_scope(roles, person, divisions):
    from apps.org.services import department_move

    give(person, roles[MANAGER], department=divisions["eng"])
    with pytest.raises(ValidationError, match="outside the ones you may change"):
        department_move(department=divisions["web"], parent=divisions["fin"], actor=fresh(person))
    with pytest.raises(ValidationError, match="outside the ones you may change"):
        department_move(department=divisions["fin"], parent=divisions["web"], actor=fresh(person))


def test_an_object_grant_on_a_department_reaches_its_subtree(person, divisions):
    from guardian.shortcuts import assign_perm

    assign_perm("org.view_department", person, divisions["eng"])
    user = fresh(person)
    assert user.has_perm("org.view_department", divisions["web"])
    assert not user.has_perm("org.view_department", divisions["fin"])
    visible = scope.restrict(user, "org.view_department", type(divisions["eng"]).objects.all())
    assert set(visible.values_list("code", flat=True)) == {"ENG", "WEB"}


def test_the_snapshot_is_one_query(roles, person, divisions, django_assert_num_queries):
    give(person, roles[MANAGER], department=divisions["eng"])
    give(person, roles[AUDITOR])
    user = fresh(person)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(divisions["eng"])  # warm the content-type cache
    with django_assert_num_queries(1):
        user.has_perm("org.change_employee")
        user.has_perm("org.view_department")
        scope.restrict(user, "org.view_employee", type(person).objects.all())
