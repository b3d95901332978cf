"""The Jobs list and a job's page: each person's own jobs, everyone's for administrators;
another person's job is a 404 on its page, file, status, cancel and retry."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.jobs.models import Job

pytestmark = pytest.mark.django_db

LIST = reverse("admin:jobs_job_changelist")


def _job(user, state=Job.State.SUCCEEDED, **fields):
    return Job.objects.create(
        kind="test.count", params={"n": 3}, requested_by=user, state=state, **fields
    )


def _url(name, job):
    return reverse(f"admin:jobs_job_{name}", args=[job.pk])


@pytest.fixture
def other(make_user):
    return make_user("staff", username="other")


def test_plain_staff_see_the_jobs_entry_and_their_own_jobs(staff_client, staff_user, other):
    mine = _job(staff_user, total=3, done=3)
    theirs = _job(other)
    page = staff_client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{LIST}"' in html  # the sidebar entry
    assert str(mine.pk) in html
    assert str(theirs.pk) not in html
    assert 'data-testid="job-progress"' in html
    assert "3 / 3" in html


def test_administrators_see_everyones_jobs(client, admin_user_, staff_user, other):
    client.force_login(admin_user_)
    jobs = [_job(staff_user), _job(other)]
    html = client.get(LIST).content.decode()
    assert all(str(job.pk) in html for job in jobs)


def test_the_list_costs_the_same_queries_for_many_jobs(staff_client, staff_user):
    _job(staff_user)
    staff_client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(LIST).status_code == 200
    for _ in range(20):
        _job(staff_user, state=Job.State.FAILED)
        _job(staff_user, state=Job.State.RUNNING, total=10, done=4)
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(LIST).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize("view", ["change", "download", "status"])
def test_someone_elses_job_is_a_404(staff_client, other, view):
    job = _job(other)
    assert staff_client.get(_url(view, job)).status_code == 404


@pytest.mark.parametrize("view", ["cancel", "retry"])
def test_someone_elses_job_cannot_be_cancelled_or_retried(staff_client, other, view):
    job = _job(other, state=Job.State.RUNNING if view == "cancel" else Job.State.FAILED)
    assert staff_client.post(_url(view, job)).status_code == 404
    job.refresh_from_db()
    assert not job.cancel_requested
    assert Job.objects.count() == 1


@pytest.mark.parametrize("raw", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_malformed_or_unknown_job_is_a_404(staff_client, raw):
    assert staff_client.get(f"/admin/jobs/job/{raw}/change/").status_code == 404
    assert staff_client.get(f"/admin/jobs/job/{raw}/download/").status_code == 404


def test_the_job_page_shows_parameters_messages_and_error_but_not_the_traceback(
    staff_client, staff_user
):
    job = _job(
        staff_user,
        state=Job.State.FAILED,
        message="halfway",
        error="Something went wrong.",
        traceback="Traceback: secret",
    )
    html = staff_client.get(_url("change", job)).content.decode()
    assert "Counting" in html
    assert "halfway" in html
    assert "Something went wrong." in html
    assert 'data-testid="job-params"' in html
    assert "secret" not in html
    assert 'data-testid="job-retry"' in html


def test_administrators_see_the_traceback(client, admin_user_, staff_user):
    client.force_login(admin_user_)
    job = _job(staff_user, state=Job.State.FAILED, error="x", traceback="Traceback: secret")
    assert "Traceback: secret" in client.get(_url("change", job)).content.decode()


def test_the_status_endpoint_is_the_jobs_event(staff_client, staff_user):
    job = _job(staff_user, state=Job.State.RUNNING, total=10, done=4)
    data = staff_client.get(_url("status", job)).json()
    assert (data["kind"], data["id"], data["state"], data["done"], data["total"]) == (
        "job",
        str(job.pk),
        "running",
        4,
        10,
    )


def test_the_file_is_served_to_its_requester_with_a_safe_name(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    from apps.jobs.services import job_create

    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(
            kind_name="test.count",
            user=staff_user,
            params={"n": 1, "name": 'rep"ort\r\nX-Evil: 1;.csv'},
        )
    response = staff_client.get(_url("download", job))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a,b\n1,2\n"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert 'rep"ort' not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_file_is_not_served_to_someone_else(
    client, other, staff_user, django_capture_on_commit_callbacks
):
    from apps.jobs.services import job_create

    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(kind_name="test.count", user=staff_user, params={"n": 1})
    client.force_login(other)
    assert client.get(_url("download", job)).status_code == 404
    client.logout()
    assert client.get(_url("download", job)).status_code == 302  # to the sign-in


def test_a_running_job_is_cancelled_from_the_list(staff_client, staff_user):
    job = _job(staff_user, state=Job.State.RUNNING)
    response = staff_client.post(_url("cancel", job))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.cancel_requested


def test_a_get_cannot_cancel(staff_client, staff_user):
    job = _job(staff_user, state=Job.State.RUNNING)
    assert staff_client.get(_url("cancel", job)).status_code == 405


def test_a_failed_job_is_retried_from_its_page(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    job = _job(staff_user, state=Job.State.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(_url("retry", job), {"from": "page"})
    retried = Job.objects.get(retry_of=job)
    assert response["Location"] == _url("change", retried)
    assert retried.state == Job.State.SUCCEEDED


def test_opening_the_list_reaps_dead_jobs(staff_client, staff_user, settings):
    import datetime

    from django.utils import timezone

    settings.JOBS_REAP_ON_LIST = True
    old = timezone.now() - datetime.timedelta(hours=1)
    job = _job(staff_user, state=Job.State.RUNNING, started_at=old, heartbeat_at=old)
    staff_client.get(LIST)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED


def test_the_list_and_page_read_in_chinese(staff_client, staff_user):
    job = _job(staff_user, state=Job.State.FAILED)
    html = staff_client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "后台任务" in html
    page = staff_client.get(_url("change", job), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "重试" in page.content.decode()
