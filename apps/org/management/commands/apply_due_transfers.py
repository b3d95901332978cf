"""Apply the scheduled transfers due by a date (today by default)."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.org.services import employee_system_account
from apps.org.transfers import transfers_apply_due


def _parse_date(value: str | datetime.date | None) -> datetime.date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}.") from exc


class Command(BaseCommand):
    help = "Apply every scheduled transfer whose effective date has come."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Apply transfers due by this day (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _parse_date(options["date"])
        applied = transfers_apply_due(today=today, actor=employee_system_account())
        self.stdout.write(self.style.SUCCESS(f"Applied {applied} transfer(s) due by {today}."))
