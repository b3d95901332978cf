"""Seed the demo organisation, role groups and one account per role (idempotent).

It lives in the highest app the demo needs (security sits above org and access, whose
seeders it runs in order), so no lower app imports a higher one to seed.
"""

import json
import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.access.demo import demo_roles_assign
from apps.org.demo import DEMO_ACCOUNTS, demo_seed
from apps.security.demo import demo_otp_secrets

DEFAULT_PASSWORD = "backoffice-demo"


class Command(BaseCommand):
    help = "Create demo data: ~40 departments, ~300 employees and the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of every demo account (default: {DEFAULT_PASSWORD}).",
        )
        parser.add_argument("--departments", type=int, help="Grow to this many departments.")
        parser.add_argument("--employees", type=int, help="Grow to this many employees.")
        parser.add_argument(
            "--otp-secrets",
            metavar="FILE",
            help="Give the accounts whose role requires two-factor sign-in an authenticator "
            "and write {username: base32 secret} to FILE as JSON (mode 600).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("departments", "employees"):
            if options[name] is not None and not 0 <= options[name] <= 1_000_000:
                raise CommandError(f"--{name} must be between 0 and 1,000,000.")
        if not options["password"]:
            raise CommandError("--password must not be empty.")
        started = time.perf_counter()
        summary = demo_seed(
            password=options["password"],
            departments=options["departments"],
            employees=options["employees"],
        )
        demo_roles_assign()
        if options["otp_secrets"]:
            self._write_secrets(Path(options["otp_secrets"]))
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded in {elapsed:.1f} s: {summary.departments_created} departments and "
                f"{summary.employees_created} employees created; accounts: "
                f"{', '.join(a.username for a in DEMO_ACCOUNTS)}."
            )
        )

    def _write_secrets(self, path: Path) -> None:
        secrets = demo_otp_secrets()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                json.dump(secrets, out, indent=2, sort_keys=True)
        except OSError as exc:
            raise CommandError(f"Cannot write --otp-secrets {path}: {exc}") from exc
        self.stdout.write(f"Authenticator secrets of {', '.join(sorted(secrets))} in {path}.")
