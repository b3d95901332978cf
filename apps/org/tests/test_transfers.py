import datetime
import logging

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.core.texts import text_shown
from apps.org.models import Employee, Transfer
from apps.org.services import (
    department_deactivate,
    department_update,
    employee_create,
    employee_deactivate,
    employee_update,
)
from apps.org.transfers import (
    transfer_apply,
    transfer_cancel,
    transfer_request,
    transfers_apply_due,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 10)
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2025, 3, 10, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def alice(tree):
    return employee_create(
        actor=None,
        username="alice",
        first_name="Alice",
        last_name="Archer",
        email="alice@example.com",
        department=tree["web"],
    )


def _request(employee, department, hr, *, when=TOMORROW, reason="Team change"):
    return transfer_request(
        employee=employee, to_department=department, effective_date=when, reason=reason, actor=hr
    )


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- requests --------------------------------------------------------------------


def test_a_future_transfer_stays_scheduled(alice, tree, hr):
    transfer = _request(alice, tree["fin"], hr)
    assert transfer.status == Transfer.Status.SCHEDULED
    assert transfer.from_department == tree["web"]
    assert transfer.requested_by == hr
    assert _fresh(alice).department == tree["web"]


@pytest.mark.parametrize("when", [TODAY, TODAY - datetime.timedelta(days=30)])
def test_a_transfer_dated_today_or_earlier_applies_at_once(alice, tree, hr, when):
    transfer = _request(alice, tree["fin"], hr, when=when)
    assert transfer.status == Transfer.Status.APPLIED
    assert transfer.applied_at is not None
    assert _fresh(alice).department == tree["fin"]


def test_refuses_an_inactive_target_department(alice, tree, hr):
    department_deactivate(department=tree["mob"], actor=None)
    with pytest.raises(ValidationError, match="Mobile.*inactive"):
        _request(alice, _fresh(tree["mob"]), hr)
    assert not Transfer.objects.exists()


def test_refuses_the_employees_current_department(alice, tree, hr):
    with pytest.raises(ValidationError, match="already in Web"):
        _request(alice, tree["web"], hr)


def test_refuses_an_inactive_employee(alice, tree, hr):
    employee_deactivate(employee=alice, actor=None)
    with pytest.raises(ValidationError, match="Alice Archer is inactive"):
        _request(alice, tree["fin"], hr)


def test_refuses_a_second_scheduled_transfer_for_the_same_employee(alice, tree, hr):
    _request(alice, tree["fin"], hr)
    with pytest.raises(ValidationError, match="already has a scheduled transfer"):
        _request(alice, tree["eng"], hr)
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_refuses_an_empty_reason(alice, tree, hr, reason):
    with pytest.raises(ValidationError, match="reason"):
        _request(alice, tree["fin"], hr, reason=reason)


def test_refuses_a_reason_over_2000_characters(alice, tree, hr):
    with pytest.raises(ValidationError, match="at most 2000 characters"):
        _request(alice, tree["fin"], hr, reason="x" * 2001)
    assert not Transfer.objects.exists()


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (TODAY + datetime.timedelta(days=2 * 365 + 1), "more than two years ahead"),
        (TODAY - datetime.timedelta(days=366), "more than a year in the past"),
    ],
)
def test_refuses_dates_too_far_ahead_or_back(alice, tree, hr, when, message):
    with pytest.raises(ValidationError, match=message):
        _request(alice, tree["fin"], hr, when=when)


def test_accepts_the_limits_of_the_date_window(alice, tree, hr):
    transfer = _request(alice, tree["fin"], hr, when=TODAY + datetime.timedelta(days=2 * 365))
    assert transfer.status == Transfer.Status.SCHEDULED


def test_the_database_refuses_a_second_scheduled_transfer_inserted_directly(alice, tree, hr):
    _request(alice, tree["fin"], hr)
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            employee=alice,
            from_department=tree["web"],
            to_department=tree["eng"],
            effective_date=TOMORROW,
            reason="Race",
            requested_by=hr,
        )


def test_the_constraint_allows_new_requests_after_apply_or_cancel(alice, tree, hr):
    transfer_cancel(transfer=_request(alice, tree["fin"], hr), actor=hr)
    _request(alice, tree["fin"], hr, when=TODAY)
    assert _request(alice, tree["eng"], hr).status == Transfer.Status.SCHEDULED


# --- applying --------------------------------------------------------------------


def test_apply_writes_employee_history_with_the_reason(alice, tree, hr):
    _request(alice, tree["fin"], hr, when=TODAY, reason="Budget reorg")
    latest, before = _fresh(alice).history.all()[:2]
    assert latest.department_id == tree["fin"].pk
    assert text_shown(latest.history_change_reason) == "Transfer: Budget reorg"
    assert latest.history_user == hr
    assert before.department_id == tree["web"].pk


def test_apply_mails_both_managers_on_commit(
    alice, tree, hr, make_user, django_capture_on_commit_callbacks
):
    boss_web = make_user("manager", username="boss.web", department=tree["web"])
    boss_fin = make_user("manager", username="boss.fin", department=tree["fin"])
    for boss in (boss_web, boss_fin):
        employee_update(employee=boss, actor=None, email=f"{boss.username}@example.com")
    department_update(department=tree["web"], actor=None, manager=boss_web)
    department_update(department=tree["fin"], actor=None, manager=boss_fin)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _request(alice, tree["fin"], hr, when=TODAY)
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["boss.fin@example.com", "boss.web@example.com"]
    assert "Alice Archer" in message.subject
    assert "Web (WEB)" in message.body
    assert "Finance (FIN)" in message.body
    assert "Team change" in message.body


def test_apply_skips_departments_without_a_manager_or_email(
    alice, tree, hr, make_user, django_capture_on_commit_callbacks
):
    boss_fin = make_user("manager", username="boss.fin", department=tree["fin"])
    department_update(department=tree["fin"], actor=None, manager=boss_fin)  # no email
    with django_capture_on_commit_callbacks(execute=True):
        _request(alice, tree["fin"], hr, when=TODAY)
    assert mail.outbox == []


def test_apply_refuses_and_keeps_it_scheduled_when_the_target_became_inactive(alice, tree, hr):
    transfer = _request(alice, tree["mob"], hr)
    department_deactivate(department=tree["mob"], actor=None)
    with pytest.raises(ValidationError, match="inactive"):
        transfer_apply(transfer=transfer, actor=hr)
    assert _fresh(transfer).status == Transfer.Status.SCHEDULED
    assert _fresh(alice).department == tree["web"]


def test_apply_refuses_when_the_employee_moved_in_the_meantime(alice, tree, hr):
    transfer = _request(alice, tree["fin"], hr)
    employee_update(employee=alice, actor=None, department=tree["eng"])
    with pytest.raises(ValidationError, match="no longer in the department"):
        transfer_apply(transfer=transfer, actor=hr)
    assert _fresh(transfer).status == Transfer.Status.SCHEDULED


def test_apply_refuses_an_employee_deactivated_in_the_meantime(alice, tree, hr):
    transfer = _request(alice, tree["fin"], hr)
    employee_deactivate(employee=alice, actor=None)
    with pytest.raises(ValidationError, match="inactive"):
        transfer_apply(transfer=transfer, actor=hr)


def test_apply_refuses_a_transfer_that_is_not_scheduled(alice, tree, hr):
    transfer = _request(alice, tree["fin"], hr, when=TODAY)
    with pytest.raises(ValidationError, match="Only scheduled"):
        transfer_apply(transfer=transfer, actor=hr)


# --- cancelling ------------------------------------------------------------------


def test_cancel_marks_a_scheduled_transfer_cancelled(alice, tree, hr):
    transfer = transfer_cancel(transfer=_request(alice, tree["fin"], hr), actor=hr)
    assert transfer.status == Transfer.Status.CANCELLED
    assert transfer.cancelled_by == hr
    assert transfer.cancelled_at is not None
    assert _fresh(alice).department == tree["web"]


@pytest.mark.parametrize("first", ["apply", "cancel"])
def test_cancel_refuses_applied_or_cancelled_transfers(alice, tree, hr, first):
    transfer = _request(alice, tree["fin"], hr, when=TODAY if first == "apply" else TOMORROW)
    if first == "cancel":
        transfer_cancel(transfer=transfer, actor=hr)
    with pytest.raises(ValidationError, match="Only scheduled transfers can be cancelled"):
        transfer_cancel(transfer=transfer, actor=hr)


# --- the daily run ---------------------------------------------------------------


def test_apply_due_applies_only_what_is_due(alice, tree, hr):
    bob = employee_create(actor=None, username="bob", department=tree["web"])
    _request(alice, tree["fin"], hr, when=TOMORROW)
    later = _request(bob, tree["fin"], hr, when=TOMORROW + datetime.timedelta(days=7))
    with time_machine.travel(datetime.datetime(2025, 3, 11, 0, 5, tzinfo=datetime.UTC)):
        assert transfers_apply_due(today=TOMORROW, actor=hr) == 1
    assert _fresh(alice).department == tree["fin"]
    assert _fresh(later).status == Transfer.Status.SCHEDULED
    assert _fresh(bob).department == tree["web"]


def test_apply_due_is_safe_to_run_twice(alice, tree, hr):
    transfer = _request(alice, tree["fin"], hr)
    assert transfers_apply_due(today=TOMORROW, actor=hr) == 1
    assert transfers_apply_due(today=TOMORROW, actor=hr) == 0
    assert _fresh(transfer).status == Transfer.Status.APPLIED
    reasons = _fresh(alice).history.values_list("history_change_reason", flat=True)
    assert [text_shown(r).startswith("Transfer: ") for r in reasons].count(True) == 1


def test_apply_due_skips_and_logs_a_refused_transfer(alice, tree, hr, caplog):
    bob = employee_create(actor=None, username="bob", department=tree["web"])
    refused = _request(alice, tree["mob"], hr)
    _request(bob, tree["fin"], hr)
    department_deactivate(department=tree["mob"], actor=None)
    with caplog.at_level(logging.WARNING, logger="apps.org.transfers"):
        assert transfers_apply_due(today=TOMORROW, actor=hr) == 1
    assert str(refused.pk) in caplog.text
    assert _fresh(refused).status == Transfer.Status.SCHEDULED
    assert _fresh(bob).department == tree["fin"]


def test_apply_due_counts_nothing_before_the_date(alice, tree, hr):
    _request(alice, tree["fin"], hr)
    assert transfers_apply_due(today=TODAY, actor=hr) == 0
    assert Employee.objects.get(pk=alice.pk).department == tree["web"]
