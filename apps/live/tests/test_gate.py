"""The live socket applies the sign-in gate and the origin check before anything else."""

import pytest
from asgiref.sync import async_to_sync

from apps.live.tests.conftest import refusal, signed_in, signed_in_for_real
from apps.org.models import Employee
from apps.security import sessions, ws_gate

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fully_signed_in_person_is_let_in(make_user):
    assert async_to_sync(refusal)(signed_in(make_user("hr"))) is None


def test_anonymous_sockets_are_refused_with_4401():
    assert async_to_sync(refusal)(None) == ws_gate.CLOSE_NOT_SIGNED_IN


def test_a_session_an_officer_ended_is_refused_with_4401(make_user):
    officer, staff = make_user("security"), make_user("staff")
    client = signed_in_for_real(staff)
    sessions.sessions_end_for(actor=officer, user=staff, reason="stolen laptop")
    assert async_to_sync(refusal)(client) == ws_gate.CLOSE_NOT_SIGNED_IN


def test_the_password_step_alone_is_refused_with_4403(make_user):
    client = signed_in(make_user("hr"), verified=False)
    assert async_to_sync(refusal)(client) == ws_gate.CLOSE_CODE_STEP


def test_a_deactivated_account_is_refused_with_4410(make_user):
    hr = make_user("hr")
    client = signed_in(hr)
    Employee.objects.filter(pk=hr.pk).update(is_active=False)  # no receivers: the gate alone
    assert async_to_sync(refusal)(client) == ws_gate.CLOSE_DEACTIVATED


def test_a_foreign_origin_is_refused_even_when_signed_in(make_user):
    client = signed_in(make_user("hr"))
    code = async_to_sync(refusal)(client, origin=(b"origin", b"https://evil.example"))
    assert code is not None


def test_a_socket_without_an_origin_is_refused(make_user):
    assert async_to_sync(refusal)(signed_in(make_user("hr")), origin=None) is not None
