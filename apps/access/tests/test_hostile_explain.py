"""Hostile input to "Explain access": form errors, never a 500 (NUL reaches PostgreSQL only)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXPLAIN = reverse("admin:access_roleassignment_explain")


@pytest.fixture
def hr(client, make_user):
    user = make_user("hr")
    client.force_login(user)
    return client, user


@pytest.mark.parametrize(
    ("param", "error"),
    [
        ("user", "No such user."),
        ("model", "Choose a model from the list."),
        ("object_id", "Null characters are not allowed."),
    ],
)
@pytest.mark.parametrize("value", ["\x00", "a\x00", "\x00b"])
def test_a_nul_in_any_parameter_is_a_form_error(hr, param, value, error):
    client, user = hr
    query = {"user": str(user.pk), "model": "org.employee", "object_id": "", param: value}
    response = client.get(EXPLAIN, query)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert response.context["explained"] is None


def test_a_nul_in_an_unknown_parameter_is_ignored(hr):
    client, user = hr
    response = client.get(EXPLAIN, {"user": str(user.pk), "model": "org.employee", "x": "\x00"})
    assert response.status_code == 200
    assert response.context["explained"] is not None
