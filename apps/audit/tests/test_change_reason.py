"""An edit in the admin can say why: the reason lands in history and in the trail."""

import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.org.models import Department
from apps.org.services import department_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(root_department):
    return department_create(actor=None, name="Web", code="WEB", parent=root_department)


def _change(department):
    return reverse("admin:org_department_change", args=[department.pk])


def _form_data(department, **changes):
    data = {
        "name": department.name,
        "code": department.code,
        "parent": str(department.parent_id),
        "manager": "",
        "description": department.description,
    }
    data.update(changes)
    return data


def test_the_change_form_asks_for_an_optional_reason(hr_client, web):
    page = hr_client.get(_change(web))
    assert "change_reason" in page.context["adminform"].form.fields
    assert "Reason for this change" in page.text


def test_the_reason_goes_into_history_and_the_trail(hr_client, hr_user, web):
    data = _form_data(web, name="Web Platform", change_reason="Renamed after the re-org")
    response = hr_client.post(_change(web), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = Department.history.filter(id=web.pk).latest("history_date")
    assert latest.history_change_reason == "Renamed after the re-org"
    assert latest.history_user == hr_user
    entry = AuditEntry.objects.get(history_id=latest.history_id, object_id=str(web.pk))
    assert entry.reason == "Renamed after the re-org"
    assert entry.actor == hr_user
    assert entry.action == AuditEntry.Action.CHANGED
    assert entry.fields == ["name"]


def test_without_a_reason_the_edit_is_saved_with_none(hr_client, web):
    assert hr_client.post(_change(web), _form_data(web, name="Web 2")).status_code == 302
    latest = Department.history.filter(id=web.pk).latest("history_date")
    assert latest.history_change_reason in (None, "")


@pytest.mark.parametrize("reason", ["x" * 501, "a\x00b"])
def test_an_oversized_or_nul_reason_is_a_form_error_and_nothing_changes(hr_client, web, reason):
    before = Department.history.filter(id=web.pk).count()
    response = hr_client.post(_change(web), _form_data(web, name="Never", change_reason=reason))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["change_reason"]
    web.refresh_from_db()
    assert web.name == "Web"
    assert Department.history.filter(id=web.pk).count() == before


def test_readers_see_no_reason_field(client, make_user, web):
    client.force_login(make_user("auditor"))
    page = client.get(_change(web))
    assert page.status_code == 200
    assert "change_reason" not in page.context["adminform"].form.fields


def test_a_move_in_the_change_form_keeps_the_forms_reason(hr_client, web, root_department):
    other = department_create(actor=None, name="Other", code="OTH", parent=root_department)
    data = _form_data(web, parent=str(other.pk), change_reason="Now reports to Other")
    assert hr_client.post(_change(web), data).status_code == 302
    latest = Department.history.filter(id=web.pk).latest("history_date")
    assert latest.parent_id == other.pk
    assert latest.history_change_reason == "Now reports to Other"
    move = AuditEntry.objects.filter(object_id=str(web.pk), action=AuditEntry.Action.MOVED).get()
    assert move.reason == "Now reports to Other"
    # The move is the one new version: no empty "changed" one after it.
    assert AuditEntry.objects.filter(object_id=str(web.pk)).latest("at", "id") == move
