"""Ending a session, signing out or deactivating an account closes the sockets it holds."""

import json
import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session

from apps.access.roles import HR
from apps.access.services import assignment_create
from apps.core import live
from apps.live.consumers import LiveConsumer
from apps.live.tests.conftest import send, signed_in_for_real, socket
from apps.org.services import employee_deactivate
from apps.security import sessions, ws_gate
from apps.security.models import UserSession

pytestmark = pytest.mark.django_db(transaction=True)


async def _closed_with(ws) -> int:
    output = await ws.receive_output(timeout=10)
    assert output["type"] == "websocket.close"
    return output["code"]


def test_an_officer_ending_one_session_closes_its_socket_only(make_user):
    officer, staff = make_user("security"), make_user("staff")
    first, second = signed_in_for_real(staff), signed_in_for_real(staff)
    row = UserSession.objects.get(session_key=first.session.session_key)

    async def run():
        async with socket(first) as ws1, socket(second) as ws2:
            await database_sync_to_async(sessions.sessions_end_for)(
                actor=officer, user=staff, reason="stolen laptop", only=[row]
            )
            return await _closed_with(ws1), await send(ws2, {"type": "ping"})

    assert async_to_sync(run)() == (live.CLOSE_SESSION_ENDED, {"type": "pong"})


def test_ending_my_other_sessions_closes_their_sockets(make_user):
    hr = make_user("hr")
    here, elsewhere = signed_in_for_real(hr), signed_in_for_real(hr)

    async def run():
        async with socket(here) as mine, socket(elsewhere) as other:
            await database_sync_to_async(sessions.sessions_end_others)(
                user=hr, current_key=here.session.session_key
            )
            return await _closed_with(other), await send(mine, {"type": "ping"})

    assert async_to_sync(run)() == (live.CLOSE_SESSION_ENDED, {"type": "pong"})


def test_signing_out_closes_the_sessions_socket(make_user):
    hr = make_user("hr")
    client = signed_in_for_real(hr)

    async def run():
        async with socket(client) as ws:
            await database_sync_to_async(client.post)("/admin/logout/")
            return await _closed_with(ws)

    assert async_to_sync(run)() == live.CLOSE_SESSION_ENDED


def test_deactivating_an_account_closes_its_sockets_with_4410(make_user):
    hr, staff = make_user("hr"), make_user("staff")
    client = signed_in_for_real(staff)

    async def run():
        async with socket(client) as ws:
            await database_sync_to_async(employee_deactivate)(
                employee=staff, actor=hr, reason="left the company"
            )
            return await _closed_with(ws)

    assert async_to_sync(run)() == live.CLOSE_DEACTIVATED


def test_nothing_closes_before_the_commit(make_user, django_capture_on_commit_callbacks):
    from django.db import transaction

    staff = make_user("staff")
    with transaction.atomic():
        live.sockets_close(users=[staff], code=live.CLOSE_DEACTIVATED)
        assert transaction.get_connection().run_on_commit


class Rechecking(LiveConsumer):
    """Heartbeats every 20 ms, the gate asked at each."""

    heartbeat_seconds = 0.02
    recheck_seconds = 0.0


async def _closed_after_heartbeats(ws) -> int:
    while True:
        output = await ws.receive_output(timeout=10)
        if output["type"] == "websocket.close":
            return output["code"]
        assert json.loads(output["text"]) == {"type": "heartbeat"}


def _edit_session(client, **values):
    session = client.session  # a fresh load of the stored session
    session.update(values)
    session.save()


def test_an_open_socket_the_gate_still_lets_in_stays_open(make_user):
    client = signed_in_for_real(make_user("staff"))

    async def run():
        async with socket(client, Rechecking) as ws:
            return [await ws.receive_json_from(timeout=10) for _ in range(5)]

    assert async_to_sync(run)() == [{"type": "heartbeat"}] * 5


def test_a_session_deleted_behind_the_sockets_back_closes_it_at_the_next_check(make_user):
    client = signed_in_for_real(make_user("staff"))
    key = client.session.session_key

    async def run():
        async with socket(client, Rechecking) as ws:
            await database_sync_to_async(Session.objects.filter(session_key=key).delete)()
            return await _closed_after_heartbeats(ws)

    assert async_to_sync(run)() == live.CLOSE_SESSION_ENDED


def test_a_session_that_lapsed_while_its_page_was_open_closes_its_socket(make_user):
    client = signed_in_for_real(make_user("staff"))

    async def run():
        async with socket(client, Rechecking) as ws:
            long_ago = time.time() - 30 * 24 * 3600
            await database_sync_to_async(_edit_session)(
                client, **{sessions.STARTED_KEY: long_ago, sessions.TOUCHED_KEY: long_ago}
            )
            return await _closed_after_heartbeats(ws)

    assert async_to_sync(run)() == live.CLOSE_SESSION_ENDED


def test_a_role_that_now_needs_the_code_step_closes_a_password_only_socket(make_user, roles):
    staff = make_user("staff")
    client = signed_in_for_real(staff)  # staff: no code step, no device

    async def run():
        async with socket(client, Rechecking) as ws:
            await ws.receive_json_from(timeout=10)  # open and checked once
            await database_sync_to_async(assignment_create)(
                actor=None, user=staff, role=roles[HR], department=None, reason="promoted"
            )
            return await _closed_after_heartbeats(ws)

    assert async_to_sync(run)() == ws_gate.CLOSE_CODE_STEP


def test_an_account_switched_off_without_the_service_closes_at_the_next_check(make_user):
    staff = make_user("staff")
    client = signed_in_for_real(staff)

    async def run():
        async with socket(client, Rechecking) as ws:
            # A bulk update: no signal, no sockets_close; the check finds it.
            await database_sync_to_async(type(staff).objects.filter(pk=staff.pk).update)(
                is_active=False
            )
            return await _closed_after_heartbeats(ws)

    assert async_to_sync(run)() == live.CLOSE_DEACTIVATED
