"""WebSockets apply the HTTP sign-in gate: each refusal has its close code; the ping probe."""

import datetime
import json

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.auth import AuthMiddlewareStack
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.org.models import Employee
from apps.security import sessions, ws_gate
from apps.security.consumers import MAX_MESSAGE_BYTES, AsyncGatedJsonWebsocketConsumer, PingConsumer
from apps.security.models import UserSession
from tests.otp import code_for, device_for

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"
START = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)


class EchoConsumer(AsyncGatedJsonWebsocketConsumer):
    """An async consumer on the same gate (as the live pages' will be)."""

    async def connected(self) -> None:
        await self.send_json({"type": "hello"})


def _cookie(client: Client | None) -> list[tuple[bytes, bytes]]:
    if client is None:
        return []
    return [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}".encode())]


def _session(client, steps, consumer=PingConsumer):
    """Connect through the real auth stack with ``client``'s session cookie and run
    ``steps(communicator)`` in one event loop."""

    async def run():
        application = AuthMiddlewareStack(consumer.as_asgi())
        communicator = WebsocketCommunicator(application, "/ws/ping/", headers=_cookie(client))
        connected, code = await communicator.connect()
        if not connected:
            return code
        try:
            return await steps(communicator)
        finally:
            await communicator.disconnect()

    return async_to_sync(run)()


async def _accepted(communicator):
    return "accepted"


def _close_code_of(client, consumer=PingConsumer):
    """The code the handshake was refused with ("accepted" if it was not)."""
    return _session(client, _accepted, consumer)


def _signed_in(user, *, verified=True):
    client = Client()
    client.force_login(user, verified=verified)
    return client


def _signed_in_for_real(user):
    """Through the sign-in pages, so the session carries its start and limits."""
    client = Client()
    client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    device = device_for(user, create=False)
    if device is not None:
        client.post("/admin/verify/", {"code": code_for(device)})
    return client


async def _ping(communicator):
    await communicator.send_json_to({"type": "ping"})
    return await communicator.receive_json_from()


# --- the gate --------------------------------------------------------------------------


def test_a_fully_signed_in_person_gets_pong(make_user):
    assert _session(_signed_in(make_user("hr")), _ping) == {"type": "pong"}


def test_staff_without_a_device_need_no_code_as_over_http(make_user):
    staff = make_user("staff")
    assert _session(_signed_in(staff, verified=False), _ping) == {"type": "pong"}


def test_anonymous_connections_are_closed_with_4401():
    assert _close_code_of(None) == ws_gate.CLOSE_NOT_SIGNED_IN


def test_a_session_an_officer_ended_is_closed_with_4401(make_user):
    officer, staff = make_user("security"), make_user("staff")
    client = _signed_in_for_real(staff)
    assert _session(client, _ping) == {"type": "pong"}
    sessions.sessions_end_for(actor=officer, user=staff, reason="stolen laptop")
    assert _close_code_of(client) == ws_gate.CLOSE_NOT_SIGNED_IN


def test_the_password_step_alone_is_closed_with_4403(make_user):
    assert _close_code_of(_signed_in(make_user("hr"), verified=False)) == ws_gate.CLOSE_CODE_STEP


def test_staff_with_a_device_must_pass_the_code_step_too(make_user):
    staff = make_user("staff")
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    assert _close_code_of(_signed_in(staff, verified=False)) == ws_gate.CLOSE_CODE_STEP


def test_someone_elses_device_in_the_session_does_not_count(make_user):
    hr, other = make_user("hr"), make_user("auditor")
    client = _signed_in(hr, verified=False)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device_for(other).persistent_id
    session.save()
    assert _close_code_of(client) == ws_gate.CLOSE_CODE_STEP


def test_a_deactivated_account_is_closed_with_4410(make_user):
    hr = make_user("hr")
    client = _signed_in(hr)
    # Bypasses the receiver that ends the sessions: the socket must refuse on its own.
    Employee.objects.filter(pk=hr.pk).update(is_active=False)
    assert _close_code_of(client) == ws_gate.CLOSE_DEACTIVATED


def test_an_idle_session_is_closed_with_4401(make_user):
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in_for_real(make_user("hr"))
        assert _session(client, _ping) == {"type": "pong"}
        clock.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES_OTP + 1))
        assert _close_code_of(client) == ws_gate.CLOSE_NOT_SIGNED_IN
    # Read-only: the next HTTP request signs the session out with the reason.
    assert UserSession.objects.get().ended_at is None


def test_the_async_base_applies_the_same_gate(make_user):
    async def hello(communicator):
        return await communicator.receive_json_from()

    hr = make_user("hr")
    assert _session(_signed_in(hr), hello, EchoConsumer) == {"type": "hello"}
    assert _close_code_of(_signed_in(hr, verified=False), EchoConsumer) == ws_gate.CLOSE_CODE_STEP
    assert _close_code_of(None, EchoConsumer) == ws_gate.CLOSE_NOT_SIGNED_IN


# --- the probe's messages ----------------------------------------------------------------


@pytest.fixture
def verified(make_user):
    return _signed_in(make_user("hr"))


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        json.dumps(["ping"]),
        json.dumps({"type": "drop tables"}),
        json.dumps({"type": "ping", "pad": "x" * MAX_MESSAGE_BYTES}),
        " ",
        "[" * (MAX_MESSAGE_BYTES - 1),  # nested past the parser's recursion limit
        "\ud800",
    ],
)
def test_malformed_or_oversized_messages_get_an_error_and_keep_the_socket(verified, payload):
    async def steps(communicator):
        await communicator.send_to(text_data=payload)
        error = await communicator.receive_json_from()
        return error, await _ping(communicator)

    error, after = _session(verified, steps)
    assert error["type"] == "error"
    assert error["message"]
    assert after == {"type": "pong"}


def test_binary_frames_get_an_error(verified):
    async def steps(communicator):
        await communicator.send_to(bytes_data=b"\x00\x01")
        return await communicator.receive_json_from()

    assert _session(verified, steps)["type"] == "error"
