"""Who may join which topic; every refusal reads the same; the subscription cap."""

import uuid

import pytest
from asgiref.sync import async_to_sync

from apps.core import live
from apps.live.consumers import LiveConsumer
from apps.live.tests.conftest import channels_in_groups, send, signed_in, socket, subscribe
from apps.org.services import department_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def departments(root_department):
    a = department_create(actor=None, name="Alpha", code="ALP", parent=root_department)
    a_child = department_create(actor=None, name="Alpha One", code="ALO", parent=a)
    b = department_create(actor=None, name="Beta", code="BET", parent=root_department)
    return {"a": a, "a_child": a_child, "b": b}


@pytest.fixture
def job_kind(monkeypatch):
    """A ``job`` kind as the jobs app registers it: the requester only."""
    owners: dict[str, str] = {}

    def may_join(user, key):
        return owners.get(str(uuid.UUID(key))) == str(user.pk)

    monkeypatch.setitem(live._KINDS, "job", live.TopicKind("job", may_join))
    return owners


def _answers(client, topics):
    async def run():
        async with socket(client) as ws:
            return [await subscribe(ws, topic, ref) for ref, topic in enumerate(topics)]

    return async_to_sync(run)()


def _refused(topics):
    return [{"type": "refused", "topic": t, "ref": ref} for ref, t in enumerate(topics)]


def _subscribed(topics):
    return [{"type": "subscribed", "topic": t, "ref": ref} for ref, t in enumerate(topics)]


def test_a_person_may_join_their_own_topic_global_and_their_roles(make_user):
    hr = make_user("hr")
    topics = [live.topic_user(hr), live.GLOBAL, live.topic_role("HR")]
    assert _answers(signed_in(hr), topics) == _subscribed(topics)


def test_a_role_with_a_space_is_joined_by_its_topic_key(make_user):
    officer = make_user("security")
    topics = [live.topic_role("Security officer")]
    assert topics == ["role:Security_officer"]
    assert _answers(signed_in(officer), topics) == _subscribed(topics)


def test_a_manager_may_join_their_subtree(make_user, departments):
    manager = make_user("manager", department=departments["a"])
    topics = [
        live.topic_department(departments["a"]),
        live.topic_department(departments["a_child"]),
    ]
    assert _answers(signed_in(manager), topics) == _subscribed(topics)


def test_hr_may_join_any_department(make_user, departments):
    topics = [live.topic_department(d) for d in departments.values()]
    assert _answers(signed_in(make_user("hr")), topics) == _subscribed(topics)


def test_forbidden_nonexistent_unknown_and_malformed_topics_read_the_same(
    make_user, departments, job_kind
):
    manager = make_user("manager", department=departments["a"])
    other = make_user("staff")
    someone_elses_job = str(uuid.uuid4())
    job_kind[someone_elses_job] = str(other.pk)
    topics = [
        live.topic_user(other),  # someone else's
        f"user:{uuid.uuid4()}",  # nobody's
        f"job:{someone_elses_job}",  # another person's job
        f"job:{uuid.uuid4()}",  # no such job
        "job:not-a-uuid",
        live.topic_department(departments["b"]),  # outside the manager's subtree
        f"department:{uuid.uuid4()}",  # no such department
        "department:42",
        "role:HR",  # not held
        "role:Nobody",
        "global:extra",
        "nonsense:1",
        "user",
        "user:",
        "USER:1",
        "user: 1",
        "user:../../etc",
        "x" * 133,
    ]
    assert _answers(signed_in(manager), topics) == _refused(topics)


def test_an_expired_role_no_longer_joins(make_user):
    from apps.access.models import RoleAssignment

    hr = make_user("hr")
    RoleAssignment.objects.filter(user=hr).delete()
    assert _answers(signed_in(hr), ["role:HR"]) == _refused(["role:HR"])


def test_subscribing_twice_asks_once(make_user, counting_kind):
    client = signed_in(make_user("hr"))

    async def run():
        async with socket(client) as ws:
            return [await subscribe(ws, "probe:1", 1), await subscribe(ws, "probe:1", 2)]

    assert async_to_sync(run)() == [
        {"type": "subscribed", "topic": "probe:1", "ref": 1},
        {"type": "subscribed", "topic": "probe:1", "ref": 2},
    ]
    assert counting_kind == ["1"]


class Unlimited(LiveConsumer):
    """No rate limit, so only the subscription cap is at work."""

    rate = 1e9
    burst = 1e9


def test_ten_thousand_subscribes_cost_at_most_the_cap_in_checks_and_groups(
    make_user, counting_kind
):
    client = signed_in(make_user("hr"))

    async def run():
        async with socket(client, Unlimited) as ws:
            for n in range(10_000):
                await ws.send_json_to({"type": "subscribe", "topic": f"probe:{n}", "ref": n})
            replies = []
            while len(replies) < 10_000 + (10_000 - LiveConsumer.max_subscriptions):
                replies.append(await ws.receive_json_from(timeout=30))
            assert await ws.receive_nothing()
            groups = channels_in_groups()
            return replies, sum(len(members) for members in groups.values())

    replies, memberships = async_to_sync(run)()
    cap = LiveConsumer.max_subscriptions
    assert len(counting_kind) == cap
    assert memberships == cap + 2  # and its session's and user's close groups
    assert replies[:cap] == [
        {"type": "subscribed", "topic": f"probe:{n}", "ref": n} for n in range(cap)
    ]
    assert replies[cap] == {"type": "refused", "topic": f"probe:{cap}", "ref": cap}
    assert replies[cap + 1]["type"] == "error"
    assert "100" in replies[cap + 1]["message"]


class Frozen(LiveConsumer):
    """The default limits on a clock that does not move: no token comes back."""

    clock = staticmethod(lambda: 0.0)


def test_ten_thousand_subscribes_at_the_default_rate_are_cut_off(make_user, counting_kind):
    client = signed_in(make_user("hr"))

    async def run():
        async with socket(client, Frozen) as ws:
            for n in range(10_000):
                await ws.send_json_to({"type": "subscribe", "topic": f"probe:{n}", "ref": n})
            while True:
                output = await ws.receive_output(timeout=30)
                if output["type"] == "websocket.close":
                    return output["code"]

    assert async_to_sync(run)() == 4429
    assert len(counting_kind) == LiveConsumer.burst


def test_unsubscribe_and_disconnect_leave_no_group_behind(make_user):
    hr = make_user("hr")
    client = signed_in(hr)

    async def run():
        async with socket(client) as ws:
            await subscribe(ws, live.GLOBAL)
            await subscribe(ws, live.topic_user(hr))
            await ws.send_json_to({"type": "unsubscribe", "topic": live.GLOBAL})
            assert await send(ws, {"type": "ping"}) == {"type": "pong"}
            during = set(channels_in_groups())
        return during, channels_in_groups()

    during, after = async_to_sync(run)()
    assert live.group_name(live.GLOBAL) not in during
    assert live.group_name(live.topic_user(hr)) in during
    assert live.user_group(hr) in during
    assert after == {}
