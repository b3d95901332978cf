"""Seed the demo organisation, role groups and one account per role (idempotent).

Each app contributes its part (``apps/<app>/seeders.py``, through ``apps.core.demo``):
org the departments, people and demo accounts, access their roles, security the
authenticators. They run lowest app first.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.demo import demo_seeders

DEFAULT_PASSWORD = "backoffice-demo"


class Command(BaseCommand):
    help = "Create demo data: ~40 departments, ~300 employees and the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of every demo account (default: {DEFAULT_PASSWORD}).",
        )
        for seeder in demo_seeders():
            if seeder.add_arguments is not None:
                seeder.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["password"]:
            raise CommandError("--password must not be empty.")
        started = time.perf_counter()
        summaries = []
        for seeder in demo_seeders():
            summary = seeder.seed(options, self.stdout.write)
            if summary:
                summaries.append(summary)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Seeded in {elapsed:.1f} s: {'; '.join(summaries)}."))
