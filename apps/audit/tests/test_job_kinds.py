"""The audit app's long work as background jobs: the trail export, the archive (the
verification: test_verify_now.py). Each is refused to those who may not start it, and
its parameters are cleaned, never trusted."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse

from apps.audit.chain import seal
from apps.audit.models import AuditEntry, ChainArchive, TrailExport
from apps.audit.tests.test_trail import build_world
from apps.jobs.models import Job
from apps.jobs.services import job_create
from apps.org.services import department_create, employee_create, employee_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, root_department):
    return build_world(make_user, root_department)


def _run(user, kind, params):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = job_create(kind_name=kind, user=user, params=params)
    job.refresh_from_db()
    return job


# --- the trail export --------------------------------------------------------------


def test_hr_exports_its_trail_as_a_job_with_progress_and_a_log_row(world):
    job = _run(world.hr, "audit.trail_export", {"format": "csv", "filters": {}})
    assert job.state == Job.State.SUCCEEDED, job.error
    export = TrailExport.objects.get()
    assert (export.user, export.format, export.truncated) == (world.hr, "csv", False)
    assert job.done == job.total == export.rows > 0
    assert job.result_name.startswith("audit-trail-")
    assert job.result_name.endswith(".csv")
    assert job.message == f"Exported {export.rows} rows."
    text = job.result.read().decode("utf-8")
    assert len(list(csv.reader(io.StringIO(text[1:])))) == 1 + export.rows


def test_the_export_is_written_in_the_exporters_language(world):
    job = _run(
        world.hr, "audit.trail_export", {"format": "csv", "filters": {}, "language": "zh-hans"}
    )
    header = job.result.read().decode("utf-8")[1:].splitlines()[0]
    assert header.startswith("时间")


@pytest.mark.parametrize(
    "params",
    [
        {"format": "pdf", "filters": {}},
        {"format": "csv", "filters": "actor=hr"},
        {"format": "csv", "filters": {"actor": 1}},
        {"format": "csv", "filters": {"date_from": "2026-02-31"}},
        {"format": "csv", "filters": {"object": "\x00"}},
        {"format": "csv", "filters": {}, "language": "xx"},
        {"format": "csv", "filters": {}, "cap": 10},
    ],
)
def test_a_tampered_export_parameter_is_refused(world, params):
    with pytest.raises(ValidationError):
        job_create(kind_name="audit.trail_export", user=world.hr, params=params)
    assert not Job.objects.exists()
    assert not TrailExport.objects.exists()


def test_the_auditors_salary_rule_holds_in_the_exports_job(world, make_user):
    auditor = make_user("auditor")
    # An auditor may not filter on salary: refused before any job exists.
    with pytest.raises(ValidationError):
        job_create(
            kind_name="audit.trail_export",
            user=auditor,
            params={"format": "csv", "filters": {"field": "salary"}},
        )
    job = _run(auditor, "audit.trail_export", {"format": "csv", "filters": {}})
    assert "Salary" not in job.result.read().decode("utf-8")


def test_people_without_the_export_right_may_not_start_one(world, make_user):
    with pytest.raises(PermissionDenied):
        job_create(
            kind_name="audit.trail_export",
            user=make_user("staff"),
            params={"format": "csv", "filters": {}},
        )


def test_the_export_button_sends_the_exporter_to_the_job(world, client):
    client.force_login(world.hr)
    url = reverse("admin:audit_auditentry_export", args=["xlsx"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"actor": "hr"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    assert job.params == {"format": "xlsx", "filters": {"actor": "hr"}, "language": "en"}
    page = client.get(response["Location"]).content.decode()
    assert "Audit trail export" in page
    assert 'data-testid="job-download"' in page


# --- the archive -------------------------------------------------------------------


@pytest.fixture
def old_history(db, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "archives"
    with time_machine.travel(datetime.datetime(2020, 1, 1, 9, tzinfo=datetime.UTC), tick=True):
        dept = department_create(actor=None, name="Archive Dept", code="ARC")
        ada = employee_create(actor=None, username="ada", first_name="Ada", department=dept)
        employee_update(employee=ada, actor=None, position="Analyst")
    seal()
    return AuditEntry.objects.count()


def test_an_administrator_archives_old_records_as_a_job(old_history, make_user):
    job = _run(make_user("admin"), "audit.archive", {"older_than_days": "365"})
    assert job.state == Job.State.SUCCEEDED, job.error
    archived = ChainArchive.objects.get()
    assert archived.records == old_history
    assert archived.actor_name == "admin"
    assert job.message.startswith(f"Archived {old_history} records")


def test_nothing_old_enough_is_said(old_history, make_user):
    job = _run(make_user("admin"), "audit.archive", {"older_than_days": 100_000})
    assert job.state == Job.State.SUCCEEDED
    assert job.message.startswith("Nothing to archive")
    assert not ChainArchive.objects.exists()


@pytest.mark.parametrize("days", ["-1", "abc", "100001", "1e3"])
def test_a_bad_age_is_refused(old_history, make_user, days):
    with pytest.raises(ValidationError):
        job_create(
            kind_name="audit.archive", user=make_user("admin"), params={"older_than_days": days}
        )


@pytest.mark.parametrize("persona", ["hr", "security", "auditor", "staff"])
def test_only_administrators_may_archive(old_history, make_user, client, persona):
    user = make_user(persona)
    with pytest.raises(PermissionDenied):
        job_create(kind_name="audit.archive", user=user, params={})
    client.force_login(user)
    assert client.post(reverse("admin:audit_chainarchive_archive")).status_code in (302, 403)
    assert not Job.objects.exists()


def test_the_archive_button_starts_the_job(old_history, make_user, client):
    client.force_login(make_user("admin"))
    listing = client.get(reverse("admin:audit_chainarchive_changelist")).content.decode()
    assert 'data-testid="archive-now"' in listing
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("admin:audit_chainarchive_archive"), {"older_than_days": "365"}
        )
    job = Job.objects.get()
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    assert ChainArchive.objects.exists()


def test_a_bad_age_from_the_button_is_said(old_history, make_user, client):
    client.force_login(make_user("admin"))
    response = client.post(
        reverse("admin:audit_chainarchive_archive"), {"older_than_days": "x"}, follow=True
    )
    assert "Enter a whole number of days." in response.content.decode()
    assert not Job.objects.exists()
