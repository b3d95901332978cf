"""Roles say Roles, with useful columns, and each role's page shows what it may do."""

import re

import pytest
from django.contrib.auth.models import Group

ROLES = "/admin/auth/group/"


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_the_list_says_roles_with_members_and_descriptions(hr_client, make_user):
    make_user("manager", username="m1")
    make_user("manager", username="m2")
    response = hr_client.get(ROLES)
    assert response.status_code == 200
    assert _title(response) == "Roles | Backoffice"
    body = response.content.decode()
    assert "Groups" not in body.split("<body", 1)[1].split('id="nav-sidebar', 1)[0]
    manager = Group.objects.get(name="Manager")
    assert response.context["cl"].result_list.get(pk=manager.pk).members == 2
    assert "Their department and everything under it" in body


def test_a_role_page_shows_what_the_role_may_do(hr_client, roles):
    response = hr_client.get(f"{ROLES}{roles['HR'].pk}/change/")
    assert response.status_code == 200
    assert _title(response) == "HR | Backoffice"
    rights = {row.model: row.actions for row in response.context["rights"]}
    assert rights["Employees"][:3] == ["View", "Add", "Change"]
    assert "Can view salary" in rights["Employees"]
    assert "Delete" not in rights["Employees"]


def test_the_staff_role_gives_nothing_on_records(hr_client, roles):
    response = hr_client.get(f"{ROLES}{roles['Staff'].pk}/change/")
    assert response.context["rights"] == []
    assert b'data-testid="role-nothing"' in response.content


def test_a_role_page_in_chinese(hr_client, roles):
    hr_client.cookies["django_language"] = "zh-hans"
    response = hr_client.get(f"{ROLES}{roles['Manager'].pk}/change/")
    assert _title(response).startswith("经理 | ")
    rights = {row.model: row.actions for row in response.context["rights"]}
    assert rights["员工"][:2] == ["查看", "修改"]
    assert "角色" in response.content.decode()


def test_staff_may_not_open_roles(staff_client, roles):
    assert staff_client.get(ROLES).status_code == 403
    assert staff_client.get(f"{ROLES}{roles['HR'].pk}/change/").status_code == 403


@pytest.mark.parametrize("object_id", ["999999", "abc", "1%00", "9" * 40])
def test_an_unknown_or_malformed_role_is_a_404(hr_client, roles, object_id):
    assert hr_client.get(f"{ROLES}{object_id}/change/").status_code == 404


def test_roles_cannot_be_edited(hr_client, roles):
    response = hr_client.post(f"{ROLES}{roles['Staff'].pk}/change/", {"name": "Boss"})
    assert response.status_code in (403, 405, 200)
    assert Group.objects.filter(name="Staff").exists()


def test_role_names_in_chinese_in_the_assignment_filter_and_form(hr_client, roles):
    hr_client.cookies["django_language"] = "zh-hans"
    body = hr_client.get("/admin/access/roleassignment/").content.decode()
    assert "经理" in body
    form = hr_client.get("/admin/access/roleassignment/add/")
    choices = [label for _value, label in form.context["adminform"].form.fields["role"].choices]
    assert "经理" in choices
    assert "Manager" not in choices


def test_role_names_in_chinese_on_explain_access(hr_client, make_user):
    manager = make_user("manager", username="m1")
    hr_client.cookies["django_language"] = "zh-hans"
    response = hr_client.get(
        "/admin/access/roleassignment/explain/", {"user": str(manager.pk), "model": "org.employee"}
    )
    body = response.content.decode()
    assert "经理" in body
    assert "Role assignment: Manager" not in body


def test_an_assignment_s_page_names_its_role_in_chinese(hr_client, make_user):
    from apps.access.models import RoleAssignment

    manager = make_user("manager", username="m1")
    assignment = RoleAssignment.objects.get(user=manager)
    hr_client.cookies["django_language"] = "zh-hans"
    response = hr_client.get(f"/admin/access/roleassignment/{assignment.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "经理" in body
    assert ">Manager<" not in body
