"""The trail and its exports show each change old → new, as far as the reader may see it."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.audit.tests.exporting import export
from apps.audit.tests.test_trail import build_world
from apps.core.spreadsheets import starts_formula
from apps.org.services import department_create, department_update, employee_update

pytestmark = pytest.mark.django_db

TRAIL = reverse("admin:audit_auditentry_changelist")


@pytest.fixture
def world(make_user, root_department):
    return build_world(make_user, root_department)


def _changes(html):
    """(field, old, new) of every change on a trail page."""
    return re.findall(
        r'data-testid="trail-change" data-field="([^"]+)">.*?data-side="old">([^<]*)</span>'
        r'.*?data-side="new">([^<]*)</span>',
        html,
        re.S,
    )


def _page(client, user, **query):
    client.force_login(user)
    response = client.get(TRAIL, query)
    assert response.status_code == 200
    return response.content.decode()


def test_hr_sees_old_and_new_values_salary_as_money(world, client):
    html = _page(client, world.hr, object=str(world.inside.pk))
    changes = _changes(html)
    assert ("position", "Analyst", "Lead") in changes
    assert ("salary", "¥5,000.00", "¥6,000.00") in changes
    assert ("position", "—", "Analyst") in changes
    assert "Changes" in html


@pytest.mark.parametrize("persona", ["manager", "auditor", "security"])
def test_readers_without_the_salary_see_no_salary_value(world, client, make_user, persona):
    user = make_user(persona, department=world.eng) if persona == "manager" else make_user(persona)
    html = _page(client, user, object=str(world.inside.pk))
    changes = _changes(html)
    assert ("position", "Analyst", "Lead") in changes
    assert not [c for c in changes if c[0] == "salary"]
    for figure in ("5,000", "6,000", "5000", "6000"):
        assert figure not in html


def test_a_manager_sees_no_values_outside_their_subtree(world, client, make_user):
    html = _page(client, make_user("manager", department=world.eng))
    assert "Otto" not in html
    assert "Finance" not in html


def test_a_salary_reader_in_one_subtree_sees_salary_values_there_only(
    world, client, make_user, roles
):
    from apps.access.roles import HR
    from apps.access.services import assignment_create

    auditor = make_user("auditor")
    assignment_create(actor=None, user=auditor, role=roles[HR], department=world.eng, reason="x")
    inside = _changes(_page(client, auditor, object=str(world.inside.pk)))
    outside = _changes(_page(client, auditor, object=str(world.outside.pk)))
    assert ("salary", "¥5,000.00", "¥6,000.00") in inside
    assert not [c for c in outside if c[0] == "salary"]
    assert ("position", "Analyst", "Lead") in outside


def test_a_move_shows_the_departments_by_name(world, client, root_department):
    employee_update(employee=world.inside, actor=world.hr, department=world.fin, reason="Move")
    changes = _changes(_page(client, world.hr, object=str(world.inside.pk), action="moved"))
    assert changes == [("department", "Web (WEB)", "Finance (FIN)")]


def test_a_department_with_no_manager_before_reads_as_a_dash(world, client):
    department_update(department=world.eng, actor=None, manager=world.inside)
    changes = _changes(_page(client, world.hr, object=str(world.eng.pk), action="changed"))
    assert ("manager", "—", str(world.inside)) in changes


def _queries(client, query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(TRAIL, query)
    assert response.status_code == 200
    return len(queries), len(response.context["rows"])


def test_a_mixed_page_costs_the_same_queries_for_few_and_many_rows(
    client, make_user, root_department
):
    hr = make_user("hr")
    client.force_login(hr)
    people = [
        department_create(actor=None, name=f"D{n}", code=f"D{chr(65 + n)}", parent=root_department)
        for n in range(3)
    ]
    from apps.org.services import employee_create

    staff = [employee_create(actor=hr, username=f"p{n}", department=people[n]) for n in range(3)]

    def step(n):
        for person, place in zip(staff, people[n % 3 :] + people[: n % 3], strict=True):
            employee_update(
                employee=person, actor=hr, department=place, salary=Decimal(n + 1), position=f"S{n}"
            )
        for place in people:
            department_update(
                department=place, actor=hr, manager=staff[n % 3], name=f"N{n}{place.code}"
            )

    step(1)
    query = {"actor": "hr"}
    _queries(client, query)  # the content types are cached from the first page on
    few, shown_few = _queries(client, query)
    for n in range(2, 12):
        step(n)
    many, shown_many = _queries(client, query)
    assert shown_few < shown_many == 50
    assert many == few


# --- exports ----------------------------------------------------------------------------


def _csv(response):
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _export(client, user, fmt, **query):
    client.force_login(user)
    rows = (_csv if fmt == "csv" else _xlsx)(
        export(client, reverse("admin:audit_auditentry_export", args=[fmt]), query)
    )
    header = rows[0]
    column = header.index("Changes")
    return [row[column] or "" for row in rows[1:]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exports_have_a_changes_column(world, client, make_user, fmt):
    cells = _export(client, make_user("admin"), fmt, object=str(world.inside.pk))
    assert "Position: Analyst → Lead; Salary: ¥5,000.00 → ¥6,000.00" in cells


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_auditors_export_has_no_salary_value(world, client, make_user, fmt):
    cells = _export(client, make_user("auditor"), fmt, object=str(world.inside.pk))
    assert "Position: Analyst → Lead" in cells
    assert not [c for c in cells if "Salary" in c or "¥" in c]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_values_that_look_like_formulas_stay_text(world, client, make_user, fmt):
    for hostile in ('=HYPERLINK("http://evil.example","x")', "@SUM(1)", "\x01+1", "－1"):
        employee_update(employee=world.inside, actor=world.hr, position=hostile)
    cells = _export(client, make_user("admin"), fmt, object=str(world.inside.pk))
    assert [c for c in cells if "HYPERLINK" in c]
    for cell in cells:
        assert not starts_formula(cell)


def test_the_entry_page_shows_the_changes_the_reader_may_see(world, client, make_user):
    from apps.audit.tests.test_trail import _mixed

    entry = _mixed(world.inside)
    url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    client.force_login(make_user("auditor"))
    html = client.get(url).content.decode()
    assert "Position: Analyst → Lead" in html
    assert "Salary" not in html
    assert "6,000" not in html
    client.force_login(make_user("admin"))
    html = client.get(url).content.decode()
    assert "Salary: ¥5,000.00 → ¥6,000.00" in html
