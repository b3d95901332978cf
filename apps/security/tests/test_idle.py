"""Session lifetimes: an absolute limit from sign-in and an idle limit, shorter for people
whose role requires a second factor; an ended session is signed out with a reason."""

import datetime

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.contrib.auth import SESSION_KEY
from django.test import AsyncClient, Client

from apps.security import sessions
from apps.security.models import UserSession
from tests.otp import code_for, device_for

PASSWORD = "pw-for-tests-1"
START = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
IDLE_MESSAGE = "You were signed out after a period of inactivity."
LIFETIME_MESSAGE = "Your session has reached its time limit."


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.SESSION_LIFETIME_HOURS = 12
    settings.SESSION_IDLE_MINUTES = 120
    settings.SESSION_LIFETIME_HOURS_OTP = 8
    settings.SESSION_IDLE_MINUTES_OTP = 30


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def signed_in(user) -> Client:
    """Through the real sign-in: password, then the code when the person has a device."""
    client = Client()
    client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    device = device_for(user, create=False)
    if device is not None:
        client.post("/admin/verify/", {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200
    return client


def _row(client) -> UserSession:
    return UserSession.objects.get(session_key=client.cookies["sessionid"].value)


def _signed_out_to_sign_in(response, message):
    assert response.redirect_chain[0][0] == "/admin/login/?next=%2Fadmin%2F"
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "limits"), [("hr", [8 * 3600, 30 * 60]), ("staff", [12 * 3600, 120 * 60])]
)
def test_the_limits_are_fixed_at_sign_in_by_role(clock, make_user, persona, limits):
    client = signed_in(make_user(persona))
    session = client.session
    assert session[sessions.LIMITS_KEY] == limits
    assert session[sessions.STARTED_KEY] == START.timestamp()


@pytest.mark.parametrize(("persona", "idle"), [("hr", 30), ("staff", 120)])
def test_an_idle_session_is_signed_out_with_a_reason_and_a_message(clock, make_user, persona, idle):
    client = signed_in(make_user(persona))
    key = client.cookies["sessionid"].value
    clock.shift(datetime.timedelta(minutes=idle - 2))
    assert client.get("/admin/").status_code == 200  # still in: and that was a use

    clock.shift(datetime.timedelta(minutes=idle + 1))
    response = client.get("/admin/", follow=True)

    _signed_out_to_sign_in(response, IDLE_MESSAGE)
    row = UserSession.objects.get(session_key=key)
    assert (row.ended_at, row.end_reason) == (
        START + datetime.timedelta(minutes=2 * idle - 1),
        sessions.ENDED_IDLE,
    )
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(("persona", "hours"), [("hr", 8), ("staff", 12)])
def test_a_session_in_use_still_ends_at_its_lifetime(clock, make_user, persona, hours):
    client = signed_in(make_user(persona))
    for _ in range(hours * 3 - 1):  # a request every 20 minutes: never idle
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get("/admin/").status_code == 200
    row = _row(client)

    clock.shift(datetime.timedelta(minutes=20))
    response = client.get("/admin/", follow=True)

    _signed_out_to_sign_in(response, LIFETIME_MESSAGE)
    row.refresh_from_db()
    assert row.end_reason == sessions.ENDED_LIFETIME


def test_the_staff_idle_limit_is_longer_than_the_second_factor_one(clock, make_user):
    hr, staff = signed_in(make_user("hr")), signed_in(make_user("staff"))
    clock.shift(datetime.timedelta(minutes=45))
    assert hr.get("/admin/").status_code == 302
    assert staff.get("/admin/").status_code == 200


def test_a_half_signed_in_session_times_out_too(clock, make_user):
    user = make_user("hr")
    client = Client()
    client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/admin/verify/")
    clock.shift(datetime.timedelta(minutes=31))
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_a_session_from_before_the_limits_gets_them_at_its_next_note_of_use(clock, make_user):
    client = signed_in(make_user("hr"))
    session = client.session
    del session[sessions.STARTED_KEY]
    del session[sessions.LIMITS_KEY]
    session.save()
    clock.shift(datetime.timedelta(minutes=5))
    assert client.get("/admin/").status_code == 200  # not judged: its start is unknown
    assert (
        client.session[sessions.STARTED_KEY] == (START + datetime.timedelta(minutes=5)).timestamp()
    )
    clock.shift(datetime.timedelta(minutes=31))
    assert client.get("/admin/").status_code == 302


def test_the_check_costs_no_query(clock, make_user, django_assert_num_queries):
    client = signed_in(make_user("hr"))
    clock.shift(datetime.timedelta(seconds=sessions.TOUCH_EVERY - 1))
    # The session and the person: what every request reads (the verified device is kept in
    # the session; apps.security.middleware.OTPSessionMiddleware).
    with django_assert_num_queries(2):
        assert client.get("/health/").status_code == 200


def test_the_async_path_signs_out_an_idle_session_too(clock, make_user):
    sync_client = signed_in(make_user("hr"))
    key = sync_client.cookies["sessionid"].value
    client = AsyncClient()
    client.cookies = sync_client.cookies

    first = async_to_sync(client.get)("/admin/")
    clock.shift(datetime.timedelta(minutes=31))
    second = async_to_sync(client.get)("/admin/")

    assert first.status_code == 200
    assert second.status_code == 302
    assert second["Location"] == "/admin/login/?next=%2Fadmin%2F"
    assert UserSession.objects.get(session_key=key).end_reason == sessions.ENDED_IDLE


def test_the_async_path_records_the_limits_at_sign_in(clock, make_user):
    user = make_user("staff")
    client = AsyncClient()

    async_to_sync(client.post)("/admin/login/", {"username": user.username, "password": PASSWORD})
    response = async_to_sync(client.get)("/admin/")

    assert response.status_code == 200
    session = client.session
    assert session[sessions.LIMITS_KEY] == [12 * 3600, 120 * 60]
    assert session[sessions.STARTED_KEY] == START.timestamp()


@pytest.mark.parametrize(
    ("started", "touched", "now", "reason"),
    [
        (0, 0, 29 * 60, None),
        (0, 0, 30 * 60, sessions.ENDED_IDLE),
        (0, 7 * 3600, 7 * 3600 + 29 * 60, None),
        (0, 7 * 3600 + 59 * 60, 8 * 3600, sessions.ENDED_LIFETIME),
        (0, None, 31 * 60, sessions.ENDED_IDLE),
        (None, 0, 99 * 3600, None),
    ],
)
def test_the_rule(started, touched, now, reason):
    limits = [8 * 3600, 30 * 60]
    assert (
        sessions.session_lapsed(started=started, limits=limits, touched=touched, now=now) == reason
    )
