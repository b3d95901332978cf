"""Fixtures shared by the org tests: a small tree, and the same tree with people."""

import pytest

from apps.org.services import department_create, employee_create


@pytest.fixture
def tree(root_department):
    """BOG > ENG > (WEB > MOB), BOG > FIN."""
    eng = department_create(actor=None, name="Engineering", parent=root_department)
    web = department_create(actor=None, name="Web", code="WEB", parent=eng)
    mob = department_create(actor=None, name="Mobile", code="MOB", parent=web)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    return {"bog": root_department, "eng": eng, "web": web, "mob": mob, "fin": fin}


@pytest.fixture
def org(tree):
    """The shared tree with people: ENG 1, WEB 2, MOB 0, FIN 1, BOG 1."""
    for i, dept in enumerate([tree["eng"], tree["web"], tree["web"], tree["fin"], tree["bog"]]):
        employee_create(actor=None, username=f"p{i}", department=dept)
    return tree
