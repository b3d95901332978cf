"""core.live: events leave after commit only, topics are checked, joins ask their kind."""

import pytest
from django.db import transaction

from apps.core import live
from tests.clock import Clock


@pytest.fixture
def sent(monkeypatch):
    """What reached the channel layer: (topics, event) per send."""
    out: list[tuple[list[str], dict]] = []
    monkeypatch.setattr(live, "_send", lambda topics, event: out.append((topics, event)))
    return out


@pytest.fixture
def kind(monkeypatch):
    """A ``probe`` kind that lets in the key "yes" and fails on "boom"."""

    def may_join(user, key):
        if key == "boom":
            raise ValueError("not an id")
        return key == "yes"

    monkeypatch.setitem(live._KINDS, "probe", live.TopicKind("probe", may_join))


@pytest.mark.django_db(transaction=True)
def test_an_event_leaves_when_its_transaction_commits(sent):
    with transaction.atomic():
        live.publish("global", {"kind": "x"})
        assert sent == []  # not while the write may still roll back
    assert sent == [(["global"], {"kind": "x"})]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_pushes_nothing(sent):
    def write_then_fail():
        with transaction.atomic():
            live.publish("global", {"kind": "x"})
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert sent == []


@pytest.mark.django_db(transaction=True)
def test_many_topics_go_once_each_and_malformed_ones_are_refused(sent):
    live.publish_many(["user:1", "user:1", "role:Auditor"], {"kind": "x"})
    assert sent == [(["user:1", "role:Auditor"], {"kind": "x"})]
    for bad in ["", "User:1", "user:", "user:a b", "user:" + "x" * 101, "a" * 40]:
        with pytest.raises(ValueError, match="not a topic"):
            live.publish(bad, {})


@pytest.mark.django_db(transaction=True)
def test_a_layer_that_fails_does_not_undo_the_write(monkeypatch, caplog):
    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("down")

    monkeypatch.setattr(live, "get_channel_layer", lambda: Broken())
    live.publish("global", {"kind": "x"})  # logged, not raised
    assert "could not publish to global" in caplog.text


def test_joins_ask_the_kind_and_refuse_alike(kind, django_user_model):
    user = django_user_model(username="u")
    assert live.may_join(user, "probe:yes")
    # Forbidden, unknown kind, malformed, a bad key: the same False.
    assert not live.may_join(user, "probe:no")
    assert not live.may_join(user, "nokind:yes")
    assert not live.may_join(user, "probe:a b")
    assert not live.may_join(user, "probe:boom")


def test_anonymous_users_join_nothing(kind):
    from django.contrib.auth.models import AnonymousUser

    assert not live.may_join(AnonymousUser(), "probe:yes")


def test_a_kind_registered_twice_is_an_error(kind):
    with pytest.raises(live.AlreadyRegistered):
        live.topic_kind_register("probe", lambda user, key: True)


def test_group_names_fit_channels_rules():
    name = live.group_name("role:" + "Z" * 100)
    assert len(name) < 100
    assert name.isascii()
    assert name.startswith("live.role.")
    assert live.group_name("user:1") != live.group_name("user:2")


@pytest.fixture
def clock():
    return Clock()


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
    throttle = live.Throttle(lambda: sent.append(clock.now), interval=0.5, clock=clock, later=later)
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
    throttle = live.Throttle(lambda: sent.append(clock.now), interval=0.5, clock=clock, later=later)
    for _ in range(1000):  # one change a millisecond for a second
        clock.now += 0.001
        throttle()
        if later.calls and clock.now - throttle.last >= 0.5:
            later.run()
    assert len(sent) <= 3
