"""Fixtures shared by the access tests: a manager of Engineering, someone in Finance, and an
HR partner who sees salaries in one subtree only."""

import pytest

from apps.access.roles import AUDITOR, HR
from apps.access.services import assignment_create
from apps.org.services import department_create, employee_create


@pytest.fixture
def outsider(root_department):
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    return employee_create(actor=None, username="otto", last_name="Outside", department=fin)


@pytest.fixture
def manager(make_user, root_department):
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    return make_user("manager", department=eng)


@pytest.fixture
def salary_partner(roles, root_department):
    """A viewer who reads everyone (auditor) but sees salaries in Engineering only (HR there)."""
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    inside = employee_create(actor=None, username="ines", department=eng, salary=71717)
    outside = employee_create(actor=None, username="otto", department=fin, salary=93939)
    viewer = employee_create(
        actor=None, username="viewer", password="pw-for-tests-1", department=eng, is_staff=True
    )
    assignment_create(actor=None, user=viewer, role=roles[AUDITOR], reason="reads everyone")
    assignment_create(
        actor=None, user=viewer, role=roles[HR], department=eng, reason="HR partner of ENG"
    )
    return {"viewer": viewer, "inside": inside, "outside": outside, "eng": eng, "fin": fin}
