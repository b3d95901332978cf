"""Exports of the trail: the same rows as the page, in CSV and XLSX, each one logged."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from apps.audit.models import AuditEntry, TrailExport
from apps.audit.tests.exporting import export
from apps.audit.tests.test_trail import build_world
from apps.org.services import department_update, employee_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, root_department):
    return build_world(make_user, root_department)


def _not_jobs(rows):
    """The rows about the organisation: each export's job has entries of its own."""
    return [row for row in rows if row[3] != "Job"]


def _domain(entries):
    return entries.exclude(content_type__app_label="jobs")


def _url(fmt):
    return reverse("admin:audit_auditentry_export", args=[fmt])


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response):
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def auditor_client(client, make_user):
    client.force_login(make_user("auditor"))
    return client


def test_the_csv_holds_the_filtered_rows_newest_first(world, auditor_client):
    rows = _csv(export(auditor_client, _url("csv"), {"object": str(world.inside.pk)}))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Time", "Actor", "Action", "Model"]
    expected = AuditEntry.objects.filter(object_id=str(world.inside.pk), sensitive=False)
    assert len(body) == expected.count()
    assert [r[1] for r in body] == ["hr"] * len(body)
    assert body[-1][2] == "created"
    assert {r[4] for r in body} == {str(world.inside.pk)}
    assert body[0][0] >= body[-1][0]


def test_the_csv_leaves_salary_out_for_the_auditor(world, auditor_client):
    body = _not_jobs(_csv(export(auditor_client, _url("csv")))[1:])
    assert len(body) == _domain(AuditEntry.objects.filter(sensitive=False)).count()
    assert not [r for r in body if "Salary" in r[6]]
    assert [r for r in body if r[6] == "Position" and r[8] == "Promotion"]


def test_the_security_officers_export_has_no_transfers(world, client, make_user):
    client.force_login(make_user("security"))
    body = _csv(export(client, _url("csv")))[1:]
    assert body
    assert "Transfer" not in {r[3] for r in body}


def test_the_xlsx_holds_the_same_rows(world, auditor_client):
    query = {"model": "org.employee", "actor": "HR"}
    csv_rows = _csv(export(auditor_client, _url("csv"), query))
    xlsx_rows = _xlsx(export(auditor_client, _url("xlsx"), query))
    assert xlsx_rows[0] == csv_rows[0]
    assert len(xlsx_rows) == len(csv_rows)
    assert [r[1:8] for r in xlsx_rows[1:]] == [[c or None for c in r[1:8]] for r in csv_rows[1:]]


def test_every_export_is_logged(world, auditor_client):
    created = _csv(export(auditor_client, _url("csv"), {"action": "created"}))[1:]
    everything = _xlsx(export(auditor_client, _url("xlsx")))[1:]
    first, second = TrailExport.objects.order_by("at", "id")
    assert (first.format, first.filters, first.truncated) == ("csv", {"action": "created"}, False)
    assert first.rows == len(created) == len(_not_jobs(created)) + 1  # + its own job, created
    assert len(_not_jobs(created)) == _domain(AuditEntry.objects.filter(action="created")).count()
    assert first.user.username == "auditor"
    assert (second.format, second.rows) == ("xlsx", len(everything))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_is_not_cut(world, auditor_client, fmt):
    # A background job streams every row, a batch at a time: no per-request cap.
    response = export(auditor_client, _url(fmt))
    rows = _csv(response) if fmt == "csv" else _xlsx(response)
    expected = _domain(AuditEntry.objects.filter(sensitive=False)).count()
    assert expected > 3
    assert len(_not_jobs(rows[1:])) == expected
    export_row = TrailExport.objects.get()
    assert (export_row.rows, export_row.truncated) == (len(rows) - 1, False)


@pytest.mark.parametrize("persona", ["manager", "staff"])
def test_people_without_the_export_right_get_403(world, client, make_user, persona):
    user = make_user(persona, department=world.eng)
    client.force_login(user)
    assert export(client, _url("csv")).status_code == 403
    assert export(client, _url("xlsx")).status_code == 403
    assert not TrailExport.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"actor": "nobody"},
        {"field": "salary"},
        {"date_from": "2026-02-31"},
        {"object": "\x00"},
        {"model": "<script>"},
    ],
)
def test_bad_filters_are_a_400_with_the_message(world, auditor_client, query):
    response = export(auditor_client, _url("csv"), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content
    assert not TrailExport.objects.exists()


def test_an_unknown_format_is_not_found(world, auditor_client):
    assert export(auditor_client, _url("pdf")).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_get_is_refused_and_logs_nothing(world, auditor_client, fmt):
    # A cross-site link or <img> must not make an export (and its log row) in someone's name.
    response = auditor_client.get(_url(fmt), {"actor": "hr"})
    assert response.status_code == 405
    assert not TrailExport.objects.exists()


def test_a_post_without_the_csrf_token_is_refused_and_logs_nothing(world, make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("auditor"))
    response = client.post(_url("csv"), {"actor": "hr"})
    assert response.status_code == 403
    assert not TrailExport.objects.exists()


def test_the_page_posts_its_filters_with_the_csrf_token(world, make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("auditor"))
    page = client.get(reverse("admin:audit_auditentry_changelist"), {"actor": "hr"})
    html = page.content.decode()
    assert 'method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="actor" value="hr">' in html
    token = page.context["csrf_token"]
    response = export(client, _url("csv"), {"actor": "hr", "csrfmiddlewaretoken": str(token)})
    assert _csv(response)[1:]
    assert TrailExport.objects.get().filters == {"actor": "hr"}


def test_a_formula_in_a_name_stays_text_in_both_files(world, auditor_client, root_department):
    employee_create(
        actor=world.hr,
        username="formula",
        first_name='=HYPERLINK("http://evil.example","x")',
        last_name="-2",
        department=root_department,
    )
    query = {"actor": "hr", "action": "created", "model": "org.employee"}
    csv_rows = _csv(export(auditor_client, _url("csv"), query))[1:]
    xlsx_rows = _xlsx(export(auditor_client, _url("xlsx"), query))[1:]
    assert csv_rows[0][5].startswith("'=HYPERLINK")
    assert xlsx_rows[0][5].startswith("'=HYPERLINK")
    for row in csv_rows + xlsx_rows:
        assert not any(isinstance(c, str) and c.startswith(("=", "+", "-", "@")) for c in row)


HOSTILE = '\x01=HYPERLINK("http://evil.example","click")'


def _formula_cells(content):
    """Cells of an XLSX file that a spreadsheet would run."""
    sheet = load_workbook(io.BytesIO(content)).active
    return [
        cell.coordinate
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))
    ]


def test_a_control_character_before_a_formula_cannot_smuggle_it_into_the_xlsx(
    world, auditor_client
):
    # openpyxl drops \x01 when it writes; the formula check must run on what is left.
    department_update(department=world.eng, actor=None, name=HOSTILE, reason=HOSTILE)
    query = {"model": "org.department", "object": str(world.eng.pk)}

    xlsx = b"".join(export(auditor_client, _url("xlsx"), query).streaming_content)
    rows = _csv(export(auditor_client, _url("csv"), query))[1:]

    assert _formula_cells(xlsx) == []
    sheet = load_workbook(io.BytesIO(xlsx)).active
    newest = [cell.value for cell in sheet[2]]
    quoted = "'" + HOSTILE[1:]
    assert newest[5] == f"{quoted} (ENG)"  # the department's name (and code)
    assert newest[8] == quoted  # the change reason
    assert (rows[0][5], rows[0][8]) == (f"{quoted} (ENG)", quoted)
