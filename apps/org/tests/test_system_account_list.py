"""The system account is not a person: the employee list, its search, filters, counts and
autocompletes leave it out for everyone; only superusers reach its record."""

import json

import pytest
from django.urls import reverse

from apps.core.history import system_actor
from apps.org.models import Department, Employee

pytestmark = pytest.mark.django_db

LIST = "/admin/org/employee/"


@pytest.fixture
def people(make_user, root_department):
    system_actor()  # the account seeds and jobs act as (created on first use)
    return {p: make_user(p) for p in ("admin", "hr", "manager")}


def _system():
    return Employee.objects.get(is_system=True)


def _listed(response):
    return [str(obj.pk) for obj in response.context["cl"].result_list]


@pytest.mark.parametrize("persona", ["admin", "hr", "manager"])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "system"},
        {"is_active__exact": "0"},
        {"left_from": "2000-01-01"},
    ],
)
def test_the_list_leaves_the_system_account_out(client, people, persona, query):
    client.force_login(people[persona])
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert str(_system().pk) not in _listed(response)


def test_the_inactive_filter_counts_only_people(client, people):
    client.force_login(people["hr"])
    response = client.get(LIST, {"is_active__exact": "0"})
    assert response.context["cl"].result_count == 0


def test_the_total_is_the_number_of_people(client, people):
    client.force_login(people["admin"])
    response = client.get(LIST)
    assert response.context["cl"].result_count == 3


@pytest.mark.parametrize("persona", ["admin", "hr"])
def test_autocompletes_never_offer_the_system_account(client, people, persona):
    client.force_login(people[persona])
    for app, model, field in [
        ("org", "department", "manager"),
        ("access", "roleassignment", "user"),
    ]:
        response = client.get(
            reverse("admin:autocomplete"),
            {"term": "sys", "app_label": app, "model_name": model, "field_name": field},
        )
        assert response.status_code == 200
        ids = [r["id"] for r in json.loads(response.content)["results"]]
        assert str(_system().pk) not in ids


def test_only_superusers_reach_the_system_account_s_record(client, people):
    system = _system()
    url = reverse("admin:org_employee_change", args=[system.pk])
    client.force_login(people["admin"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:org_employee_history", args=[system.pk])).status_code == 200
    client.force_login(people["hr"])
    assert client.get(url).status_code in (302, 404)
    assert client.get(url, follow=True).status_code in (200, 404)
    assert not Employee.objects.filter(pk=system.pk, is_active=True).exists()


def test_a_history_page_links_the_system_actor_only_for_superusers(client, people):
    department = Department.objects.filter(parent=None).first()
    url = reverse("admin:org_department_history", args=[department.pk])
    system_link = reverse("admin:org_employee_change", args=[_system().pk])
    client.force_login(people["admin"])
    assert system_link in client.get(url).text
    client.force_login(people["hr"])
    page = client.get(url)
    assert page.status_code == 200
    assert system_link not in page.text


@pytest.mark.parametrize("persona", ["admin", "hr"])
def test_the_command_palette_does_not_offer_the_system_account(client, people, persona):
    """Named "Backoffice System": a search for it finds no record to open."""
    from django.core.cache import cache

    cache.clear()
    client.force_login(people[persona])
    response = client.get("/admin/search/", {"s": "system", "extended": "1"})
    assert response.status_code == 200
    assert reverse("admin:org_employee_change", args=[_system().pk]) not in response.text
    cache.clear()
