"""Exports run as background jobs: post one, let it run (the tests' inline runner, at
commit), and download its file, as a person does from the job's page."""

from django.test import TestCase
from django.urls import reverse


def export(client, url, data=None, **kwargs):
    """The export's file (a FileResponse), or the refusal when the export did not start."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data if data is not None else {}, **kwargs)
    if response.status_code != 302:
        return response
    job_id = response["Location"].rstrip("/").split("/")[-2]  # .../jobs/job/<id>/change/
    return client.get(reverse("admin:jobs_job_download", args=[job_id]))
