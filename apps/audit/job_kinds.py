"""The audit app's long work as background jobs (``apps.core.jobs``): the trail export,
the chain verification and the archive. Registered in ``AuditConfig.ready()``.

Their management commands and beat tasks call the same services.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext, override
from django.utils.translation import gettext_lazy as _

from apps.audit import exports
from apps.audit.chain import ChainBroken, archive
from apps.audit.models import AuditEntry, TrailExport, VerificationRun
from apps.audit.selectors import TrailFilterForm, trail_filter, trail_for
from apps.audit.services import VERIFY_PERM, verification_now
from apps.core.jobs import JobFailed, JobKind, Progress, job_kind_register, result_spool
from apps.org.models import Employee

EXPORT = exports.EXPORT_JOB
VERIFY = "audit.verify_chain"
ARCHIVE = "audit.archive"
EXPORT_PERM = "audit.export_auditentry"
# Archiving moves records out of the live chain: administrators only.
ARCHIVE_PERM = "audit.add_chainarchive"
MAX_DAYS = 100_000


def _language(params: Mapping[str, Any]) -> str:
    wanted = params.get("language")
    codes = {code for code, _name in settings.LANGUAGES}
    if wanted in (None, ""):
        return settings.LANGUAGE_CODE
    if wanted not in codes:
        raise ValidationError(gettext("Unknown language."))
    return str(wanted)


# --- trail export ------------------------------------------------------------------


def export_clean(params: Mapping[str, Any], user: Employee) -> dict[str, Any]:
    """The format, the trail's filters (as the trail's form reads them) and the language."""
    unknown = set(params) - {"format", "filters", "language"}
    if unknown:
        raise ValidationError(gettext("Unknown parameters."))
    fmt = params.get("format")
    if fmt not in TrailExport.Format.values:
        raise ValidationError(gettext("No such export format."))
    filters = params.get("filters") or {}
    if not isinstance(filters, Mapping) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in filters.items()
    ):
        raise ValidationError(gettext("The filters are not valid."))
    form = TrailFilterForm(dict(filters), user=user)
    if not form.is_valid():
        raise ValidationError([str(m) for errors in form.errors.values() for m in errors])
    return {"format": fmt, "filters": form.filters(), "language": _language(params)}


def _records_named(user: Employee, data: dict[str, Any]) -> dict[Any, list[Any]]:
    """The trail's name search, as the page does it: each model's own admin search, for the
    exporter (a request of their own: the admins' querysets scope by ``request.user``)."""
    from django.contrib import admin

    from apps.audit.trail_views import records_named

    request = HttpRequest()
    request.method = "GET"
    request.user = user
    found, _cut = records_named(admin.site._registry[AuditEntry], request, data)
    return found


def export_run(progress: Progress, params: dict[str, Any], user: Employee | None) -> str:
    """Write the filtered trail to a CSV or XLSX file, a batch at a time, logged as an export."""
    if user is None:
        raise JobFailed(gettext("An export needs the person it is for."))
    with override(params.get("language") or settings.LANGUAGE_CODE):
        form = TrailFilterForm(params.get("filters") or {}, user=user)
        if not form.is_valid():
            raise JobFailed(" ".join(str(m) for errors in form.errors.values() for m in errors))
        form.cleaned_data["objects"] = _records_named(user, form.cleaned_data)
        entries = trail_filter(user, trail_for(user), form.cleaned_data)
        total = entries.count()
        progress.step(0, total, gettext("Reading the trail…"))
        fmt = params["format"]
        export = exports.export_record(user=user, format=fmt, filters=form.filters())
        rows = exports.rows_for(
            user, entries, on_batch=lambda count: progress.step(count, max(total, count))
        )
        target = _write(fmt, rows, export)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        content_type = exports.XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
        progress.result_file(f"audit-trail-{stamp}.{fmt}", target, content_type)
        return ngettext("Exported %(count)d row.", "Exported %(count)d rows.", rows.count) % {
            "count": rows.count
        }


def _write(fmt: str, rows: exports.Rows, export: TrailExport) -> Any:
    target = result_spool()
    if fmt == TrailExport.Format.XLSX:
        for chunk in exports.xlsx_chunks(rows, export):
            target.write(chunk)
    else:
        for text in exports.csv_chunks(rows, export):
            target.write(text.encode("utf-8"))
    target.seek(0)
    return target


def export_describe(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    shown = [(gettext("Format"), str(params.get("format", "")).upper())]
    labels = {name: str(field.label or name) for name, field in TrailFilterForm.base_fields.items()}
    for name, value in (params.get("filters") or {}).items():
        shown.append((labels.get(name, name), str(value)))
    if len(shown) == 1:
        shown.append((gettext("Filters"), gettext("none: the whole trail you may see")))
    return shown


# --- chain verification ------------------------------------------------------------


def verify_run(progress: Progress, params: dict[str, Any], user: Employee | None) -> str:
    """Walk the whole chain now, in the officer's name (the same walk as the daily check)."""
    if user is None:
        raise JobFailed(gettext("A verification needs the person it is for."))
    total = AuditEntry.objects.count()
    progress.step(0, total, gettext("Walking the hash chain…"))
    result = verification_now(
        actor=user, progress=lambda records: progress.step(records, max(total, records))
    )
    if not result.intact:
        raise JobFailed(
            gettext("The chain is broken: %(problem)s")
            % {"problem": VerificationRun.objects.latest().problem_shown}
        )
    return ngettext(
        "The chain is intact: %(count)d record checked.",
        "The chain is intact: %(count)d records checked.",
        result.records,
    ) % {"count": result.records}


# --- archive -----------------------------------------------------------------------


def archive_clean(params: Mapping[str, Any], user: Employee) -> dict[str, Any]:
    if set(params) - {"older_than_days"}:
        raise ValidationError(gettext("Unknown parameters."))
    raw = params.get("older_than_days", settings.AUDIT_RETENTION_DAYS)
    try:
        days = int(str(raw).strip())
    except ValueError:
        raise ValidationError(gettext("Enter a whole number of days.")) from None
    if not 0 <= days <= MAX_DAYS:
        raise ValidationError(
            gettext("The age must be between 0 and %(max)d days.") % {"max": MAX_DAYS}
        )
    return {"older_than_days": days}


def archive_run(progress: Progress, params: dict[str, Any], user: Employee | None) -> str:
    """Archive the sealed records older than the age given (as ``manage.py archive_audit``)."""
    cutoff = timezone.now() - datetime.timedelta(days=int(params["older_than_days"]))
    progress.step(0, None, gettext("Archiving…"))
    try:
        done = archive(
            cutoff=cutoff,
            directory=settings.AUDIT_ARCHIVE_DIR,
            actor_name=user.get_username() if user else "system",
        )
    except ChainBroken as exc:
        raise JobFailed(str(exc)) from exc
    except OSError as exc:
        raise JobFailed(gettext("The archive could not be written.")) from exc
    if done is None:
        return gettext("Nothing to archive: no sealed record is older than %(cutoff)s.") % {
            "cutoff": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M")
        }
    progress.step(done.records, done.records)
    return gettext("Archived %(count)d records (positions %(first)d to %(last)d).") % {
        "count": done.records,
        "first": done.first_seq,
        "last": done.last_seq,
    }


def archive_describe(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(gettext("Older than (days)"), str(params.get("older_than_days", "")))]


def register() -> None:
    job_kind_register(
        JobKind(
            name=EXPORT,
            label=_("Audit trail export"),
            run=export_run,
            may_start=lambda user: user.has_perm(EXPORT_PERM),
            clean=export_clean,
            describe=export_describe,
        )
    )
    job_kind_register(
        JobKind(
            name=VERIFY,
            label=_("Audit chain verification"),
            run=verify_run,
            may_start=lambda user: user.has_perm(VERIFY_PERM),
        )
    )
    job_kind_register(
        JobKind(
            name=ARCHIVE,
            label=_("Audit archive"),
            run=archive_run,
            may_start=lambda user: user.has_perm(ARCHIVE_PERM),
            clean=archive_clean,
            describe=archive_describe,
        )
    )
