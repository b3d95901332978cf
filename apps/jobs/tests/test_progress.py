"""The progress reporter: writes and cancel checks paced by the clock, whatever the loop rate."""

import uuid

import pytest

from apps.core.jobs import JobCancelled
from apps.jobs.progress import Reporter, eta_seconds


def _reporter(clock, cancelled=lambda job_id: False):
    written = []
    reporter = Reporter(
        uuid.uuid4(),
        write=lambda r: written.append((r.done, r.total, r.message)),
        is_cancelled=cancelled,
        clock=clock,
    )
    return reporter, written


def test_a_tight_loop_writes_once_until_the_clock_moves(clock):
    reporter, written = _reporter(clock)
    for done in range(100_000):
        reporter.step(done, 100_000)
    assert written == [(0, 100_000, "")]


def test_it_writes_at_most_four_times_a_second(clock):
    reporter, written = _reporter(clock)
    for done in range(1000):
        reporter.step(done, 1000)
        clock.now += 0.01  # 100 steps a second, for ten seconds
    assert 39 <= len(written) <= 41
    assert written[-1][0] > 950


def test_it_checks_the_cancel_flag_at_most_twice_a_second(clock):
    asked = []
    reporter, _written = _reporter(clock, cancelled=lambda job_id: asked.append(job_id) or False)
    for done in range(1000):
        reporter.step(done)
        clock.now += 0.01
    assert 19 <= len(asked) <= 21


def test_step_raises_when_the_job_was_cancelled(clock):
    reporter, _written = _reporter(clock, cancelled=lambda job_id: True)
    reporter.step(1, 10)  # the first check waits half a second
    clock.now += 0.6
    with pytest.raises(JobCancelled):
        reporter.step(2, 10)
    assert reporter.cancelled()


def test_total_and_message_are_kept_until_changed(clock):
    reporter, written = _reporter(clock)
    reporter.step(0, 10, "reading")
    clock.now += 1
    reporter.step(5)
    assert written == [(0, 10, "reading"), (5, 10, "reading")]


def test_the_result_file_name_is_made_safe(clock):
    reporter, _written = _reporter(clock)
    reporter.result_file('../../etc/"passwd".csv', b"x", "text/csv")
    assert reporter.file_name == "....etcpasswd.csv"
    assert "/" not in reporter.file_name
    assert '"' not in reporter.file_name


def test_the_eta_follows_the_rate_so_far():
    import datetime

    start = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)
    now = start + datetime.timedelta(seconds=10)
    assert eta_seconds(started=start, done=25, total=100, now=now) == 30
    assert eta_seconds(started=start, done=0, total=100, now=now) is None
    assert eta_seconds(started=start, done=5, total=None, now=now) is None
    assert eta_seconds(started=None, done=5, total=10, now=now) is None
