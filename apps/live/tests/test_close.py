"""Ending a session, signing out or deactivating an account closes the sockets it holds."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from apps.core import live
from apps.live.tests.conftest import send, signed_in_for_real, socket
from apps.org.services import employee_deactivate
from apps.security import sessions
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
