"""Hostile query strings on every admin list: a clear 400, never a 500."""

import pytest
from django.contrib import admin


def _lists() -> list[str]:
    return sorted(
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry
    )


@pytest.mark.parametrize("url", _lists())
@pytest.mark.parametrize(
    "query", ["q=%00", "q=a%00b", "id=%00", "o=%00", "%00=1", "p=%00", "all=%00"]
)
def test_a_nul_in_the_query_string_is_a_400(admin_client_verified, url, query):
    response = admin_client_verified.get(f"{url}?{query}")
    assert response.status_code == 400


@pytest.fixture
def admin_client_verified(client, make_user):
    client.force_login(make_user("admin"))
    return client
