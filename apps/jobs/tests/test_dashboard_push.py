"""The Tasks page's live feed: a snapshot to ``tasks`` after a job's state changes,
throttled at the publisher; the topic is for the page's readers only."""

import pytest

from apps.core import live
from apps.jobs import dashboard_push
from apps.jobs.services import job_create


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
