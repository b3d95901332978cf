"""Sessions: tracked at sign-in, listed, ended by the person or an officer, and ended by a
password change or a deactivation."""

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client

from apps.org.services import employee_deactivate
from apps.security import sessions
from apps.security.models import SecurityAction, UserSession
from tests.otp import code_for, device_for

PASSWORD = "pw-for-tests-1"
MINE = "/admin/sessions/"


def signed_in(user, *, ip="10.0.0.1", agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"):
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    device = device_for(user, create=False)
    if device is not None:
        client.post("/admin/verify/", {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200
    return client


@pytest.fixture
def staff(make_user):
    return make_user("staff")


def test_a_sign_in_is_tracked_with_address_and_browser(staff):
    signed_in(staff, ip="10.1.2.3")
    row = UserSession.objects.get(user=staff)
    assert (row.ip, row.ended_at) == ("10.1.2.3", None)
    assert "Firefox" in row.user_agent


def test_ending_another_session_signs_it_out_on_its_next_request(staff):
    phone, laptop = signed_in(staff), signed_in(staff)
    response = laptop.get(MINE)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="session-row"') == 2
    phone_key = phone.session.session_key
    phone_row = UserSession.objects.get(session_key=phone_key)
    laptop.post(MINE, {"session": phone_row.pk})
    assert phone.get("/admin/")["Location"].startswith("/admin/login/")
    assert laptop.get("/admin/").status_code == 200
    assert UserSession.objects.get(session_key=phone_key).end_reason == sessions.ENDED_BY_USER


def test_end_all_others_keeps_this_one(staff):
    others = [signed_in(staff) for _ in range(3)]
    me = signed_in(staff)
    me.post(MINE, {"end_others": "1"})
    assert me.get("/admin/").status_code == 200
    for other in others:
        assert other.get("/admin/").status_code == 302
    assert len(sessions.sessions_active(staff)) == 1


@pytest.mark.parametrize("value", ["", "x" * 41, "../../etc", "'; DROP TABLE django_session; --"])
def test_a_bad_or_foreign_session_is_a_404(staff, make_user, value):
    me = signed_in(staff)
    assert me.post(MINE, {"session": value}).status_code == 404
    other = make_user("auditor")
    theirs = signed_in(other)
    their_row = UserSession.objects.get(session_key=theirs.session.session_key)
    assert me.post(MINE, {"session": their_row.pk}).status_code == 404
    assert me.post(MINE, {"session": theirs.session.session_key}).status_code == 404
    assert theirs.get("/admin/").status_code == 200


def test_a_password_change_ends_the_other_sessions_not_this_one(staff):
    other, me = signed_in(staff), signed_in(staff)
    response = me.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-passphrase-42",
            "new_password2": "a-much-longer-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert me.get("/admin/").status_code == 200
    assert other.get("/admin/").status_code == 302


def test_a_short_password_is_refused(staff):
    me = signed_in(staff)
    response = me.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "short-pw1", "new_password2": "short-pw1"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()


def test_deactivation_ends_every_session(staff, make_user):
    client = signed_in(staff)
    employee_deactivate(employee=staff, actor=make_user("hr"))
    assert client.get("/admin/").status_code == 302
    assert not Session.objects.filter(session_key=client.session.session_key).exists()
    assert UserSession.objects.get(user=staff).end_reason == sessions.ENDED_DEACTIVATED


def test_an_officer_ends_someone_s_sessions_with_a_reason(staff, make_user):
    officer = make_user("security")
    victim = signed_in(staff)
    with pytest.raises(ValidationError, match="reason"):
        sessions.sessions_end_for(actor=officer, user=staff, reason="")
    assert sessions.sessions_end_for(actor=officer, user=staff, reason="stolen laptop") == 1
    assert victim.get("/admin/").status_code == 302
    assert SecurityAction.objects.get(kind="sessions_revoked").reason == "stolen laptop"


def test_someone_else_cannot_end_a_session_without_the_right(staff, make_user):
    hr = make_user("hr")
    signed_in(staff)
    row = UserSession.objects.get(user=staff)
    with pytest.raises(ValidationError, match="your own"):
        sessions.session_end(actor=hr, session=row)


def test_last_seen_is_written_at_most_once_a_minute(staff, django_assert_max_num_queries):
    client = signed_in(staff)
    client.get("/admin/")  # warm
    with django_assert_max_num_queries(30) as captured:
        client.get("/admin/")
    writes = [q for q in captured.captured_queries if "security_usersession" in q["sql"]]
    assert writes == []


@pytest.mark.parametrize("persona", ["hr", "admin", "security"])
def test_an_officer_cannot_end_the_sessions_of_someone_of_equal_or_higher_rank(make_user, persona):
    officer = make_user("security", username="officer")
    target = make_user(persona, username=f"target-{persona}")
    client = signed_in(target)
    row = UserSession.objects.get(user=target)
    with pytest.raises(ValidationError, match="same or a higher rank"):
        sessions.sessions_end_for(actor=officer, user=target, reason="stolen laptop")
    with pytest.raises(ValidationError, match="same or a higher rank"):
        sessions.session_end(actor=officer, session=row, reason="stolen laptop")
    assert client.get("/admin/").status_code == 200
    assert UserSession.objects.get(pk=row.pk).ended_at is None
    assert not SecurityAction.objects.exists()


@pytest.mark.parametrize("persona", ["manager", "staff"])
def test_an_officer_ends_one_session_of_a_manager_or_staff_member(make_user, persona):
    officer = make_user("security")
    target = make_user(persona)
    client = signed_in(target)
    row = UserSession.objects.get(user=target)
    assert sessions.session_end(actor=officer, session=row, reason="stolen laptop") == 1
    assert client.get("/admin/").status_code == 302
    assert SecurityAction.objects.get(kind="sessions_revoked").user == target


def test_the_end_action_refuses_an_hr_person_with_a_message(client, make_user):
    hr = make_user("hr")
    signed_in(hr)
    client.force_login(make_user("security"))
    row = UserSession.objects.get(user=hr)
    action = {"action": "end_selected", "_selected_action": [row.pk]}
    response = client.post(
        "/admin/security/usersession/", {**action, "post": "yes", "reason": "x"}, follow=True
    )
    assert "same or a higher rank" in response.content.decode()
    assert UserSession.objects.get(pk=row.pk).ended_at is None
