"""Fixtures of the notification tests: a small tree, and the pushes the code made."""

import pytest

from apps.core import live
from apps.org.services import department_create


@pytest.fixture
def tree(root_department):
    """BOG > ENG > WEB, BOG > FIN."""
    eng = department_create(actor=None, name="Engineering", code="ENG", parent=root_department)
    web = department_create(actor=None, name="Web", code="WEB", parent=eng)
    fin = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    return {"bog": root_department, "eng": eng, "web": web, "fin": fin}


@pytest.fixture
def pushed(monkeypatch):
    """What reached the channel layer (the process boundary), as (topic, event) pairs."""
    sent: list[tuple[str, dict]] = []

    def record(topics, event):
        sent.extend((topic, event) for topic in topics)

    monkeypatch.setattr(live, "_send", record)
    return sent
