"""Org's part of ``seed_demo``: the demo organisation, its people and the demo accounts."""

from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError, CommandParser

from apps.core.demo import DemoSeeder, demo_seeder_register
from apps.org.demo import DEMO_ACCOUNTS, demo_seed
from apps.org.demo_reviews import demo_reviews_seed
from apps.org.services import employee_system_account

MAX_ROWS = 1_000_000


def _add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--departments", type=int, help="Grow to this many departments.")
    parser.add_argument("--employees", type=int, help="Grow to this many employees.")


def _seed(options: dict[str, Any], say: Callable[[str], None]) -> str:
    for name in ("departments", "employees"):
        if options[name] is not None and not 0 <= options[name] <= MAX_ROWS:
            raise CommandError(f"--{name} must be between 0 and 1,000,000.")
    summary = demo_seed(
        password=options["password"],
        departments=options["departments"],
        employees=options["employees"],
    )
    # History for the trail to read (and its export job to show a moving bar on).
    demo_reviews_seed(actor=employee_system_account())
    return (
        f"{summary.departments_created} departments and {summary.employees_created} "
        f"employees created; accounts: {', '.join(a.username for a in DEMO_ACCOUNTS)}"
    )


demo_seeder_register(DemoSeeder(app_label="org", seed=_seed, add_arguments=_add_arguments))
