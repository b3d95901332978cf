"""The demo's annual salary reviews: real history for the trail (and its export) to read.

The demo people are seeded with today's salary; each January and July of the last three
years everyone hired before it got a 1.5% raise, written as history (dated that day,
reason "Salary review") so the audit trail holds a few thousand real rows: enough that an export
of it is a job whose bar visibly moves. Idempotent: nothing is written a second time.
"""

import datetime
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from apps.core.history import history_bulk_notify
from apps.org.models import Employee

REVIEW_REASON = "Salary review"
RAISE = Decimal("1.015")
YEARS = 3


def demo_reviews_seed(*, actor: Employee, today: datetime.date | None = None) -> int:
    """Write the reviews (once); return how many versions were written."""
    today = today or timezone.localdate()
    history = Employee.history.model
    if history.objects.filter(history_change_reason=REVIEW_REASON).exists():
        return 0
    people = list(
        Employee.objects.filter(username__startswith="demo.", is_active=True).order_by(
            "employee_id"
        )
    )
    last_version = history.objects.aggregate(last=Max("history_id"))["last"] or 0
    written = 0
    days = [
        datetime.date(year, month, 15)
        for year in range(today.year - YEARS + 1, today.year + 1)
        for month in (1, 7)
    ]
    for day in days:
        if day > today:
            continue
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        raised = [p for p in people if p.hire_date and p.hire_date < day and p.salary]
        for person in raised:
            person.salary = (Decimal(person.salary or 0) * RAISE).quantize(Decimal("0.01"))
            person._history_date = moment  # type: ignore[attr-defined]  # read by simple-history
        bulk_update_with_history(
            raised,
            Employee,
            ["salary"],
            batch_size=2000,
            default_user=actor,
            default_change_reason=REVIEW_REASON,
        )
        written += len(raised)
    # No per-row signal on this path: tell the audit trail about the new versions.
    history_bulk_notify(history, history.objects.filter(history_id__gt=last_version))
    return written
