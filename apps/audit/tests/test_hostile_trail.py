"""Hostile input to the trail, its exports and the compare page: a 400 or 404, never a 500.

A NUL character reaches PostgreSQL only there; the answer asserted is the same on both.
"""

import pytest
from django.urls import reverse

from apps.audit.selectors import TrailFilterForm
from apps.org.services import department_update

pytestmark = pytest.mark.django_db

TRAIL = reverse("admin:audit_auditentry_changelist")
PARAMS = list(TrailFilterForm.base_fields)


@pytest.fixture
def auditor(client, make_user, root_department):
    department_update(department=root_department, actor=None, description="A change")
    client.force_login(make_user("auditor"))
    return client


def test_the_filters_named_here_are_the_trails():
    assert {"model", "object", "actor", "date_from", "cursor", "before"} <= set(PARAMS)


@pytest.mark.parametrize("param", PARAMS)
@pytest.mark.parametrize("value", ["\x00", "a\x00b"])
def test_a_nul_in_any_trail_filter_is_a_400(auditor, param, value):
    assert auditor.get(TRAIL, {param: value}).status_code == 400


@pytest.mark.parametrize("param", PARAMS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_nul_in_any_export_filter_is_a_400(auditor, param, fmt):
    url = reverse("admin:audit_auditentry_export", args=[fmt])
    assert auditor.post(url, {param: "a\x00"}).status_code == 400


@pytest.mark.parametrize("query", ["a=%00&b=1", "a=1&b=%00", "a=1%00&b=2", "a=%ED%A0%80&b=1"])
def test_a_nul_in_the_compare_page_is_a_400(client, make_user, root_department, query):
    client.force_login(make_user("hr"))
    url = f"/admin/org/department/{root_department.pk}/history/compare/?{query}"
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("version", ["%00", "1%00", "abc", "password"])
def test_a_bad_version_in_the_revert_and_version_pages_is_a_404(
    client, make_user, root_department, version
):
    client.force_login(make_user("hr"))
    base = f"/admin/org/department/{root_department.pk}/history/{version}/"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}revert/").status_code == 404
