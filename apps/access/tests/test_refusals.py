"""Refused accesses are logged at the entry point, after the transaction; checks write nothing."""

import pytest
from django.db import DatabaseError, transaction
from guardian.shortcuts import assign_perm

from apps.access.models import PermissionLog
from apps.access.services import denial_record
from apps.org.models import Employee


def denied():
    return PermissionLog.objects.filter(action=PermissionLog.Action.DENIED)


def test_a_permission_check_writes_nothing(manager, outsider):
    user = Employee.objects.get(pk=manager.pk)
    assert not user.has_perm("org.change_employee", outsider)
    assert not denied().exists()


def test_a_refused_service_call_from_an_admin_action_leaves_one_refusal(manager, outsider, client):
    # A grant to see this one record puts it in the list, not in the change scope: the
    # deactivate service refuses it inside its own transaction.
    assign_perm("org.view_employee", manager, outsider)
    client.force_login(manager)
    response = client.post(
        "/admin/org/employee/",
        {"action": "deactivate_selected", "_selected_action": [outsider.pk], "post": "yes"},
        follow=True,
    )
    assert "outside the ones you may change" in response.content.decode()
    outsider.refresh_from_db()
    assert outsider.is_active
    row = denied().get()
    assert (row.user, row.permission) == (manager, "org.change_employee")
    assert "Outside" in row.target


def test_a_guessed_change_url_outside_the_scope_leaves_one_refusal(manager, outsider, client):
    client.force_login(manager)
    assert client.get(f"/admin/org/employee/{outsider.pk}/change/").status_code == 404
    row = denied().get()
    assert (row.user, row.permission) == (manager, "org.view_employee")


@pytest.mark.parametrize(("view", "status"), [("change", 404), ("delete", 403)])
def test_a_forged_post_to_an_outside_record_leaves_one_refusal(
    manager, outsider, client, view, status
):
    """A POST runs in the admin's atomic block: the refusal must not roll the log back.

    Nothing is hard-deleted, so the delete view refuses everyone (403) after the lookup.
    """
    client.force_login(manager)
    response = client.post(f"/admin/org/employee/{outsider.pk}/{view}/", {"last_name": "X"})
    assert response.status_code == status
    row = denied().get()
    assert (row.user, row.permission) == (manager, "org.view_employee")
    outsider.refresh_from_db()
    assert outsider.last_name == "Outside"


def test_a_rolled_back_refusal_does_not_silence_the_next(
    manager, outsider, django_capture_on_commit_callbacks
):
    def record_then_roll_back():
        with transaction.atomic():
            assert denial_record(user=manager, perm="org.change_employee", obj=outsider)
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        record_then_roll_back()
    assert not denied().exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert denial_record(user=manager, perm="org.change_employee", obj=outsider)
    assert denied().count() == 1


def test_a_failed_refusal_write_does_not_silence_the_next(
    manager, outsider, monkeypatch, django_capture_on_commit_callbacks
):
    def fail_once(**kwargs):
        monkeypatch.undo()
        raise DatabaseError("simulated failed write")

    monkeypatch.setattr(PermissionLog.objects, "create", fail_once)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(DatabaseError):
            denial_record(user=manager, perm="org.change_employee", obj=outsider)
        assert denial_record(user=manager, perm="org.change_employee", obj=outsider)
    assert denied().count() == 1


def test_a_logged_refusal_silences_the_same_one_for_the_window(
    manager, outsider, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            denial_record(user=manager, perm="org.change_employee", obj=outsider)
    assert denied().count() == 1
