"""Which lock holds, and what the person and the log are told: a username locked from one
address (5 failures) leaves everyone else there alone; the address itself locks for every
account only at its own limit (20 failures across usernames)."""

import datetime

import pytest
import time_machine
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from apps.security import lockout
from apps.security.lockout import LockoutHandler
from apps.security.models import LoginEvent

LOGIN = "/admin/login/"
PASSWORD = "pw-for-tests-1"
OFFICE = "10.20.0.1"
ELSEWHERE = "10.30.0.1"
Outcome = LoginEvent.Outcome


def attempt(username: str, password: str = "wrong", *, ip: str = OFFICE):
    return Client().post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def events_of(username: str) -> list[tuple[str, str]]:
    rows = LoginEvent.objects.filter(username=username).order_by("at", "id")
    return list(rows.values_list("outcome", "lock"))


@pytest.fixture
def colleagues(make_user):
    """Two people behind one office address: hr (who will lock herself out) and auditor."""
    return make_user("hr"), make_user("auditor")


def lock_hr_from_the_office() -> None:
    for _ in range(4):
        assert attempt("hr").status_code == 200
    assert attempt("hr").status_code == 429


def test_a_colleague_at_a_locked_user_s_address_gets_an_ordinary_wrong_password(colleagues):
    lock_hr_from_the_office()
    response = attempt("auditor")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter a correct username and password" in body
    assert 'data-testid="locked-out"' not in body
    assert events_of("auditor") == [(Outcome.BAD_PASSWORD, "")]
    # Their right password works at once; the locked username stays locked.
    auditor = Client()
    right = auditor.post(LOGIN, {"username": "auditor", "password": PASSWORD}, REMOTE_ADDR=OFFICE)
    assert right.status_code == 302
    assert auditor.get("/admin/", REMOTE_ADDR=OFFICE)["Location"].startswith("/admin/verify/")
    assert attempt("hr", PASSWORD).status_code == 429


def test_the_username_lock_is_told_and_recorded_as_such(colleagues):
    lock_hr_from_the_office()
    page = attempt("hr", PASSWORD)
    body = page.content.decode()
    assert 'data-lock="username"' in body
    assert "Too many failed sign-in attempts for this username from your address." in body
    assert "contact your security officer: they can unlock your account" in body
    assert "every account" not in body
    assert events_of("hr")[-2:] == [(Outcome.LOCKED_OUT, LoginEvent.Lock.USERNAME)] * 2


def test_the_lockout_page_says_when_to_try_again_to_the_second(colleagues):
    with time_machine.travel(
        datetime.datetime(2026, 12, 7, 9, 0, 7, tzinfo=datetime.UTC), tick=False
    ):
        lock_hr_from_the_office()
        body = attempt("hr", PASSWORD).content.decode()
        zh = (
            Client()
            .post(
                LOGIN,
                {"username": "hr", "password": PASSWORD},
                REMOTE_ADDR=OFFICE,
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            )
            .content.decode()
        )
    later = timezone.localtime(datetime.datetime(2026, 12, 7, 9, 15, 7, tzinfo=datetime.UTC))
    assert f"after {later:%H:%M:%S}." in body
    assert f"{later:%H:%M:%S}" in zh


def test_the_address_locks_for_everyone_only_at_its_own_limit(colleagues):
    # 19 failures over five usernames, none of them five times: no lock yet.
    for i in range(19):
        assert attempt(f"guess{i % 5}").status_code == 200, i
    assert not LoginEvent.objects.filter(outcome=Outcome.LOCKED_OUT).exists()
    locked = attempt("guess-20")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert 'data-lock="address"' in body
    assert "sign-in from this address is paused for every account" in body
    assert events_of("guess-20") == [(Outcome.LOCKED_OUT, LoginEvent.Lock.ADDRESS)]
    # Everyone at the address is refused, with the address's message; elsewhere is fine.
    refused = attempt("auditor", PASSWORD)
    assert refused.status_code == 429
    assert "paused for every account" in refused.content.decode()
    assert events_of("auditor") == [(Outcome.LOCKED_OUT, LoginEvent.Lock.ADDRESS)]
    assert attempt("auditor", PASSWORD, ip=ELSEWHERE).status_code == 302


def test_a_locked_username_and_its_address_reach_the_address_limit_together(colleagues):
    lock_hr_from_the_office()  # 5
    for i in range(14):
        assert attempt(f"guess{i % 4}").status_code == 200, i  # 19
    locked = attempt("auditor")  # 20
    assert locked.status_code == 429
    assert 'data-lock="address"' in locked.content.decode()
    assert events_of("auditor") == [(Outcome.LOCKED_OUT, LoginEvent.Lock.ADDRESS)]


def test_the_lockout_list_shows_the_lock_in_the_outcome(client, colleagues, make_user):
    lock_hr_from_the_office()
    client.force_login(make_user("security"))
    response = client.get("/admin/security/loginevent/", {"lock__exact": "username"})
    body = response.content.decode()
    assert "locked out: this username from this address" in body
    timeline = client.get(f"/admin/security/loginevent/timeline/ip/{OFFICE}/")
    assert "locked out: this username from this address" in timeline.content.decode()


@pytest.mark.parametrize(
    ("username_failures", "address_failures", "lock"),
    [
        (0, 0, None),
        (4, 4, None),
        (4, 19, None),
        (5, 5, lockout.USERNAME),
        (1, 20, lockout.ADDRESS),
        (5, 20, lockout.ADDRESS),
    ],
)
def test_axes_failure_count_reaches_its_limit_exactly_when_a_lock_holds(
    rf, db, settings, username_failures, address_failures, lock
):
    if username_failures:
        AccessAttempt.objects.create(
            username="hr", ip_address=OFFICE, user_agent="", failures_since_start=username_failures
        )
    others = address_failures - username_failures
    if others:
        AccessAttempt.objects.create(
            username="other", ip_address=OFFICE, user_agent="", failures_since_start=others
        )
    request = rf.post(LOGIN, REMOTE_ADDR=OFFICE)
    AxesProxyHandler.update_request(request)
    credentials = {"username": "hr"}
    handler = LockoutHandler()
    assert handler.lock_reached(request, credentials) == lock
    assert handler.is_locked(request, credentials) == (lock is not None)
    reached = handler.get_failures(request, credentials) >= settings.AXES_FAILURE_LIMIT
    assert reached == (lock is not None)
