"""Fixtures shared by the audit tests: Engineering and Finance under the root."""

import pytest

from apps.org.services import department_create


@pytest.fixture
def eng(root_department):
    return department_create(actor=None, name="Engineering", code="ENG", parent=root_department)


@pytest.fixture
def fin(root_department):
    return department_create(actor=None, name="Finance", code="FIN", parent=root_department)
