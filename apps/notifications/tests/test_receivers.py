"""Each trigger tells the right people, once its change is committed."""

import datetime
import types
import uuid

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from apps.access.services import assignment_create, assignments_tidy
from apps.core import signals as core_signals
from apps.notifications.models import Kind, Notification
from apps.notifications.services import role_expiry_warnings_send
from apps.org.models import Department
from apps.org.services import employee_create
from apps.org.transfers import transfer_request
from apps.security.events import event_record
from apps.security.models import LoginEvent


def kinds_of(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.fixture
def moved(tree):
    return employee_create(actor=None, username="mover", department=tree["eng"])


@pytest.fixture
def managers(tree, make_user):
    eng_boss = make_user("manager", username="engboss", department=tree["eng"])
    fin_boss = make_user("manager", username="finboss", department=tree["fin"])
    Department.objects.filter(pk=tree["eng"].pk).update(manager=eng_boss)
    Department.objects.filter(pk=tree["fin"].pk).update(manager=fin_boss)
    return eng_boss, fin_boss


def test_a_scheduled_transfer_tells_the_person_and_both_managers(
    tree, moved, managers, hr, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        transfer_request(
            employee=moved,
            to_department=tree["fin"],
            effective_date=timezone.localdate() + datetime.timedelta(days=10),
            reason="Reorganisation",
            actor=hr,
        )
    assert kinds_of(moved) == [Kind.TRANSFER_SCHEDULED]
    for boss in managers:
        (row,) = Notification.objects.filter(recipient=boss)
        assert row.kind == Kind.TRANSFER_SCHEDULED
        assert "/admin/org/transfer/" in row.url


def test_an_applied_transfer_tells_them_and_nobody_else(
    tree, moved, managers, hr, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        transfer_request(
            employee=moved,
            to_department=tree["fin"],
            effective_date=timezone.localdate(),
            reason="Now",
            actor=hr,
        )
    assert kinds_of(moved) == [Kind.TRANSFER_APPLIED]
    assert all(kinds_of(boss) == [Kind.TRANSFER_APPLIED] for boss in managers)
    assert kinds_of(hr) == []


def test_a_role_given_tells_its_holder(
    make_user, roles, root_department, django_capture_on_commit_callbacks
):
    person = employee_create(actor=None, username="newbie", department=root_department)
    with django_capture_on_commit_callbacks(execute=True):
        assignment_create(actor=None, user=person, role=roles["Auditor"], reason="audit season")
    (row,) = Notification.objects.filter(recipient=person)
    assert row.kind == Kind.ROLE_ASSIGNED
    from django.utils import translation

    from apps.core.texts import text_shown

    assert text_shown(row.text) == "You were given the role Auditor (organisation-wide)."
    with translation.override("zh-hans"):
        assert "组织范围" in text_shown(row.text) or "审计" in text_shown(row.text)


def test_an_ending_role_warns_once_and_an_ended_one_tells_again(
    roles, root_department, django_capture_on_commit_callbacks
):
    person = employee_create(actor=None, username="temp", department=root_department)
    now = timezone.now()
    assignment_create(
        actor=None,
        user=person,
        role=roles["Auditor"],
        valid_until=now + datetime.timedelta(days=10),
        reason="a while",
    )
    assert role_expiry_warnings_send(at=now) == 0  # ten days away: not yet
    later = now + datetime.timedelta(days=4)
    assert role_expiry_warnings_send(at=later) == 1
    assert role_expiry_warnings_send(at=later + datetime.timedelta(days=1)) == 0  # once
    with (
        time_machine.travel(now + datetime.timedelta(days=11)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assignments_tidy()
    assert sorted(kinds_of(person)) == sorted([Kind.ROLE_EXPIRING, Kind.ROLE_EXPIRED])


def test_a_finished_job_tells_whoever_started_it(
    root_department, django_capture_on_commit_callbacks
):
    person = employee_create(actor=None, username="runner", department=root_department)
    job = types.SimpleNamespace(pk=uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        for state in ("succeeded", "cancelled"):
            core_signals.job_finished.send(
                sender=object,
                job=job,
                state=state,
                requested_by=person,
                label="Export",
                url="/jobs/1/",
            )
    (row,) = Notification.objects.filter(recipient=person)
    assert (row.kind, row.url) == (Kind.JOB_SUCCEEDED, "/jobs/1/")


def test_a_failed_job_tells_them_too_and_a_system_job_nobody(
    root_department, django_capture_on_commit_callbacks
):
    person = employee_create(actor=None, username="runner", department=root_department)
    with django_capture_on_commit_callbacks(execute=True):
        core_signals.job_finished.send(
            sender=object,
            job=types.SimpleNamespace(pk=1),
            state="failed",
            requested_by=person,
            label="Import",
            url="",
        )
        core_signals.job_finished.send(
            sender=object,
            job=types.SimpleNamespace(pk=2),
            state="failed",
            requested_by=None,
            label="Nightly",
            url="",
        )
    assert kinds_of(person) == [Kind.JOB_FAILED]
    assert Notification.objects.count() == 1


@pytest.fixture
def officer(make_user):
    return make_user("security", username="officer")


def _request():
    return RequestFactory().post("/admin/login/", REMOTE_ADDR="203.0.113.9")


def test_a_high_risk_sign_in_tells_the_security_officers(
    officer, staff_user, settings, django_capture_on_commit_callbacks
):
    settings.LOGIN_RISK_ALERT = 0  # every success is "high risk"
    with django_capture_on_commit_callbacks(execute=True):
        event_record(
            request=_request(),
            outcome=LoginEvent.Outcome.SUCCESS,
            username="staff",
            user=staff_user,
        )
    assert kinds_of(officer) == [Kind.HIGH_RISK_SIGN_IN]
    assert kinds_of(staff_user) == []


def test_lockouts_tell_the_officers_once_per_hour_per_lock(
    officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            event_record(
                request=_request(), outcome=LoginEvent.Outcome.LOCKED_OUT, username="victim"
            )
    (row,) = Notification.objects.filter(recipient=officer)
    assert row.kind == Kind.LOCKOUT


def test_a_broken_chain_tells_the_officers(officer, django_capture_on_commit_callbacks):
    run = types.SimpleNamespace(pk=7)
    with django_capture_on_commit_callbacks(execute=True):
        core_signals.chain_broken.send(sender=object, run=run, summary="entry 12 altered")
    (row,) = Notification.objects.filter(recipient=officer)
    assert row.kind == Kind.CHAIN_BREAK


def test_a_rolled_back_change_tells_nobody(tree, moved, managers, hr):
    # Without a commit (the test's transaction never commits) nothing is written.
    transfer_request(
        employee=moved,
        to_department=tree["fin"],
        effective_date=timezone.localdate(),
        reason="Now",
        actor=hr,
    )
    assert not Notification.objects.exists()
