"""One writer process of the concurrency test: many employee changes, one transaction each.

Usage: python concurrent_writer.py DATABASE_NAME EMPLOYEE_PK COUNT
(run by test_concurrency_pg.py against its test database).
"""

import os
import sys
from pathlib import Path


def main() -> None:
    name, employee_pk, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    from django.conf import settings

    # Before any connection is made: the test's database, not the configured one.
    settings.DATABASES["default"]["NAME"] = name
    import django

    django.setup()
    from apps.org.models import Employee
    from apps.org.services import employee_update

    employee = Employee.objects.get(pk=employee_pk)
    for n in range(count):
        employee_update(employee=employee, actor=None, position=f"Step {n}")
    sys.stdout.write(f"wrote {count}\n")


if __name__ == "__main__":
    main()
