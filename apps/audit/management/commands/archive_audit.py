"""Move audit records older than the retention period to a compressed archive file."""

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.audit.chain import ChainBroken, archive, archive_range, verify
from apps.audit.management.commands.verify_audit import command_actor


class Command(BaseCommand):
    help = (
        "Archive the sealed audit records older than the retention period to a gzip file; "
        "the live chain goes on from the archive's last hash. Refuses when the chain is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=settings.AUDIT_RETENTION_DAYS,
            help="Archive records older than this many days (default: AUDIT_RETENTION_DAYS, "
            f"{settings.AUDIT_RETENTION_DAYS}).",
        )
        parser.add_argument(
            "--dir",
            default=str(settings.AUDIT_ARCHIVE_DIR),
            help=f"Directory of the archive files (default: {settings.AUDIT_ARCHIVE_DIR}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be archived; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["older_than_days"]
        if not 0 <= days <= 100_000:
            raise CommandError("--older-than-days must be between 0 and 100,000.")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        directory = Path(options["dir"])
        if options["dry_run"]:
            self._plan(cutoff, directory)
            return
        try:
            done = archive(cutoff=cutoff, directory=directory, actor_name=command_actor())
        except ChainBroken as exc:
            raise CommandError(str(exc), returncode=1) from exc
        except OSError as exc:
            raise CommandError(f"Cannot write the archive in {directory}: {exc}") from exc
        if done is None:
            self.stdout.write(
                f"Nothing to archive: no sealed record is older than {cutoff:%Y-%m-%d %H:%M}."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Archived {done.records} records (positions {done.first_seq}..{done.last_seq}) "
                f"older than {cutoff:%Y-%m-%d %H:%M} to {done.path} (sha256 {done.sha256})."
            )
        )

    def _plan(self, cutoff: datetime.datetime, directory: Path) -> None:
        span = archive_range(cutoff=cutoff)
        if span is None:
            self.stdout.write(
                f"Nothing to archive: no sealed record is older than {cutoff:%Y-%m-%d %H:%M}."
            )
            return
        check = verify()
        if not check.intact:
            raise CommandError(
                f"The chain is broken; nothing would be archived. {check.summary()}", returncode=1
            )
        first, last = span
        self.stdout.write(
            f"Dry run: would archive {last - first + 1} records (positions {first}..{last}) "
            f"older than {cutoff:%Y-%m-%d %H:%M} to {directory}; nothing changed."
        )
