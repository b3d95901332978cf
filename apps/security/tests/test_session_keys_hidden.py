"""A session key signs a browser in: no page, link, form or message ever prints one.

The Sessions list (officers), a session's page, the end-sessions form and "My sessions"
name a session by its own id. "My sessions" takes only the person's own live session's id.
"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.security.models import UserSession
from apps.security.tests.test_sessions import MINE, signed_in

LIST = "/admin/security/usersession/"


def _keys() -> list[str]:
    keys = list(UserSession.objects.values_list("session_key", flat=True))
    assert keys
    assert all(len(key) >= 32 for key in keys)
    return keys


def _no_key_in(response, keys: list[str]) -> None:
    assert response.status_code == 200
    body = response.content
    for key in keys:
        assert key.encode() not in body


@pytest.fixture
def people(make_user):
    """An officer and a staff member, each signed in twice (two browsers)."""
    officer, staff = make_user("security"), make_user("staff")
    return {
        "officer": [signed_in(officer), signed_in(officer)],
        "staff": [signed_in(staff), signed_in(staff)],
    }


def test_the_officers_sessions_list_and_pages_print_no_session_key(people):
    officer = people["officer"][0]
    keys = _keys()
    assert officer.session.session_key in keys
    _no_key_in(officer.get(LIST), keys)
    _no_key_in(officer.get(LIST, {"q": "staff"}), keys)
    row = UserSession.objects.filter(user__username="staff").first()
    assert row is not None
    page = officer.get(f"{LIST}{row.pk}/change/")
    _no_key_in(page, keys)
    assert b"Session key" not in page.content
    _no_key_in(officer.get(f"{LIST}{row.pk}/history/"), keys)
    asked = officer.post(LIST, {"action": "end_selected", "_selected_action": [row.pk]})
    _no_key_in(asked, keys)
    done = officer.post(
        LIST,
        {"action": "end_selected", "_selected_action": [row.pk], "post": "yes", "reason": "lost"},
        follow=True,
    )
    _no_key_in(done, keys)
    assert UserSession.objects.get(pk=row.pk).ended_at is not None


def test_a_session_page_by_key_is_a_404(people):
    officer = people["officer"][0]
    row = UserSession.objects.filter(user__username="staff").first()
    assert officer.get(f"{LIST}{row.session_key}/change/").status_code == 404


def test_my_sessions_prints_no_session_key(people):
    me = people["staff"][0]
    keys = _keys()
    response = me.get(MINE)
    _no_key_in(response, keys)
    assert response.content.decode().count('data-testid="session-row"') == 2
    ended = me.post(MINE, {"end_others": "1"}, follow=True)
    _no_key_in(ended, keys)


def test_my_sessions_ends_another_of_mine_by_its_id(people):
    me, phone = people["staff"]
    row = UserSession.objects.get(session_key=phone.session.session_key)
    response = me.post(MINE, {"session": str(row.pk)}, follow=True)
    _no_key_in(response, _keys())
    assert "The session was ended." in response.content.decode()
    assert phone.get("/admin/")["Location"].startswith("/admin/login/")
    assert me.get("/admin/").status_code == 200


def test_ending_this_browser_s_session_signs_me_out(people):
    me = people["staff"][0]
    row = UserSession.objects.get(session_key=me.session.session_key)
    response = me.post(MINE, {"session": str(row.pk)})
    assert response["Location"].startswith("/admin/login/")
    assert me.get("/admin/")["Location"].startswith("/admin/login/")
    assert UserSession.objects.get(pk=row.pk).ended_at is not None
    assert people["staff"][1].get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0",
        "-1",
        "1.0",
        " 1",
        "1\x00",
        "\x00",
        "١",  # an Arabic-Indic digit: int() takes it, the page does not
        "9" * 19,
        "9" * 10_000,
        "x" * 10_240,
        "1 OR 1=1",
    ],
)
def test_a_hostile_session_value_is_a_404(people, value):
    me = people["staff"][0]
    assert me.post(MINE, {"session": value}).status_code == 404
    assert UserSession.objects.filter(ended_at__isnull=False).count() == 0


def test_a_session_key_is_no_longer_taken(people):
    me, phone = people["staff"]
    assert me.post(MINE, {"session": phone.session.session_key}).status_code == 404
    assert phone.get("/admin/").status_code == 200


def test_someone_else_s_session_id_is_a_404(people):
    me = people["staff"][0]
    theirs = people["officer"][0]
    row = UserSession.objects.get(session_key=theirs.session.session_key)
    assert me.post(MINE, {"session": str(row.pk)}).status_code == 404
    assert theirs.get("/admin/").status_code == 200
    assert UserSession.objects.get(pk=row.pk).ended_at is None


def test_an_ended_session_of_mine_is_a_404(people):
    me, phone = people["staff"]
    row = UserSession.objects.get(session_key=phone.session.session_key)
    assert me.post(MINE, {"session": str(row.pk)}).status_code == 302
    assert me.post(MINE, {"session": str(row.pk)}).status_code == 404


def test_session_str_names_no_key(people):
    for row in UserSession.objects.all():
        assert row.session_key not in str(row)
        assert row.session_key not in repr(row)


def migrate(target: tuple[str, str]) -> None:
    """As ``manage.py migrate`` does it (with its signals: the content type renames)."""
    call_command("migrate", *target, verbosity=0)


def _view_permission_model() -> str:
    """The content type the officers' "view sessions" permission hangs on."""
    ContentType.objects.clear_cache()
    return Permission.objects.get(codename="view_usersession").content_type.model


@pytest.mark.django_db(transaction=True)
def test_the_surrogate_key_migration_keeps_every_row(make_user):
    """0005 -> 0006 (and back) keeps each session's key, person, times and end."""
    before = ("security", "0005_loginevent_lock_device_actions")
    after = ("security", "0006_usersession_surrogate_key")
    staff, hr = make_user("staff"), make_user("hr")
    now = timezone.now().replace(microsecond=0)
    rows = {
        "a" * 32: (staff.pk, "10.0.0.1", "Firefox", None, ""),
        "b" * 32: (staff.pk, None, "", now, "signed out"),
        "c" * 40: (hr.pk, "2001:db8::1", "Chrome", None, ""),
    }

    def shape(model) -> dict:
        return {
            r.session_key: (r.user_id, r.ip, r.user_agent, r.ended_at, r.end_reason)
            for r in model.objects.all()
        }

    def old_model():
        state = MigrationExecutor(connection).loader.project_state(before)
        return state.apps.get_model("security", "UserSession")

    try:
        migrate(before)
        for key, (user_id, ip, agent, ended, reason) in rows.items():
            old_model().objects.create(
                session_key=key,
                user_id=user_id,
                ip=ip,
                user_agent=agent,
                created_at=now,
                last_seen=now,
                ended_at=ended,
                end_reason=reason,
            )
        migrate(after)
        assert shape(UserSession) == rows
        assert _view_permission_model() == "usersession"
        ids = list(UserSession.objects.values_list("pk", flat=True))
        assert len(set(ids)) == 3
        assert all(isinstance(i, int) for i in ids)
        fresh = UserSession.objects.create(
            session_key="d" * 32, user=staff, created_at=now, last_seen=now
        )
        assert fresh.pk > max(ids)  # the id sequence carries on after the copied rows
        fresh.delete()

        migrate(before)
        assert shape(old_model()) == rows
        assert _view_permission_model() == "usersession"
    finally:
        call_command("migrate", "security", verbosity=0)
    assert shape(UserSession) == rows
    assert _view_permission_model() == "usersession"


@pytest.mark.parametrize(
    "query",
    [
        {"session_key": "x"},
        {"session_key__startswith": "a"},
        {"session_key__gt": "m"},
        {"user__tracked_sessions__session_key__startswith": "a"},
        {"o": "-1.2"},
    ],
)
def test_the_list_cannot_be_asked_about_keys(people, query):
    """No filter, lookup or sort on the key: a "starts with" would read it letter by letter."""
    officer = people["officer"][0]
    response = officer.get(LIST, query)
    if "o" in query:
        _no_key_in(response, _keys())
    else:
        assert response.status_code == 400


@pytest.mark.parametrize("value", ["abc", "1\x00", "9" * 30, "-1"])
def test_a_hostile_selection_on_the_list_is_no_500(people, value):
    officer = people["officer"][0]
    row = UserSession.objects.filter(user__username="staff").first()
    response = officer.post(
        LIST,
        {"action": "end_selected", "_selected_action": [value], "post": "yes", "reason": "x"},
    )
    assert response.status_code in (302, 404)
    assert UserSession.objects.get(pk=row.pk).ended_at is None
