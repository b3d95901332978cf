"""Fixtures of the jobs tests: job kinds made for the tests, a hand-moved clock, files in a
temporary folder."""

import pytest

from apps.core.jobs import REGISTRY, JobCancelled, JobFailed, JobKind
from tests.clock import Clock


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(autouse=True)
def _results_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "job_results": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "job-results"},
        },
    }


def _count_run(progress, params, user):
    total = int(params["n"])
    for done in range(1, total + 1):
        progress.step(done, total, f"row {done}")
    progress.result_file(params.get("name", "count.csv"), b"a,b\n1,2\n", "text/csv")
    return f"counted {total}"


def _count_clean(params, user):
    from django.core.exceptions import ValidationError

    n = params.get("n")
    if not isinstance(n, int) or not 0 <= n <= 1_000_000 or set(params) - {"n", "name"}:
        raise ValidationError("bad n")
    return {"n": n, **({"name": str(params["name"])} if "name" in params else {})}


def _boom_run(progress, params, user):
    raise RuntimeError("secret internals")


def _refuse_run(progress, params, user):
    raise JobFailed("The thing you asked for is not possible.")


def _cancelling_run(progress, params, user):
    """Asks for its own cancel halfway, as another request would, then keeps stepping."""
    from apps.jobs.models import Job

    for done in range(1, 101):
        if done == 50:
            Job.objects.filter(requested_by=user, state="running").update(cancel_requested=True)
        progress.step(done, 100)
        params["clock"].now += 0.1 if "clock" in params else 0
    raise AssertionError("not cancelled")  # pragma: no cover


TEST_KINDS = [
    JobKind(name="test.count", label="Counting", run=_count_run, clean=_count_clean),
    JobKind(name="test.boom", label="Boom", run=_boom_run),
    JobKind(name="test.refuse", label="Refuse", run=_refuse_run),
    JobKind(
        name="test.hr_only",
        label="HR only",
        run=_count_run,
        may_start=lambda user: user.has_perm("org.change_transfer"),
        clean=_count_clean,
    ),
]


@pytest.fixture(autouse=True)
def test_kinds():
    for kind in TEST_KINDS:
        REGISTRY.kinds[kind.name] = kind
    yield {kind.name: kind for kind in TEST_KINDS}
    for kind in TEST_KINDS:
        REGISTRY.kinds.pop(kind.name, None)


__all__ = ["Clock", "JobCancelled"]
