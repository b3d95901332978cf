import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.core.texts import text_shown
from apps.org.models import Transfer
from apps.org.services import employee_create
from apps.org.tasks import apply_due_transfers
from apps.org.transfers import transfer_request

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 10)
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def scheduled(tree, make_user):
    alice = employee_create(actor=None, username="alice", department=tree["web"])
    with time_machine.travel(datetime.datetime(2025, 3, 10, 9, 0, tzinfo=datetime.UTC)):
        return transfer_request(
            employee=alice,
            to_department=tree["fin"],
            effective_date=TOMORROW,
            reason="Team change",
            actor=make_user("hr"),
        )


def _status(transfer):
    return Transfer.objects.get(pk=transfer.pk).status


def test_the_task_applies_what_is_due_today_as_the_system_account(scheduled):
    with time_machine.travel(datetime.datetime(2025, 3, 11, 0, 5, tzinfo=datetime.UTC)):
        assert apply_due_transfers.delay().get() == 1
    assert _status(scheduled) == Transfer.Status.APPLIED
    moved = scheduled.employee.history.get(history_change_reason__contains="Team change")
    assert text_shown(moved.history_change_reason) == "Transfer: Team change"
    assert moved.history_user.is_system


def test_the_task_applies_nothing_before_the_date(scheduled):
    with time_machine.travel(datetime.datetime(2025, 3, 10, 23, 0, tzinfo=datetime.UTC)):
        assert apply_due_transfers.delay().get() == 0
    assert _status(scheduled) == Transfer.Status.SCHEDULED


def test_the_task_runs_daily_from_celery_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["apply-due-transfers"]
    assert entry["task"] == apply_due_transfers.name
    assert entry["schedule"].hour == {0}
    assert entry["schedule"].minute == {5}


def test_the_command_applies_transfers_due_by_the_given_date(scheduled, capsys):
    call_command("apply_due_transfers", "--date", str(TOMORROW))
    assert "Applied 1 transfer(s)" in capsys.readouterr().out
    assert _status(scheduled) == Transfer.Status.APPLIED


def test_the_command_is_safe_to_run_twice(scheduled, capsys):
    call_command("apply_due_transfers", date=TOMORROW)
    call_command("apply_due_transfers", date=TOMORROW)
    assert "Applied 0 transfer(s)" in capsys.readouterr().out.splitlines()[-1]


def test_the_command_defaults_to_today(scheduled, capsys):
    with time_machine.travel(datetime.datetime(2025, 3, 10, 12, 0, tzinfo=datetime.UTC)):
        call_command("apply_due_transfers")
    assert "Applied 0 transfer(s) due by 2025-03-10" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["tomorrow", "2025-13-01", "11/03/2025", ""])
def test_the_command_refuses_a_malformed_date(scheduled, value):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("apply_due_transfers", "--date", value)
    assert _status(scheduled) == Transfer.Status.SCHEDULED
