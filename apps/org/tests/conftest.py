import pytest

from apps.org.services import department_create


@pytest.fixture
def tree(root_department):
    """BOG > ENG > (WEB > MOB), BOG > FIN."""
    eng = department_create(actor=None, name="Engineering", parent=root_department)
    web = department_create(actor=None, name="Web", code="WEB", parent=eng)
    mob = department_create(actor=None, name="Mobile", code="MOB", parent=web)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    return {"bog": root_department, "eng": eng, "web": web, "mob": mob, "fin": fin}
