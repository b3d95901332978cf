"""One rule for reasons kept in logs and history: trimmed, required, storable, never cut."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.access.models import PermissionLog
from apps.access.services import assignment_revoke
from apps.core.validators import REASON_MAX, reason_clean
from apps.org.services import department_create, employee_create
from apps.org.transfers import transfer_request
from apps.security import otp, sessions
from apps.security.models import SecurityAction

pytestmark = pytest.mark.django_db

MISSING = "Give one."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  moved to the new team \n", "moved to the new team"),
        ("理由", "理由"),
        ("x" * 500, "x" * 500),
    ],
)
def test_a_reason_is_trimmed_and_kept_whole(raw, expected):
    assert reason_clean(raw, missing=MISSING) == expected


@pytest.mark.parametrize("raw", [None, "", "   \n\t", 42])
def test_a_missing_reason_gets_the_callers_message(raw):
    with pytest.raises(ValidationError) as exc:
        reason_clean(raw, missing=MISSING)
    assert exc.value.messages == [MISSING]


def test_a_long_reason_is_refused_with_its_length_never_cut():
    with pytest.raises(ValidationError, match=r"at most 500 characters \(it has 501\)"):
        reason_clean("x" * (REASON_MAX + 1), missing=MISSING)


@pytest.mark.parametrize("raw", ["a\x00b", "a\ud800b"])
def test_an_unstorable_reason_is_refused(raw):
    with pytest.raises(ValidationError, match="not allowed"):
        reason_clean(raw, missing=MISSING)


def test_an_officer_s_long_reason_is_refused_not_truncated(make_user):
    officer, manager = make_user("security"), make_user("manager", username="m1")
    with pytest.raises(ValidationError, match="at most 500"):
        otp.devices_reset(actor=officer, user=manager, reason="x" * 600)
    with pytest.raises(ValidationError, match="at most 500"):
        sessions.sessions_end_for(actor=officer, user=manager, reason="x" * 600)
    assert not SecurityAction.objects.exists()


def test_a_revocation_s_long_reason_is_refused_and_nothing_changes(make_user, roles):
    person = make_user("staff")
    assignment = person.role_assignments.get()
    before = PermissionLog.objects.count()
    with pytest.raises(ValidationError, match="at most 500"):
        assignment_revoke(assignment=assignment, actor=None, reason="y" * 501)
    assignment.refresh_from_db()
    assert assignment.valid_until is None
    assert PermissionLog.objects.count() == before
    revoked = assignment_revoke(assignment=assignment, actor=None, reason="  left  ")
    assert PermissionLog.objects.latest("at").detail == "left"
    assert revoked.valid_until <= timezone.now()


def test_a_transfer_reason_follows_the_same_rule(root_department, hr_user):
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    person = employee_create(actor=None, username="pat", department=root_department)
    with pytest.raises(ValidationError, match="Give a reason for the transfer"):
        transfer_request(
            employee=person,
            actor=hr_user,
            to_department=fin,
            effective_date=timezone.localdate() + datetime.timedelta(days=1),
            reason="   ",
        )
