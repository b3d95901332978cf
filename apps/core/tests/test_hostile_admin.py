"""Hostile input to the admin's own endpoints: a 400 or a 404, never a 500.

NUL characters reach PostgreSQL only there (SQLite stores them), but every test here
asserts the same answer on both databases.
"""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import BadRequest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from apps.access.models import RoleAssignment
from apps.core.admin_site import BackofficeAdminSite
from apps.org.models import Employee
from apps.org.services import department_create, employee_create
from apps.org.transfers import transfer_request

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = reverse("admin:autocomplete")
SEARCH = reverse("admin:search")


@pytest.fixture
def admin_user(make_user):
    return make_user("admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def records(admin_user, root_department):
    """One record of every model whose history has version pages."""
    person = employee_create(actor=None, username="pat", department=root_department)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    transfer = transfer_request(
        employee=person,
        actor=admin_user,
        to_department=fin,
        effective_date=timezone.localdate() + datetime.timedelta(days=3),
        reason="Needed there",
    )
    return {
        "org/employee": person.pk,
        "org/department": root_department.pk,
        "org/transfer": transfer.pk,
        "access/roleassignment": RoleAssignment.objects.filter(user=admin_user).first().pk,
    }


@pytest.mark.parametrize(
    "model", ["org/employee", "org/department", "org/transfer", "access/roleassignment"]
)
@pytest.mark.parametrize(
    "version", ["abc", "password", "0", "-1", "1.5", "١", "9" * 19, "9" * 5000, "1%00"]
)
def test_a_version_page_with_a_version_id_that_is_no_number_is_a_404(
    admin_client, records, model, version
):
    url = f"/admin/{model}/{records[model]}/history/{version}/"
    assert admin_client.get(url).status_code == 404


def test_a_real_version_page_still_opens(admin_client, records):
    person = records["org/employee"]
    version = Employee.history.filter(id=person).latest().history_id
    response = admin_client.get(f"/admin/org/employee/{person}/history/{version}/")
    assert response.status_code == 200


def test_the_history_page_links_relative_paths_that_are_404s(admin_client, records):
    """``history/password/`` is the change form's relative link, followed from the history."""
    person = records["org/employee"]
    assert admin_client.get(f"/admin/org/employee/{person}/history/password/").status_code == 404


@pytest.mark.parametrize("params", [{"term": "a\x00"}, {"term": "\x00"}, {"term": "\x00b"}])
@pytest.mark.parametrize(
    "source",
    [
        ("org", "transfer", "to_department"),
        ("org", "employee", "department"),
        ("org", "department", "manager"),
        ("access", "roleassignment", "user"),
        ("access", "roleassignment", "role"),
    ],
)
def test_a_nul_in_the_autocomplete_is_a_400(admin_client, records, source, params):
    app_label, model_name, field_name = source
    query = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
    response = admin_client.get(AUTOCOMPLETE, {**query, **params})
    assert response.status_code == 400


def test_the_autocomplete_still_answers(admin_client, records):
    query = {"app_label": "org", "model_name": "employee", "field_name": "department"}
    response = admin_client.get(AUTOCOMPLETE, {**query, "term": "Backoffice"})
    assert response.status_code == 200
    assert response.json()["results"][0]["text"].startswith("Backoffice Group")


@pytest.mark.parametrize("page", ["1\x00", "abc", "0", "99"])
def test_a_bad_autocomplete_page_is_a_400_or_404(admin_client, records, page):
    query = {"app_label": "org", "model_name": "employee", "field_name": "department"}
    response = admin_client.get(AUTOCOMPLETE, {**query, "term": "B", "page": page})
    assert response.status_code in (400, 404)


# --- The site's search (/admin/search/): needs the site class (settings) --------------


def test_the_admin_site_is_ours():
    """INSTALLED_APPS names ``apps.core.admin_site.BackofficeAdminConfig`` (and unfold's
    ``BasicAppConfig``), so ``admin.site`` is a BackofficeAdminSite."""
    assert isinstance(admin.site, BackofficeAdminSite)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"s": "\x00"}, 400),
        ({"s": "emp\x00", "extended": "1"}, 400),
        ({"s": "emp", "page": "abc"}, 404),
        ({"s": "emp", "page": "0"}, 404),
        ({"s": "emp", "page": "99"}, 404),
        ({"s": "emp", "page": "9" * 5000}, 404),
        ({"s": "emp", "page": "-1"}, 404),
    ],
)
def test_hostile_site_searches_are_a_400_or_404(rf, admin_user, query, status):
    site = BackofficeAdminSite()
    request = rf.get(SEARCH, query)
    request.user = admin_user
    with pytest.raises({400: BadRequest, 404: Http404}[status]):
        site.search(request)


def test_the_site_search_still_finds(rf, admin_user):
    site = BackofficeAdminSite()
    request = rf.get(SEARCH, {"s": "emp"})
    request.user = admin_user
    response = site.search(request)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    ["s=%00", "s=emp&page=abc", "s=emp&page=0", "s=emp&page=99"],
)
def test_hostile_site_searches_through_the_url_are_a_400_or_404(admin_client, query):
    assert admin_client.get(f"{SEARCH}?{query}").status_code in (400, 404)


@pytest.mark.parametrize(
    ("url", "action"),
    [
        (reverse("admin:security_lockout_changelist"), "unlock_selected"),
        (reverse("admin:security_usersession_changelist"), "end_selected"),
        (reverse("admin:org_employee_changelist"), "deactivate_selected"),
    ],
)
@pytest.mark.parametrize("value", ["abc", "1\x00", "9" * 30, "-" * 5000, "1.5"])
def test_a_malformed_selection_is_a_404_on_every_list(admin_client, url, action, value):
    response = admin_client.post(url, {"action": action, "_selected_action": [value], "index": "0"})
    assert response.status_code == 404
