"""Rank: whose account a person may take charge of (apps.access.ranks)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from apps.access.ranks import may_manage_account, person_rank
from apps.access.roles import ADMINISTRATOR, HR
from apps.access.services import assignment_create, assignment_revoke
from apps.org.models import ACCOUNT_PERM
from apps.org.services import employee_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user, root_department):
    """One person per role, a second HR person, a second manager and someone with no role."""
    people = {p: make_user(p) for p in ("admin", "hr", "manager", "security", "auditor", "staff")}
    people["hr2"] = make_user("hr", username="hr2")
    people["manager2"] = make_user("manager", username="manager2")
    people["nobody"] = employee_create(actor=None, username="nobody", department=root_department)
    return people


# (actor, target, allowed): strictly higher rank, superusers over everyone.
MATRIX = [
    ("admin", "hr", True),
    ("admin", "security", True),
    ("hr", "manager", True),
    ("hr", "auditor", True),
    ("hr", "staff", True),
    ("hr", "nobody", True),
    ("hr", "admin", False),
    ("hr", "hr2", False),
    ("hr", "security", False),
    ("security", "hr", False),
    ("security", "manager", True),
    ("manager", "staff", True),
    ("manager", "nobody", True),
    ("manager", "manager2", False),
    ("manager", "auditor", False),
    ("manager", "security", False),
    ("manager", "hr", False),
    ("auditor", "staff", True),
    ("staff", "nobody", True),
    ("staff", "staff", True),  # oneself: one's own pages ask for the password
    ("nobody", "staff", False),
]


@pytest.mark.parametrize(("actor", "target", "allowed"), MATRIX)
def test_only_a_higher_rank_manages_an_account(people, actor, target, allowed):
    assert may_manage_account(people[actor], people[target]) is allowed
    # The auth backend answers the same, which is how org's services ask.
    assert people[actor].has_perm(ACCOUNT_PERM, people[target]) is allowed


def test_only_a_superuser_manages_a_superuser(people, roles):
    # An administrator by role who is not a superuser ranks below a superuser.
    boss = employee_create(actor=None, username="boss", department=people["hr"].department)
    assignment_create(actor=None, user=boss, role=roles[ADMINISTRATOR], reason="test")
    assert not may_manage_account(boss, people["admin"])
    other = employee_create(
        actor=None, username="root2", department=boss.department, is_superuser=True
    )
    assert may_manage_account(other, people["admin"])


def test_a_role_that_has_not_started_yet_already_protects(people, roles):
    assignment_create(
        actor=None,
        user=people["staff"],
        role=roles[HR],
        valid_from=timezone.now() + datetime.timedelta(days=3),
        reason="joins HR next week",
    )
    assert person_rank(people["staff"]) == person_rank(people["hr"])
    assert not may_manage_account(people["hr"], people["staff"])


def test_a_revoked_role_no_longer_protects(people, roles):
    assignment = people["hr2"].role_assignments.get()
    assignment_revoke(actor=None, assignment=assignment, reason="left HR")
    assert may_manage_account(people["hr"], people["hr2"])


def test_an_expired_role_no_longer_protects(people, roles):
    assignment_create(
        actor=None,
        user=people["nobody"],
        role=roles[HR],
        valid_until=timezone.now() + datetime.timedelta(days=1),
        reason="stands in for a week",
    )
    assert not may_manage_account(people["hr"], people["nobody"])
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert person_rank(people["nobody"]) == 0
        assert may_manage_account(people["hr"], people["nobody"])
