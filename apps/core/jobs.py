"""Background jobs: the kinds of long work apps register, and the one way to start one.

An app registers each kind of long work it offers in its ``AppConfig.ready()``::

    job_kind_register(JobKind(
        name="audit.trail_export",
        label=gettext_lazy("Audit trail export"),
        run=trail_export_run,          # run(progress, params, user) -> summary or None
        may_start=lambda user: user.has_perm("audit.export_auditentry"),
        clean=trail_export_clean,      # clean(params, user) -> cleaned params
    ))

and starts one from a view with ``job_start(kind_name, user=..., params=...)``, which
returns the started job's id and page. The jobs app (``apps.jobs``) answers ``job_start``
(``job_starter_register`` in its ``ready()``), stores and runs the jobs and shows their
progress: core is the lowest layer, so the apps below jobs start jobs without importing
it, as ``apps.core.registry.fields_answer_register`` lets access answer for core.

Parameters come from a form, so they are never trusted: ``clean`` gets them as posted and
returns what the job will run with, or raises ``ValidationError`` (a tampered parameter is
refused, the job is not created). ``clean`` runs again before a retry.

The ``run`` callable gets a ``Progress``: it reports ``step(done, total, message)`` as
often as it likes (the reporter throttles the writes), hands over its file with
``result_file``, and stops when ``cancelled()`` says so or ``step`` raises
``JobCancelled``. A ``JobFailed`` ends the job with its message shown to the person;
any other exception ends it with a generic message (the traceback is for administrators).
"""

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from apps.org.models import Employee


class AlreadyRegistered(Exception):
    """A job kind, or the starter, registered a second time."""


class UnknownJobKind(LookupError):
    """A job kind nobody registered."""


class JobCancelled(Exception):  # noqa: N818 - it is a signal to stop, not an error
    """The person asked the job to stop; raised by ``Progress.step`` and left to propagate."""


class JobFailed(Exception):
    """The job cannot go on; its message (translated) is shown to the person who started it."""


class Progress(Protocol):
    """What a job's ``run`` gets to report with (``apps.jobs.progress.Reporter``)."""

    def step(self, done: int, total: int | None = None, message: str = "") -> None:
        """``done`` of ``total`` (None: keep the last total); raises JobCancelled if asked."""

    def result_file(self, name: str, content: bytes | IO[bytes], content_type: str) -> None:
        """Keep the job's file (bytes or a binary file open for reading) for the download."""

    def cancelled(self) -> bool:
        """Has the person asked the job to stop? (Checked at most about twice a second.)"""


def result_spool() -> IO[bytes]:
    """A binary temporary file for a job to write its result into (in memory while small)."""
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed on


def _always(user: "Employee") -> bool:
    return True


def _no_params(params: Mapping[str, Any], user: "Employee") -> dict[str, Any]:
    if params:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext

        raise ValidationError(gettext("This job takes no parameters."))
    return {}


def _params_shown(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(key), str(value)) for key, value in params.items()]


@dataclass(frozen=True)
class JobKind:
    """One kind of long work: what it is called, who may start it, how its input is cleaned.

    - ``run(progress, params, user)`` does the work; it returns a summary for the person
      (shown as the job's last message) or None.
    - ``may_start(user)`` answers whether ``user`` may start (and retry) such a job.
    - ``clean(params, user)`` returns the parameters the job runs with or raises
      ``ValidationError``.
    - ``describe(params)`` lists the parameters readably, ``(label, value)`` pairs, for
      the job's page.
    """

    name: str
    label: Any  # a lazy translated string
    run: Callable[[Progress, dict[str, Any], "Employee | None"], str | None]
    may_start: Callable[["Employee"], bool] = _always
    clean: Callable[[Mapping[str, Any], "Employee"], dict[str, Any]] = _no_params
    describe: Callable[[Mapping[str, Any]], list[tuple[str, str]]] = _params_shown


@dataclass(frozen=True)
class StartedJob:
    """A job just created (queued): its id and the page where its person follows it."""

    id: str
    url: str


Starter = Callable[..., StartedJob]


@dataclass
class JobRegistry:
    kinds: dict[str, JobKind] = field(default_factory=dict)
    starter: Starter | None = None


REGISTRY = JobRegistry()


def job_kind_register(kind: JobKind, *, registry: JobRegistry = REGISTRY) -> JobKind:
    """Register a kind of job (once: a second registration raises AlreadyRegistered)."""
    if kind.name in registry.kinds:
        raise AlreadyRegistered(f"job kind {kind.name!r} is already registered")
    registry.kinds[kind.name] = kind
    return kind


def job_kind(name: str, *, registry: JobRegistry = REGISTRY) -> JobKind:
    try:
        return registry.kinds[name]
    except KeyError:
        raise UnknownJobKind(name) from None


def job_kinds(*, registry: JobRegistry = REGISTRY) -> list[JobKind]:
    return list(registry.kinds.values())


def job_starter_register(starter: Starter, *, registry: JobRegistry = REGISTRY) -> None:
    """Let the jobs app answer ``job_start``: ``starter(kind_name, user=, params=)`` (once)."""
    if registry.starter is not None:
        raise AlreadyRegistered("job_start is already answered")
    registry.starter = starter


def job_start(
    kind_name: str,
    *,
    user: "Employee",
    params: Mapping[str, Any],
    registry: JobRegistry = REGISTRY,
) -> StartedJob:
    """Start a job of ``kind_name`` for ``user``; it runs once the transaction commits.

    Raises PermissionDenied when the user may not start it, ValidationError when the
    parameters do not clean, UnknownJobKind for a kind nobody registered.
    """
    if registry.starter is None:
        raise RuntimeError("No app answers job_start (is apps.jobs installed?)")
    return registry.starter(kind_name, user=user, params=params)
