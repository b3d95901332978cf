"""'Verify now' on the chain verifications list: security officers walk the chain at once."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse

from apps.access.roles import SECURITY_OFFICER
from apps.audit.chain import seal
from apps.audit.models import AuditEntry, VerificationRun
from apps.audit.services import verification_now
from apps.jobs.models import Job
from apps.org.models import Employee
from apps.org.services import employee_create, employee_update

pytestmark = pytest.mark.django_db

LIST = reverse("admin:audit_verificationrun_changelist")
VERIFY = reverse("admin:audit_verificationrun_verify")


@pytest.fixture
def ada(root_department):
    ada = employee_create(actor=None, username="ada", first_name="Ada", department=root_department)
    employee_update(employee=ada, actor=None, position="Analyst", reason="promotion")
    seal()
    return ada


def _verify(client):
    """Press "Verify now": it starts a job (run at commit by the tests' inline runner)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(VERIFY)
    return response, Job.objects.order_by("-created_at").first()


def test_the_officer_sees_the_button_and_runs_a_verification(client, make_user, ada):
    client.force_login(make_user("security"))
    html = client.get(LIST).content.decode()
    assert 'data-testid="verify-now"' in html
    assert "csrfmiddlewaretoken" in html
    response, job = _verify(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    run = VerificationRun.objects.get()
    assert (run.intact, run.triggered_by) == (True, "security")
    # The records sealed when the walk ran (its own job's later entries are sealed after).
    assert run.records == AuditEntry.objects.filter(seq__lte=run.head_seq).count()
    assert (job.state, job.kind) == ("succeeded", "audit.verify_chain")
    assert job.message == f"The chain is intact: {run.records} records checked."
    assert job.message in client.get(response["Location"]).content.decode()


def test_a_broken_chain_is_said_plainly(client, make_user, ada):
    content_type = ContentType.objects.get_for_model(Employee)
    entry = AuditEntry.objects.filter(content_type=content_type, object_id=str(ada.pk)).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE org_historicalemployee SET first_name = %s WHERE history_id = %s",
            ["Eve", entry.history_id],
        )
    client.force_login(make_user("security"))
    _response, job = _verify(client)
    run = VerificationRun.objects.get()
    assert not run.intact
    assert job.state == "failed"
    assert job.error.startswith("The chain is broken: ")
    assert run.problem_shown in job.error


def test_the_button_is_post_only(client, make_user, ada):
    client.force_login(make_user("security"))
    assert client.get(VERIFY).status_code == 405
    assert not VerificationRun.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(make_user, ada):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("security"))
    assert client.post(VERIFY).status_code == 403
    assert not VerificationRun.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "hr", "manager", "staff"])
def test_others_get_no_button_and_a_refusal(client, make_user, persona, ada):
    client.force_login(make_user(persona))
    listing = client.get(LIST)
    assert 'data-testid="verify-now"' not in listing.content.decode()
    assert client.post(VERIFY).status_code in (302, 403)
    assert not VerificationRun.objects.exists()
    assert not Job.objects.exists()


def test_the_administrator_may_verify_too(client, make_user, ada):
    client.force_login(make_user("admin"))
    response, _job = _verify(client)
    assert response.status_code == 302
    assert VerificationRun.objects.get().triggered_by == "admin"


def test_the_service_refuses_without_the_permission(make_user, ada):
    with pytest.raises(PermissionDenied):
        verification_now(actor=make_user("auditor"))
    assert verification_now(actor=make_user("security")).intact


def test_the_security_officer_role_holds_the_permission(roles):
    assert roles[SECURITY_OFFICER].permissions.filter(codename="verify_chain").exists()


def test_the_migration_gives_the_permission_to_existing_officer_groups(roles):
    migration = importlib.import_module("apps.audit.migrations.0005_verify_chain_permission")
    group = Group.objects.get(name=SECURITY_OFFICER)
    group.permissions.remove(Permission.objects.get(codename="verify_chain"))
    migration.grant(global_apps, None)
    assert group.permissions.filter(codename="verify_chain").exists()
    assert global_apps.get_app_config("audit").models_module is not None
