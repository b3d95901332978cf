"""Per-object grants (guardian's screen): who may give them, to whom, and the log."""

import uuid

from django.urls import reverse
from django.utils import translation
from guardian.shortcuts import assign_perm, remove_perm

from apps.access.models import PermissionLog
from apps.access.services import target_stored
from apps.core.history import acting_as
from apps.core.texts import text_shown
from apps.org.models import Department, Employee


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_a_grant_on_one_record_is_an_exception_the_scope_honours(manager, outsider, client):
    client.force_login(manager)
    assert client.get(f"/admin/org/employee/{outsider.pk}/change/").status_code == 404
    assign_perm("org.view_employee", manager, outsider)
    assert fresh(manager).has_perm("org.view_employee", outsider)
    assert not fresh(manager).has_perm("org.change_employee", outsider)
    assert client.get(f"/admin/org/employee/{outsider.pk}/change/").status_code == 200
    assert "Outside" in client.get("/admin/org/employee/").content.decode()


def test_grants_and_revocations_are_logged_with_the_actor(manager, outsider, make_user):
    admin = make_user("admin")
    with acting_as(admin):
        assign_perm("org.view_employee", manager, outsider)
        remove_perm("org.view_employee", manager, outsider)
    granted, revoked = PermissionLog.objects.order_by("id").filter(user=manager)[1:]
    assert (granted.action, granted.actor, granted.permission) == (
        "granted",
        admin,
        "org.view_employee",
    )
    assert "Outside" in granted.target
    assert revoked.action == "revoked"


def test_direct_permissions_are_logged(manager):
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="view_transfer")
    manager.user_permissions.add(perm)
    manager.user_permissions.remove(perm)
    actions = list(
        PermissionLog.objects.filter(user=manager, permission="org.view_transfer")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["granted", "revoked"]


def test_someone_who_may_edit_an_employee_cannot_open_the_grant_screens(manager, client):
    """Otherwise a manager could grant themselves the salary of their people."""
    client.force_login(manager)
    employee = Employee.objects.get(username="manager")
    url = f"/admin/org/employee/{employee.pk}/permissions/"
    assert client.get(url).status_code == 302
    assert client.get(f"{url}user-manage/{manager.pk}/").status_code == 302


def test_nobody_grants_themselves_and_roles_get_no_object_grants(
    make_user, outsider, client, roles
):
    admin = make_user("admin")
    client.force_login(admin)
    base = f"/admin/org/employee/{outsider.pk}/permissions/"
    response = client.get(f"{base}user-manage/{admin.pk}/", follow=True)
    assert "You cannot grant permissions to yourself." in response.content.decode()
    group = roles["Manager"]
    response = client.get(f"{base}group-manage/{group.pk}/", follow=True)
    assert "role assignments" in response.content.decode()
    assert client.get(f"{base}user-manage/not-a-uuid/").status_code == 404
    assert client.get(f"{base}user-manage/{uuid.uuid4()}/").status_code == 404


def test_the_history_of_an_outside_record_is_a_404(manager, outsider, client):
    """simple-history would fall back to the history rows of an object it cannot see."""
    client.force_login(manager)
    assert client.get(f"/admin/org/employee/{outsider.pk}/history/").status_code == 404
    version = outsider.history.latest().history_id
    url = f"/admin/org/employee/{outsider.pk}/history/{version}/"
    assert client.get(url).status_code == 404
    assert PermissionLog.objects.filter(action="denied", user=manager).exists()


def _shown(language, stored):
    with translation.override(language):
        return text_shown(stored)


def test_the_object_of_a_grant_is_stored_untranslated_and_read_in_the_reader_s_language(
    manager, outsider, make_user, client
):
    admin = make_user("admin")
    # Granted by someone working in Chinese: the row keeps no language.
    with translation.override("zh-hans"), acting_as(admin):
        assign_perm("org.view_employee", manager, outsider)
    granted = PermissionLog.objects.filter(user=manager, action="granted").latest("id")
    assert "员工" not in granted.target
    assert _shown("en", granted.target) == f"employee: {outsider}"
    assert _shown("zh-hans", granted.target) == f"员工：{outsider}"
    client.force_login(admin)
    url = reverse("admin:access_permissionlog_changelist")
    assert f"employee: {outsider}" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    listed = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"员工：{outsider}" in listed
    page = reverse("admin:access_permissionlog_change", args=[granted.pk])
    shown = client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"员工：{outsider}" in shown


def test_an_object_stored_before_as_finished_text_reads_as_it_was():
    assert _shown("zh-hans", "employee: Outside") == "employee: Outside"
    assert _shown("zh-hans", "员工: Outside") == "员工: Outside"


def test_a_long_object_is_cut_inside_its_own_text_and_still_reads(root_department):
    long = Department(name="x" * 400, code="LONG")
    stored = target_stored(long)
    assert len(stored) <= PermissionLog._meta.get_field("target").max_length
    assert _shown("en", stored).startswith("department: xxx")
