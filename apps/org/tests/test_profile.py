"""Everyone's own profile: their details and the phone number they may change, nothing else."""

import pytest
from django.core.exceptions import ValidationError

from apps.org.models import Employee
from apps.org.services import employee_profile_update

PROFILE = "/admin/org/employee/me/"


@pytest.fixture
def staff(make_user):
    return make_user("staff")


def test_staff_sees_their_own_details_without_salary(client, staff):
    Employee.objects.filter(pk=staff.pk).update(salary=123456)
    client.force_login(staff)
    response = client.get(PROFILE)
    assert response.status_code == 200
    body = response.content.decode()
    assert staff.employee_id in body
    assert "123456" not in body.replace(",", "")


def test_hr_sees_their_own_salary(client, make_user):
    hr = make_user("hr")
    Employee.objects.filter(pk=hr.pk).update(salary=98765)
    client.force_login(hr)
    assert "98765" in client.get(PROFILE).content.decode().replace(",", "")


def test_staff_changes_their_phone_with_history(client, staff):
    client.force_login(staff)
    response = client.post(PROFILE, {"phone": "+44 20 7946 0000"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.phone == "+442079460000"
    assert staff.history.latest().history_user == staff


@pytest.mark.parametrize("phone", ["not a phone", "+1" + "9" * 40, "<script>alert(1)</script>"])
def test_a_bad_phone_is_a_form_error_and_nothing_changes(client, staff, phone):
    client.force_login(staff)
    response = client.post(PROFILE, {"phone": phone})
    assert response.status_code == 200
    assert response.context["form"].errors
    staff.refresh_from_db()
    assert staff.phone == ""


def test_only_the_phone_can_be_changed_and_only_by_the_person(staff, make_user):
    other = make_user("auditor")
    with pytest.raises(ValidationError, match="only change your own"):
        employee_profile_update(employee=staff, actor=other, phone="+442079460000")
    with pytest.raises(ValidationError, match="cannot be changed here"):
        employee_profile_update(employee=staff, actor=staff, salary=1)


def test_extra_posted_fields_are_ignored(client, staff):
    client.force_login(staff)
    client.post(PROFILE, {"phone": "", "salary": "999999", "department": "x", "is_superuser": "on"})
    staff.refresh_from_db()
    assert (staff.salary, staff.is_superuser) == (None, False)


def test_staff_still_cannot_open_anyone_else(client, staff, make_user):
    other = make_user("auditor")
    client.force_login(staff)
    assert client.get(f"/admin/org/employee/{other.pk}/change/").status_code == 403
    assert client.get("/admin/org/employee/").status_code == 403


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
