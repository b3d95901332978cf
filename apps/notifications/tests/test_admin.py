"""The announcements' admin: HR publishes, others are refused, bad input is explained."""

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.notifications.models import Announcement

ADD = "admin:notifications_announcement_add"


def form(**values):
    now = timezone.localtime()
    data = {
        "title": "Office closed",
        "body": "Friday <b>off</b>",
        "department": "",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": "",
        "ends_at_1": "",
    }
    data.update(values)
    return data


def test_hr_publishes_from_the_admin(hr_client, hr):
    response = hr_client.post(reverse(ADD), form())
    assert response.status_code == 302, response.content.decode()[:2000]
    news = Announcement.objects.get()
    assert (news.title, news.published_by) == ("Office closed", hr)
    assert news.history.get().history_user == hr


def test_an_end_before_the_start_is_shown_beside_the_field(hr_client):
    response = hr_client.post(reverse(ADD), form(ends_at_0="2000-01-01", ends_at_1="10:00:00"))
    assert response.status_code == 200
    assert "must be after" in response.content.decode()
    assert not Announcement.objects.exists()


def test_an_oversized_title_is_refused(hr_client):
    response = hr_client.post(reverse(ADD), form(title="x" * 201))
    assert response.status_code == 200
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("persona", ["manager", "staff"])
def test_managers_and_staff_cannot_open_the_admin(client, make_user, persona):
    client.force_login(make_user(persona))
    assert client.get(reverse(ADD)).status_code == 403
    assert client.post(reverse(ADD), form()).status_code == 403
    assert not Announcement.objects.exists()


def test_the_list_shows_html_as_text(hr_client, hr):
    from apps.notifications.services import announcement_publish

    announcement_publish(actor=hr, title="<script>x()</script>", body="b")
    page = hr_client.get(reverse("admin:notifications_announcement_changelist")).content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "<script>x()" not in page
