"""The Tasks page's live feed: a snapshot to ``tasks`` after a job's state changes,
throttled at the publisher; the topic is for the page's readers only."""

import pytest

from apps.core import live
from apps.jobs import dashboard_push
from apps.jobs.dashboard_push import Throttle
from apps.jobs.services import job_create


class Later:
    """The deferred calls a throttle asked for, run by the test."""

    def __init__(self):
        self.calls = []

    def __call__(self, delay, fn):
        self.calls.append((delay, fn))

    def run(self):
        calls, self.calls = self.calls, []
        for _delay, fn in calls:
            fn()


def test_the_first_change_is_sent_at_once_and_a_burst_becomes_one_trailing_send(clock):
    sent, later = [], Later()
    throttle = Throttle(lambda: sent.append(clock.now), interval=0.5, clock=clock, later=later)
    throttle()
    assert sent == [1000.0]
    for _ in range(100):
        clock.now += 0.001
        throttle()
    assert len(sent) == 1
    assert len(later.calls) == 1
    # Deferred at the first change inside the interval, to the interval's end.
    assert later.calls[0][0] == pytest.approx(0.499)
    clock.now += 0.4
    later.run()
    assert len(sent) == 2  # the burst's last state arrives
    clock.now += 0.6
    throttle()
    assert len(sent) == 3
    assert not later.calls


def test_sends_stay_under_about_two_a_second(clock):
    sent, later = [], Later()
    throttle = Throttle(lambda: sent.append(clock.now), interval=0.5, clock=clock, later=later)
    for _ in range(1000):  # one change a millisecond for a second
        clock.now += 0.001
        throttle()
        if later.calls and clock.now - throttle.last >= 0.5:
            later.run()
    assert len(sent) <= 3


@pytest.mark.django_db
def test_a_job_state_change_publishes_a_snapshot_after_commit(
    make_user, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.JOBS_RUNNER = "inline"
    user = make_user("admin")
    published = []
    monkeypatch.setattr(live, "publish", lambda topic, event: published.append((topic, event)))
    monkeypatch.setattr(dashboard_push, "_throttle", dashboard_push._send_snapshot)
    with django_capture_on_commit_callbacks(execute=True):
        job_create(kind_name="test.count", user=user, params={"n": 2})
    snapshots = [event for topic, event in published if topic == "tasks"]
    # queued, running, succeeded
    assert len(snapshots) == 3
    assert snapshots[-1]["running"] == 0
    assert snapshots[-1]["queued"] == 0
    count = next(row for row in snapshots[-1]["kinds"] if row["kind"] == "test.count")
    assert count["succeeded"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "joins"),
    [("admin", True), ("security", True), ("hr", False), ("staff", False), ("auditor", False)],
)
def test_only_the_pages_readers_may_join_the_topic(make_user, persona, joins):
    assert live.may_join(make_user(persona), "tasks") is joins
    assert live.may_join(make_user(persona, username="x"), "tasks:abc") is False
