"""Walk the audit trail's hash chain (or an archive file) and say where it breaks."""

import getpass
import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.audit.chain import Verification, verify, verify_archive
from apps.audit.models import ChainArchive
from apps.audit.services import verification_run

PROGRESS_EVERY = 100_000


def command_actor() -> str:
    """Who ran a command, as the trail names it ("command:<os user>")."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        user = "unknown"
    return f"command:{user}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain: print the first broken link (model, record, "
        "time) or 'intact: N records'; exit code 1 on a break. Seals nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--archive", metavar="FILE", help="Verify this archive file instead of the live chain."
        )
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="Do not keep the result (the audit page shows the last kept one; no alert).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["archive"]:
            result = self._verify_file(Path(options["archive"]))
        else:
            result = self._verify_chain(
                record=not options["no_record"], verbosity=options["verbosity"]
            )
        if not result.intact:
            raise CommandError(result.summary(), returncode=1)
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def _verify_chain(self, *, record: bool, verbosity: int) -> Verification:
        reported = 0

        def progress(records: int) -> None:
            nonlocal reported
            if verbosity >= 2 and records // PROGRESS_EVERY > reported // PROGRESS_EVERY:
                self.stderr.write(f"{records:,} records verified…")
            reported = records

        if not record:
            return verify(progress=progress)
        return verification_run(triggered_by=command_actor(), progress=progress)

    def _verify_file(self, path: Path) -> Verification:
        if not path.is_file():
            raise CommandError(f"No archive file at {path}.")
        result = verify_archive(path)
        row = ChainArchive.objects.filter(path__endswith=path.name).order_by("-last_seq").first()
        if not result.intact or row is None:
            return result
        if file_sha256(path) != row.sha256:
            result.fail("the file's checksum differs from the one recorded when it was archived")
        elif (result.head_seq, result.head_hash) != (row.last_seq, row.last_hash):
            result.fail("the file does not end where the recorded archive ended")
        return result
