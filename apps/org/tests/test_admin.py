from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.org.models import Department, Employee
from apps.org.services import department_create, employee_create, employee_update
from apps.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

EMPLOYEES = reverse("admin:org_employee_changelist")
DEPARTMENTS = reverse("admin:org_department_changelist")


@pytest.fixture
def eng(root_department):
    return department_create(actor=None, name="Engineering", parent=root_department)


@pytest.fixture
def web(eng):
    return department_create(actor=None, name="Web", code="WEB", parent=eng)


def _queries(client, url):
    """Queries of one request, after a warm-up request fills per-process caches."""
    from django.db import connection

    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def _change(obj):
    return reverse(f"admin:org_{obj._meta.model_name}_change", args=[obj.pk])


# --- who may open what -----------------------------------------------------------


@pytest.mark.parametrize("url", [EMPLOYEES, DEPARTMENTS])
def test_staff_is_refused_the_org_lists(staff_client, url):
    assert staff_client.get(url).status_code == 403


@pytest.mark.parametrize("url", [EMPLOYEES, DEPARTMENTS])
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_auditor_can_read_but_not_add(client, make_user):
    client.force_login(make_user("auditor"))
    assert client.get(EMPLOYEES).status_code == 200
    assert client.get(reverse("admin:org_employee_add")).status_code == 403


def test_the_root_url_redirects_to_the_admin(client):
    assert client.get("/")["Location"] == reverse("admin:index")


# --- query counts do not grow with rows ---------------------------------------------


@pytest.mark.parametrize("url", [EMPLOYEES, DEPARTMENTS, f"{EMPLOYEES}?q=person"])
def test_changelist_query_count_does_not_grow_with_rows(hr_client, web, url):
    EmployeeFactory.create_batch(3, department=web)
    few = _queries(hr_client, url)
    EmployeeFactory.create_batch(40, department=web)
    for i in range(10):
        department_create(actor=None, name=f"Team {i}", code=f"TM{'ABCDEFGHIJ'[i]}", parent=web)
    assert _queries(hr_client, url) == few


def test_employee_changelist_query_count_is_pinned(hr_client, web, django_assert_max_num_queries):
    EmployeeFactory.create_batch(20, department=web)
    # session, user, groups perms, user perms, count, page (department joined in).
    with django_assert_max_num_queries(8):
        hr_client.get(EMPLOYEES)


@pytest.mark.parametrize("kind", ["employee", "department"])
def test_change_form_query_count_does_not_grow_with_rows(hr_client, web, kind):
    target = EmployeeFactory(department=web) if kind == "employee" else web
    few = _queries(hr_client, _change(target))
    EmployeeFactory.create_batch(30, department=web)
    for i in range(10):
        department_create(actor=None, name=f"Team {i}", code=f"TM{'ABCDEFGHIJ'[i]}", parent=web)
    assert _queries(hr_client, _change(target)) == few


def test_history_query_count_does_not_grow_with_versions(hr_client, hr_user, web):
    emp = employee_create(actor=None, username="a", department=web)
    employee_update(employee=emp, actor=hr_user, position="One")
    url = reverse("admin:org_employee_history", args=[emp.pk])
    few = _queries(hr_client, url)
    for i in range(10):
        employee_update(employee=emp, actor=hr_user, position=f"P{i}")
    assert _queries(hr_client, url) == few


# --- search and filters -------------------------------------------------------------


@pytest.mark.parametrize("term", ["GH-77", "Grace", "Hopper", "grace.h@example"])
def test_search_finds_by_employee_id_name_and_email(hr_client, web, term):
    employee_create(
        actor=None,
        username="gh",
        first_name="Grace",
        last_name="Hopper",
        email="grace.h@example.com",
        department=web,
        employee_id="GH-77",
    )
    EmployeeFactory(first_name="Alan", last_name="Turing", department=web)
    response = hr_client.get(EMPLOYEES, {"q": term})
    assert "Grace Hopper" in response.text
    assert "Alan Turing" not in response.text


def test_department_filter_includes_sub_departments(hr_client, root_department, eng, web):
    EmployeeFactory(first_name="Webby", last_name="Dev", department=web)
    EmployeeFactory(first_name="Rooty", last_name="Boss", department=root_department)
    response = hr_client.get(EMPLOYEES, {"department__id__exact": str(eng.pk)})
    assert "Webby Dev" in response.text
    assert "Rooty Boss" not in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"department__id__exact": "not-a-uuid"},
        {"department__id__exact": "00000000-0000-0000-0000-000000000000"},
        {"hire_date_from": "yesterday"},
        {"is_active__exact": "maybe"},
        {"o": "99"},
        {"q": "x" * 5000},
        {"q": "'; DROP TABLE org_employee; --"},
        {"p": "-1"},
    ],
)
def test_hostile_query_strings_never_error(hr_client, web, query):
    response = hr_client.get(EMPLOYEES, query)
    assert response.status_code in (200, 302)
    assert Employee.objects.exists()


# --- bad object ids -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["change/", "history/", "permissions/", "history/1/"])
@pytest.mark.parametrize("model", ["employee", "department"])
def test_a_non_uuid_in_an_admin_url_is_404(hr_client, model, suffix):
    url = f"/admin/org/{model}/not-a-uuid/{suffix}"
    assert hr_client.get(url).status_code == 404


def test_an_unknown_uuid_is_404(hr_client):
    url = reverse("admin:org_employee_change", args=["00000000-0000-0000-0000-000000000000"])
    assert hr_client.get(url).status_code == 404


def test_delete_is_not_offered(hr_client, web):
    emp = EmployeeFactory(department=web)
    assert hr_client.get(reverse("admin:org_employee_delete", args=[emp.pk])).status_code == 403
    assert "delete_selected" not in hr_client.get(EMPLOYEES).text


# --- salary is a field-level permission ------------------------------------------------


def _salary_employee(web, hr_user):
    emp = employee_create(
        actor=None,
        username="rich",
        first_name="Rich",
        last_name="Person",
        department=web,
        salary=Decimal("12345.67"),
    )
    employee_update(employee=emp, actor=hr_user, salary=Decimal("23456.78"))
    return emp


def test_auditor_never_sees_salary(client, make_user, hr_user, web):
    emp = _salary_employee(web, hr_user)
    client.force_login(make_user("auditor"))
    pages = [
        client.get(EMPLOYEES).text,
        client.get(EMPLOYEES, {"o": "6"}).text,
        client.get(_change(emp)).text,
        client.get(reverse("admin:org_employee_history", args=[emp.pk])).text,
    ]
    for page in pages:
        for figure in ("12345", "23456", "12,345", "23,456"):
            assert figure not in page
        assert "column-salary" not in page
        assert 'name="salary"' not in page


def test_auditor_cannot_find_people_by_salary(client, make_user, hr_user, web):
    _salary_employee(web, hr_user)
    client.force_login(make_user("auditor"))
    response = client.get(EMPLOYEES, {"q": "23456.78"})
    assert "Rich Person" not in response.text


def test_hr_sees_salary_in_list_form_and_history(hr_client, hr_user, web):
    emp = _salary_employee(web, hr_user)
    assert "¥23,456.78" in hr_client.get(EMPLOYEES).text  # money, as salary_format reads it
    assert 'name="salary"' in hr_client.get(_change(emp)).text
    history = hr_client.get(reverse("admin:org_employee_history", args=[emp.pk])).text
    # Written as money in the history (apps.org.money.salary_format).
    assert "12,345" in history
    assert "23,456" in history


# --- forms and actions --------------------------------------------------------------


def test_add_department_with_a_blank_code_suggests_one(hr_client, root_department):
    response = hr_client.post(
        reverse("admin:org_department_add"),
        {"name": "Quality Assurance", "code": "", "parent": root_department.pk, "description": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    dept = Department.objects.get(name="Quality Assurance")
    assert dept.code == "QA"
    assert dept.history.get().history_user.username == "hr"


def test_add_department_with_an_invalid_code_shows_the_error(hr_client, root_department):
    response = hr_client.post(
        reverse("admin:org_department_add"),
        {"name": "Quality", "code": "qa1", "parent": root_department.pk},
    )
    assert response.status_code == 200
    assert "capital letters" in response.text
    assert not Department.objects.filter(name="Quality").exists()


def test_moving_a_department_under_its_descendant_is_refused_in_the_form(hr_client, eng, web):
    response = hr_client.post(
        _change(eng), {"name": eng.name, "code": eng.code, "parent": web.pk, "description": ""}
    )
    assert response.status_code == 200
    assert "cannot be moved under itself" in response.text
    eng.refresh_from_db()
    assert eng.parent_id != web.pk


def _employee_form(dept, **overrides):
    data = {
        "username": "newbie",
        "usable_password": "true",
        "password1": "A-strong-pass-2026",
        "password2": "A-strong-pass-2026",
        "first_name": "New",
        "last_name": "Bie",
        "email": "newbie@example.com",
        "employee_id": "",
        "department": dept.pk,
        "position": "Engineer",
        "phone": "+44 20 7946 0958",
        "hire_date": "2026-01-05",
        "salary": "5000",
    }
    data.update(overrides)
    return data


def test_add_employee_generates_an_id_and_normalises_the_phone(hr_client, web):
    response = hr_client.post(reverse("admin:org_employee_add"), _employee_form(web))
    assert response.status_code == 302
    emp = Employee.objects.get(username="newbie")
    assert emp.employee_id.startswith("E")
    assert emp.phone == "+442079460958"
    assert emp.check_password("A-strong-pass-2026")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("salary", "-1", "greater than or equal to 0"),
        ("phone", "not a phone", "international format"),
        ("employee_id", "DUP1", "already exists"),
        ("hire_date", "2026-13-45", "valid date"),
        ("department", "not-a-uuid", "valid UUID"),
    ],
)
def test_add_employee_with_bad_input_shows_an_error_and_saves_nothing(
    hr_client, web, field, value, message
):
    employee_create(actor=None, username="other", employee_id="DUP1")
    response = hr_client.post(
        reverse("admin:org_employee_add"), _employee_form(web, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.text
    assert not Employee.objects.filter(username="newbie").exists()


def test_a_10_mb_form_field_is_rejected(hr_client, web):
    data = _employee_form(web, position="x" * (10 * 1024 * 1024))
    response = hr_client.post(reverse("admin:org_employee_add"), data)
    assert response.status_code == 400
    assert not Employee.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("field", ["is_superuser", "groups", "user_permissions"])
def test_hr_cannot_grant_superuser_roles_or_permissions(hr_client, hr_user, roles, field):
    page = hr_client.get(_change(hr_user)).text
    assert f'name="{field}"' not in page


def test_deactivate_action_asks_for_confirmation_then_applies(hr_client, web):
    emp = EmployeeFactory(department=web)
    data = {"action": "deactivate_selected", ACTION_CHECKBOX_NAME: [str(emp.pk)]}
    confirm = hr_client.post(EMPLOYEES, data)
    assert confirm.status_code == 200
    assert str(emp) in confirm.text
    emp.refresh_from_db()
    assert emp.is_active
    done = hr_client.post(EMPLOYEES, {**data, "post": "yes"}, follow=True)
    assert "Deactivated 1 record" in done.text
    emp.refresh_from_db()
    assert not emp.is_active


def test_deactivating_a_department_with_members_is_refused_with_the_reason(hr_client, web):
    EmployeeFactory(department=web)
    data = {"action": "deactivate_selected", ACTION_CHECKBOX_NAME: [str(web.pk)], "post": "yes"}
    response = hr_client.post(DEPARTMENTS, data, follow=True)
    assert "1 active employee" in response.text
    web.refresh_from_db()
    assert web.is_active


def test_restore_action_reactivates(hr_client, web):
    from apps.org.services import employee_deactivate

    emp = EmployeeFactory(department=web)
    employee_deactivate(employee=emp, actor=None)
    data = {"action": "restore_selected", ACTION_CHECKBOX_NAME: [str(emp.pk)], "post": "yes"}
    hr_client.post(EMPLOYEES, data)
    emp.refresh_from_db()
    assert emp.is_active


def test_editing_an_employee_records_a_field_level_change(hr_client, web):
    emp = employee_create(actor=None, username="ed", department=web, position="Junior")
    page = hr_client.get(_change(emp))
    form = page.context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None
        and k
        not in ("password", "groups", "user_permissions", "last_login", "date_joined", "is_active")
    }
    data.update({"department": web.pk, "position": "Senior", "salary": ""})
    response = hr_client.post(_change(emp), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    history = hr_client.get(reverse("admin:org_employee_history", args=[emp.pk])).text
    assert "Junior" in history
    assert "Senior" in history


def test_hr_posting_a_role_grant_is_ignored(hr_client, hr_user, roles, web):
    emp = employee_create(actor=None, username="climber", department=web)
    page = hr_client.get(_change(emp))
    form = page.context["adminform"].form
    skip = ("password", "groups", "user_permissions", "last_login", "date_joined", "is_active")
    data = {k: v for k, v in form.initial.items() if v is not None and k not in skip}
    data.update({"department": web.pk, "salary": "", "groups": [roles["Administrator"].pk]})
    data["is_superuser"] = "on"
    assert hr_client.post(_change(emp), data).status_code == 302
    emp.refresh_from_db()
    assert not emp.is_superuser
    assert not emp.groups.exists()


def test_roles_list_and_form_render_for_an_administrator(client, make_user, roles):
    client.force_login(make_user("admin"))
    assert "Security officer" in client.get(reverse("admin:auth_group_changelist")).text
    change = reverse("admin:auth_group_change", args=[roles["HR"].pk])
    assert client.get(change).status_code == 200


def test_refusal_is_a_styled_page_with_a_way_back(staff_client):
    response = staff_client.get(EMPLOYEES)
    assert response.status_code == 403
    assert 'data-testid="error-403"' in response.text
    assert reverse("admin:index") in response.text


def test_not_found_is_a_styled_page(hr_client):
    response = hr_client.get("/admin/org/employee/not-a-uuid/change/")
    assert response.status_code == 404
    assert 'data-testid="error-404"' in response.text


def test_history_shows_no_none_for_an_empty_reason(hr_client, hr_user, web):
    emp = employee_create(actor=hr_user, username="nr", department=web)
    employee_update(employee=emp, actor=hr_user, position="X")
    page = hr_client.get(reverse("admin:org_employee_history", args=[emp.pk])).text
    assert ">None<" not in page.replace(" ", "").replace("\n", "")


def test_department_autocomplete_skips_the_headcount_subqueries(hr_client, web):
    from django.db import connection

    url = reverse("admin:autocomplete")
    params = {
        "app_label": "org",
        "model_name": "employee",
        "field_name": "department",
        "term": "We",
    }
    with CaptureQueriesContext(connection) as ctx:
        response = hr_client.get(url, params)
    assert response.status_code == 200
    assert "Web (WEB)" in response.text
    department_queries = [q["sql"] for q in ctx.captured_queries if "org_department" in q["sql"]]
    assert department_queries
    assert not any('"org_employee"' in sql for sql in department_queries)
