"""Every "reason" box is unfold's text area (with its border), wherever a reason is asked."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.org.services import employee_create, employee_update

pytestmark = pytest.mark.django_db


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', html)
    assert match, f"no textarea {name}"
    return match.group(0)


def _bordered(tag: str) -> bool:
    classes = re.search(r'class="([^"]*)"', tag).group(1).split()
    return "border" in classes and "border-base-200" in classes


def test_the_change_form_reason_has_a_border(client, make_user, root_department):
    hr = make_user("hr")
    person = employee_create(actor=hr, username="ines", department=root_department)
    client.force_login(hr)
    response = client.get(reverse("admin:org_employee_change", args=[person.pk]))
    assert response.status_code == 200
    assert _bordered(_textarea(response.content.decode(), "change_reason"))


def test_the_role_assignment_reason_has_a_border(client, make_user):
    client.force_login(make_user("admin"))
    response = client.get(reverse("admin:access_roleassignment_add"))
    assert response.status_code == 200
    assert _bordered(_textarea(response.content.decode(), "reason"))


def test_the_revert_reason_has_a_border(client, make_user, root_department):
    hr = make_user("hr")
    person = employee_create(actor=hr, username="ines", department=root_department)
    employee_update(employee=person, actor=hr, position="Lead", salary=Decimal("1"))
    first = person.history.order_by("history_id").first()
    client.force_login(hr)
    url = reverse("admin:org_employee_history_revert", args=[person.pk, first.history_id])
    response = client.get(url)
    assert response.status_code == 200
    assert _bordered(_textarea(response.content.decode(), "reason"))


def test_an_action_form_reason_has_a_border():
    from apps.core.admin import ReasonForm

    assert _bordered(str(ReasonForm()["reason"]))
