"""Breadcrumbs and tab titles name the page, in both languages, and link only where allowed."""

import re

import pytest

from apps.org.services import employee_create

pytestmark = pytest.mark.django_db


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def _crumbs(response) -> str:
    html = response.content.decode()
    return re.search(r'<h1 class="overflow-hidden.*?</h1>', html, re.S).group(0)


@pytest.fixture
def ada(root_department):
    return employee_create(
        actor=None,
        username="ada",
        first_name="Ada",
        last_name="Lovelace",
        department=root_department,
    )


def test_a_list_is_titled_by_its_plural(hr_client):
    response = hr_client.get("/admin/org/employee/")
    assert _title(response) == "Employees | Backoffice"
    assert "Select employee" not in response.content.decode()


def test_a_record_is_titled_by_its_name_and_list(hr_client, ada):
    response = hr_client.get(f"/admin/org/employee/{ada.pk}/change/")
    assert _title(response) == f"{ada} · Employees | Backoffice"
    crumbs = _crumbs(response)
    assert 'href="/admin/org/employee/"' in crumbs
    assert str(ada) in crumbs


def test_the_add_form_and_the_home_page(hr_client):
    assert (
        _title(hr_client.get("/admin/org/employee/add/")) == "Add employee · Employees | Backoffice"
    )
    assert _title(hr_client.get("/admin/")) == "Home | Backoffice"


def test_titles_in_chinese(hr_client, ada):
    hr_client.cookies["django_language"] = "zh-hans"
    assert _title(hr_client.get("/admin/org/employee/")).startswith("员工 | ")
    response = hr_client.get(f"/admin/org/employee/{ada.pk}/change/")
    assert _title(response).startswith(f"{ada} · 员工 | ")
    assert _title(hr_client.get("/admin/")).startswith("首页 | ")


@pytest.mark.parametrize(
    "url",
    ["/admin/org/employee/me/", "/admin/org/employee/directory/", "/admin/org/department/chart/"],
)
def test_staff_pages_link_no_crumb_staff_may_not_open(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code == 200
    for href in re.findall(r'href="([^"]+)"', _crumbs(response)):
        assert staff_client.get(href).status_code == 200, href


def test_my_profile_has_a_single_crumb(staff_client):
    response = staff_client.get("/admin/org/employee/me/")
    assert "href" not in _crumbs(response)
    assert _title(response) == "My profile | Backoffice"
