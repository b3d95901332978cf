"""'Apply due transfers now': HR runs the nightly transfer run as a background job."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from apps.jobs.models import Job
from apps.jobs.services import job_create
from apps.org.models import Transfer
from apps.org.services import department_create, employee_create
from apps.org.transfers import transfer_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(hr_user, root_department):
    fin = department_create(actor=hr_user, name="Finance", code="FIN", parent=root_department)
    person = employee_create(actor=hr_user, username="pat", department=root_department)
    transfer = transfer_request(
        employee=person,
        to_department=fin,
        effective_date=timezone.localdate() + datetime.timedelta(days=1),
        reason="Reorganisation",
        actor=hr_user,
    )
    Transfer.objects.filter(pk=transfer.pk).update(effective_date=timezone.localdate())
    return transfer


def test_hr_applies_the_due_transfers_from_the_list(due, hr_client):
    listing = hr_client.get(reverse("admin:org_transfer_changelist")).content.decode()
    assert 'data-testid="apply-due-now"' in listing
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = hr_client.post(reverse("admin:org_transfer_apply_due"))
    job = Job.objects.get()
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    assert (job.kind, job.state, job.message) == (
        "org.apply_due_transfers",
        "succeeded",
        "Applied 1 due transfer.",
    )
    due.refresh_from_db()
    assert due.status == Transfer.Status.APPLIED
    assert (job.done, job.total) == (1, 1)


def test_running_it_again_applies_nothing_more(due, hr_user):
    for expected in ("Applied 1 due transfer.", "Applied 0 due transfers."):
        with TestCase.captureOnCommitCallbacks(execute=True):
            job = job_create(kind_name="org.apply_due_transfers", user=hr_user, params={})
        job.refresh_from_db()
        assert job.message == expected


@pytest.mark.parametrize("persona", ["staff", "auditor", "manager"])
def test_others_may_not_start_it(due, make_user, client, persona):
    user = make_user(persona)
    with pytest.raises(PermissionDenied):
        job_create(kind_name="org.apply_due_transfers", user=user, params={})
    client.force_login(user)
    assert client.post(reverse("admin:org_transfer_apply_due")).status_code in (302, 403)
    assert not Job.objects.exists()
    due.refresh_from_db()
    assert due.status == Transfer.Status.SCHEDULED


def test_the_beat_task_still_runs_the_same_service(due):
    from apps.org.tasks import apply_due_transfers

    assert apply_due_transfers() == 1


def test_the_job_speaks_the_language_it_was_started_in(due, hr_user, settings):
    from django.utils import translation

    settings.JOBS_RUNNER = "inline"
    with (
        translation.override("zh-hans"),
        TestCase.captureOnCommitCallbacks(execute=False) as pending,
    ):
        job = job_create(kind_name="org.apply_due_transfers", user=hr_user, params={})
    assert job.language == "zh-hans"
    for callback in pending:  # run later, in English surroundings (a worker, a thread)
        callback()
    job.refresh_from_db()
    assert job.message == "已执行 1 项到期调动。"
