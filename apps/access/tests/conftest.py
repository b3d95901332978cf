"""Fixtures shared by the access tests: a manager of Engineering and someone in Finance."""

import pytest

from apps.org.services import department_create, employee_create


@pytest.fixture
def outsider(root_department):
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    return employee_create(actor=None, username="otto", last_name="Outside", department=fin)


@pytest.fixture
def manager(make_user, root_department):
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    return make_user("manager", department=eng)
