"""factory-boy factories for org rows (tests build trees through services instead)."""

import factory
from factory.django import DjangoModelFactory

from apps.org.models import Employee


class EmployeeFactory(DjangoModelFactory):
    class Meta:
        model = Employee

    username = factory.Sequence(lambda n: f"person{n:05d}")
    employee_id = factory.Sequence(lambda n: f"T{n:06d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    position = factory.Faker("job")
    hire_date = factory.Faker("date_between", start_date="-10y", end_date="today")
    salary = factory.Faker("pydecimal", left_digits=5, right_digits=2, positive=True)
    password = "!unusable"
