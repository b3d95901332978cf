"""Hostile input to the security officers' lists and timelines: a 400 or 404, never a 500.

NUL characters reach PostgreSQL only there (SQLite stores them); the answer asserted here
is the same on both.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LISTS = [
    "admin:security_loginevent_changelist",
    "admin:security_lockout_changelist",
    "admin:security_usersession_changelist",
    "admin:security_securityaction_changelist",
]


@pytest.fixture
def officer(client, make_user):
    user = make_user("security")
    client.force_login(user)
    return client, user


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "query",
    [
        {"q": "a\x00"},
        {"q": "\x00"},
        {"outcome__exact": "\x00"},
        {"risk": "\x00"},
        {"locked": "\x00"},
        {"active": "\x00"},
        {"at_from_0": "\x00"},
        {"o": "1\x00"},
    ],
)
def test_a_nul_in_a_list_query_is_a_400(officer, url, query):
    client, _ = officer
    assert client.get(reverse(url), query).status_code == 400


@pytest.mark.parametrize("url", LISTS)
def test_a_lookup_the_list_does_not_offer_is_a_400(officer, url):
    client, _ = officer
    assert client.get(reverse(url)).status_code == 200
    assert client.get(reverse(url), {"id__gt": "0"}).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "timeline/user/%00/",
        "timeline/user/not-a-uuid/",
        "timeline/ip/%00/",
        "timeline/ip/1.2.3.4%00/",
        "timeline/ip/%ED%A0%80/",
    ],
)
def test_a_bad_timeline_address_is_a_404(officer, path):
    client, _ = officer
    assert client.get(f"/admin/security/loginevent/{path}").status_code == 404


@pytest.mark.parametrize("page", ["\x00", "1\x00", "abc", "0", "-1", "99"])
def test_a_bad_timeline_page_shows_a_page(officer, page):
    client, user = officer
    ip = client.get("/admin/security/loginevent/timeline/ip/127.0.0.1/", {"page": page})
    mine = client.get(f"/admin/security/loginevent/timeline/user/{user.pk}/", {"page": page})
    assert (ip.status_code, mine.status_code) == (200, 200)
