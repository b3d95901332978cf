"""A small company with known dates for the dashboard tests (test_dashboard_*.py).

BOG > ENG > (WEB > MOB), BOG > FIN (the ``tree`` fixture). Days are counted back from
today. Leavers' deactivations are moved back in history to the day given.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from apps.org.models import Employee
from apps.org.services import employee_create, employee_deactivate

HistoricalEmployee = Employee.history.model


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def left_on(employee: Employee, day: datetime.date) -> None:
    """Deactivate ``employee`` as of ``day`` (their history moved back accordingly)."""
    employee_deactivate(employee=employee, actor=None)
    rows = HistoricalEmployee.objects.filter(id=employee.pk)
    rows.filter(is_active=True).update(history_date=_noon(day - datetime.timedelta(days=1)))
    rows.filter(is_active=False).update(history_date=_noon(day))


def staff(tree: dict) -> dict[str, Employee]:
    """People with hire dates and salaries; f2 left 20 days ago, f3 60 days ago."""
    plan = {
        "e1": ("eng", 400, "9000.00"),
        "w1": ("web", 10, "12345.67"),
        "w2": ("web", 100, "8000.00"),
        "m1": ("mob", 5, "15000.00"),
        "f1": ("fin", 200, "7000.00"),
        "f2": ("fin", 300, "6000.00"),
        "f3": ("fin", 500, "6500.00"),
        "f4": ("fin", 10, "1234567.89"),
    }
    people = {
        name: employee_create(
            actor=None,
            username=name,
            first_name=name.upper(),
            department=tree[dept],
            hire_date=days_ago(hired),
            salary=Decimal(salary),
        )
        for name, (dept, hired, salary) in plan.items()
    }
    left_on(people["f2"], days_ago(20))
    left_on(people["f3"], days_ago(60))
    return people
