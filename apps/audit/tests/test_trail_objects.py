"""The trail filtered by a record's name: a search over the records the reader may see."""

import pytest
from django.urls import reverse

from apps.audit.tests.exporting import export
from apps.audit.tests.test_trail import build_world
from apps.org.services import employee_create

pytestmark = pytest.mark.django_db

TRAIL = reverse("admin:audit_auditentry_changelist")


@pytest.fixture
def world(make_user, root_department):
    return build_world(make_user, root_department)


def _objects(response):
    assert response.status_code == 200
    return {row["entry"].object_id for row in response.context["rows"]}


def test_a_name_finds_that_persons_changes(world, client):
    client.force_login(world.hr)
    assert _objects(client.get(TRAIL, {"name": "Ines"})) == {str(world.inside.pk)}
    assert _objects(client.get(TRAIL, {"name": "ines inside"})) == {str(world.inside.pk)}


def test_a_code_finds_a_department_and_the_model_narrows(world, client):
    client.force_login(world.hr)
    found = _objects(client.get(TRAIL, {"name": "FIN", "model": "org.department"}))
    assert found == {str(world.fin.pk)}


def test_a_manager_finds_no_one_outside_their_subtree(world, client, make_user):
    client.force_login(make_user("manager", department=world.eng))
    assert _objects(client.get(TRAIL, {"name": "Otto"})) == set()
    assert _objects(client.get(TRAIL, {"name": "Ines"})) == {str(world.inside.pk)}


def test_an_auditor_cannot_find_by_salary(world, client, make_user):
    client.force_login(make_user("auditor"))
    assert _objects(client.get(TRAIL, {"name": "6000"})) == set()


def test_a_name_no_one_has_is_an_empty_page(world, client):
    client.force_login(world.hr)
    response = client.get(TRAIL, {"name": "Nobody at all"})
    assert _objects(response) == set()
    assert 'data-testid="trail-empty"' in response.content.decode()


def test_the_id_still_filters_for_links(world, client):
    client.force_login(world.hr)
    response = client.get(TRAIL, {"object": str(world.outside.pk)})
    assert _objects(response) == {str(world.outside.pk)}
    html = response.content.decode()
    assert 'data-testid="trail-one-record"' in html
    assert f'name="object" value="{world.outside.pk}"' in html


def test_the_export_takes_the_name_too(world, client, make_user):
    client.force_login(make_user("admin"))
    url = reverse("admin:audit_auditentry_export", args=["csv"])
    text = b"".join(export(client, url, {"name": "Otto"}).streaming_content).decode()
    assert str(world.outside.pk) in text
    assert str(world.inside.pk) not in text


def test_too_many_matches_say_so(world, client, monkeypatch):
    from apps.audit import trail_views

    monkeypatch.setattr(trail_views, "NAME_MATCHES", 1)
    for n in range(2):
        employee_create(actor=world.hr, username=f"ann{n}", first_name="Ann", department=world.eng)
    client.force_login(world.hr)
    response = client.get(TRAIL, {"name": "Ann"})
    assert response.status_code == 200
    assert 'data-testid="trail-names-cut"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "name=%00",
        "name=a%00b",
        "name=" + "x" * 10_000,
        "name=%ED%A0%80",
        "name=%F0%9F%98%80",
        "name=%25%5F%5C",
        "name=%27%20OR%201%3D1--",
    ],
)
def test_hostile_names_are_a_400_or_an_empty_page(world, client, query):
    client.force_login(world.hr)
    response = client.get(f"{TRAIL}?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert _objects(response) == set()


def test_hostile_export_names_are_a_400_or_an_empty_file(world, client, make_user):
    client.force_login(make_user("admin"))
    url = reverse("admin:audit_auditentry_export", args=["csv"])
    assert client.post(url, {"name": "a\x00"}).status_code == 400
    assert client.post(url, {"name": "x" * 10_000}).status_code == 400
    form = "application/x-www-form-urlencoded"
    response = export(client, url, data="name=a%ED%A0%80", content_type=form)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert len(lines) == 1  # the header alone


def test_a_lone_surrogate_in_a_name_is_a_form_error(world):
    from apps.audit.selectors import TrailFilterForm

    form = TrailFilterForm({"name": "a\ud800"}, user=world.hr)
    assert not form.is_valid()
    assert "name" in form.errors


# --- suggestions under the record field ---------------------------------------------------

RECORDS = reverse("admin:audit_auditentry_records")


def _suggested(client, **query):
    response = client.get(RECORDS, query)
    assert response.status_code == 200
    return [item["label"] for item in response.json()["results"]]


def test_suggestions_name_the_records_with_a_link_to_their_trail(world, client):
    client.force_login(world.hr)
    response = client.get(RECORDS, {"name": "Otto"})
    results = response.json()["results"]
    assert {i["kind"] for i in results} == {"Employee", "Transfer"}  # his transfer too
    [item] = [i for i in results if i["kind"] == "Employee"]
    assert item["label"] == str(world.outside)
    assert item["kind"] == "Employee"
    assert f"object={world.outside.pk}" in item["url"]
    assert "model=org.employee" in item["url"]
    assert _suggested(client, name="O") == []  # too short to ask


def test_suggestions_stay_in_the_readers_scope(world, client, make_user):
    client.force_login(make_user("manager", department=world.eng))
    assert _suggested(client, name="Otto") == []
    assert _suggested(client, name="Finance") == []
    assert _suggested(client, name="Ines") == [str(world.inside)]


def test_suggestions_need_the_trail_right(world, client, make_user):
    client.force_login(make_user("staff"))
    assert client.get(RECORDS, {"name": "Otto"}).status_code in (302, 403)


@pytest.mark.parametrize("query", ["name=a%00", "name=" + "x" * 10_000, "model=nope&name=ab"])
def test_hostile_suggestion_queries_are_a_400(world, client, query):
    client.force_login(world.hr)
    response = client.get(f"{RECORDS}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]


def test_a_mangled_suggestion_query_is_never_a_500(world, client):
    client.force_login(world.hr)
    response = client.get(f"{RECORDS}?name=%ED%A0%80%ED%A0%80")
    assert response.status_code in (200, 400)
