"""The centre, the bell's endpoints and what the bell costs every admin page."""

import datetime
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext_noop

from apps.notifications import services
from apps.notifications.models import Kind, Notification
from apps.org.services import employee_create

DONE = gettext_noop("Finished: %(label)s.")


def send(user, label="A", kind=Kind.JOB_SUCCEEDED, url="/admin/"):
    (row,) = services.notify(
        recipients=[user], kind=kind, msgid=DONE, params={"label": label}, url=url
    )
    return row


@pytest.fixture
def other(root_department):
    return employee_create(actor=None, username="other", department=root_department)


def test_the_centre_lists_only_the_viewers_own(staff_client, staff_user, other):
    send(staff_user, "mine")
    send(other, "theirs")
    page = staff_client.get(reverse("notifications_centre")).content.decode()
    assert "Finished: mine." in page
    assert "theirs" not in page


def test_the_centre_filters_by_kind_and_state(staff_client, staff_user):
    read = send(staff_user, "seen-one")
    send(staff_user, "crashed-one", kind=Kind.JOB_FAILED)
    services.notifications_mark_read(user=staff_user, ids=[read.pk])
    url = reverse("notifications_centre")
    page = staff_client.get(url, {"kind": Kind.JOB_FAILED}).content.decode()
    assert "crashed-one" in page
    assert "seen-one" not in page
    page = staff_client.get(url, {"state": "read"}).content.decode()
    assert "seen-one" in page
    assert "crashed-one" not in page


def test_marking_selected_read_ignores_others_ids_and_junk(staff_client, staff_user, other):
    mine = send(staff_user)
    theirs = send(other)
    response = staff_client.post(
        reverse("notifications_centre"), {"ids": [str(mine.pk), str(theirs.pk), "junk"]}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_mark_all_read_from_the_centre(staff_client, staff_user):
    send(staff_user)
    send(staff_user)
    staff_client.post(reverse("notifications_centre"), {"mark_all": "1"})
    assert not Notification.objects.filter(recipient=staff_user, read_at__isnull=True).exists()


def test_another_persons_notification_is_not_found(staff_client, other):
    theirs = send(other)
    assert staff_client.get(reverse("notifications_open", args=[theirs.pk])).status_code == 404
    assert staff_client.get(reverse("notifications_open", args=[uuid.uuid4()])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_ones_own_marks_it_read_and_goes_to_its_target(staff_client, staff_user):
    mine = send(staff_user, url="/admin/sessions/")
    response = staff_client.get(reverse("notifications_open", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/admin/sessions/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_an_offsite_target_is_never_followed(staff_client, staff_user):
    mine = send(staff_user, url="https://evil.example/")
    response = staff_client.get(reverse("notifications_open", args=[mine.pk]))
    assert response["Location"] == reverse("notifications_centre")


def test_the_feed_gives_the_latest_five_or_what_came_after(staff_client, staff_user, other):
    for i in range(7):
        send(staff_user, str(i))
    send(other, "x")
    data = json.loads(staff_client.get(reverse("notifications_feed")).content)
    assert data["unread"] == 7
    assert [i["seq"] for i in data["items"]] == [7, 6, 5, 4, 3]
    data = json.loads(staff_client.get(reverse("notifications_feed"), {"since": "5"}).content)
    assert [i["seq"] for i in data["items"]] == [6, 7]


def test_the_feed_writes_each_moment_as_the_product_does(staff_client, staff_user, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 7, 14, 30, 44, tzinfo=datetime.UTC))
    send(staff_user)
    (item,) = json.loads(staff_client.get(reverse("notifications_feed")).content)["items"]
    assert item["when"] == "Dec. 7, 2026, 14:30:44"  # the bell no longer asks the browser
    zh = staff_client.get(reverse("notifications_feed"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    (item,) = json.loads(zh.content)["items"]
    assert item["when"].startswith("2026年12月7日"), item["when"]


def test_read_all_needs_a_post(staff_client, staff_user):
    send(staff_user)
    assert staff_client.get(reverse("notifications_read_all")).status_code == 405
    assert json.loads(staff_client.post(reverse("notifications_read_all")).content) == {"unread": 0}


def test_the_pages_need_a_sign_in(client):
    response = client.get(reverse("notifications_centre"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_header_shows_the_servers_count(staff_client, staff_user):
    send(staff_user)
    send(staff_user)
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert 'data-bell-count data-testid="bell-count">2<' in page
    assert f'data-topic="user:{staff_user.pk}"' in page


def _queries_on(client, url, table):
    client.get(url)  # warm: the showing announcements are cached across pages
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx), sum(table in q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name", ["admin:index", "admin:org_employee_me", "notifications_centre"]
)
def test_the_bell_costs_one_query_on_every_page_however_many(
    staff_client, staff_user, hr, url_name
):
    url = reverse(url_name)
    total_before, bell_before = _queries_on(staff_client, url, '"notifications_notification"')
    for i in range(20):
        send(staff_user, str(i))
    services.announcement_publish(actor=hr, title="Hello", body="b")
    total_after, bell_after = _queries_on(staff_client, url, '"notifications_notification"')
    # The bell's one query (the centre itself reads notifications twice more).
    assert bell_before == bell_after == (1 if url_name != "notifications_centre" else 3)
    assert total_after == total_before + 1  # the showing one's dismissals
    _, banners = _queries_on(staff_client, url, '"notifications_announcement')
    # The showing list is cached: its dismissals only (the centre reads its own list).
    assert banners == (1 if url_name != "notifications_centre" else 2)
