"""Announcements: who may publish where, hostile input, audiences and live topics."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from apps.core import live
from apps.notifications import selectors, services
from apps.notifications.models import BODY_MAX, TITLE_MAX, Announcement
from apps.org.services import ScopeRefused, employee_create


@pytest.fixture
def web_person(tree):
    return employee_create(actor=None, username="webber", department=tree["web"])


@pytest.fixture
def fin_person(tree):
    return employee_create(actor=None, username="counter", department=tree["fin"])


def test_hr_publishes_to_everyone_and_it_is_pushed_on_global(
    hr, pushed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        news = services.announcement_publish(actor=hr, title="Hello", body="Line one\nLine two")
    assert pushed == [
        (
            "global",
            {
                "kind": "announcement",
                "id": str(news.pk),
                "title": "Hello",
                "body": "Line one\nLine two",
                "ends_at": None,
            },
        )
    ]
    assert news.history.count() == 1


def test_a_subtree_announcement_goes_to_its_audience_topic(
    hr, tree, pushed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_publish(actor=hr, title="Eng", body="b", department=tree["eng"])
    assert [topic for topic, _ in pushed] == [f"audience:{tree['eng'].pk}"]


def test_a_later_announcement_is_not_pushed_before_it_starts(
    hr, pushed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_publish(
            actor=hr, title="Soon", body="b", starts_at=timezone.now() + datetime.timedelta(days=1)
        )
    assert pushed == []


def test_managers_and_staff_may_not_publish(make_user, tree, staff_user):
    manager = make_user("manager", username="boss", department=tree["eng"])
    for actor, department in ((manager, tree["eng"]), (staff_user, None)):
        with pytest.raises(ScopeRefused):
            services.announcement_publish(actor=actor, title="t", body="b", department=department)
    assert not Announcement.objects.exists()


def test_hr_scoped_to_a_subtree_publishes_there_only(make_user, tree):
    scoped = make_user("hr", username="enghr", department=tree["eng"], scope=tree["eng"])
    services.announcement_publish(actor=scoped, title="ok", body="b", department=tree["web"])
    with pytest.raises(ScopeRefused):
        services.announcement_publish(actor=scoped, title="no", body="b", department=tree["fin"])
    with pytest.raises(ScopeRefused):
        services.announcement_publish(actor=scoped, title="no", body="b")  # everyone
    assert list(Announcement.objects.values_list("title", flat=True)) == ["ok"]


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("x" * (TITLE_MAX + 1), "b", "title"),
        ("t", "x" * (BODY_MAX + 1), "body"),
        ("   ", "b", "title"),
        ("t", "", "body"),
    ],
)
def test_refuses_oversized_or_empty_text_by_field(hr, title, body, field):
    with pytest.raises(ValidationError) as caught:
        services.announcement_publish(actor=hr, title=title, body=body)
    assert field in caught.value.message_dict
    assert not Announcement.objects.exists()


def test_refuses_an_end_before_the_start_with_a_clear_error(hr):
    start = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.announcement_publish(
            actor=hr,
            title="t",
            body="b",
            starts_at=start,
            ends_at=start - datetime.timedelta(hours=1),
        )
    assert caught.value.message_dict["ends_at"] == ["“Shown until” must be after “shown from”."]


def test_audiences_reach_the_subtree_and_only_it(hr, tree, web_person, fin_person):
    everyone = services.announcement_publish(actor=hr, title="all", body="b")
    eng = services.announcement_publish(actor=hr, title="eng", body="b", department=tree["eng"])
    assert set(selectors.announcements_for(web_person)) == {everyone, eng}
    assert set(selectors.announcements_for(fin_person)) == {everyone}
    assert selectors.audience_topics(selectors.audience_departments(web_person)) == [
        "global",
        f"audience:{tree['bog'].pk}",
        f"audience:{tree['eng'].pk}",
        f"audience:{tree['web'].pk}",
    ]


def test_may_join_an_audience_topic_of_ones_own_department_or_above(tree, web_person, fin_person):
    assert live.may_join(web_person, f"audience:{tree['eng'].pk}")
    assert live.may_join(web_person, f"audience:{tree['web'].pk}")
    assert not live.may_join(fin_person, f"audience:{tree['eng'].pk}")
    assert not live.may_join(web_person, "audience:not-a-uuid")
    assert not live.may_join(web_person, "audience")


def test_an_ended_or_dismissed_announcement_leaves_the_banner(hr, web_person):
    now = timezone.now()
    gone = services.announcement_publish(
        actor=hr,
        title="gone",
        body="b",
        starts_at=now - datetime.timedelta(days=2),
        ends_at=now - datetime.timedelta(days=1),
    )
    kept = services.announcement_publish(actor=hr, title="kept", body="b")
    closed = services.announcement_publish(actor=hr, title="closed", body="b")
    assert services.announcements_dismiss(user=web_person, ids=[closed.pk]) == 1
    assert services.announcements_dismiss(user=web_person, ids=[closed.pk]) == 0
    departments = selectors.audience_departments(web_person)
    assert selectors.announcements_showing(web_person, departments=departments) == [kept]
    assert gone in selectors.announcements_for(web_person)  # still in the centre


def test_dismissing_an_announcement_meant_for_others_does_nothing(hr, tree, fin_person):
    eng = services.announcement_publish(actor=hr, title="eng", body="b", department=tree["eng"])
    assert services.announcements_dismiss(user=fin_person, ids=[eng.pk]) == 0


def _render_banners(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return Template("{% load notifications %}{% announcement_banners %}").render(
        Context({"request": request, "has_permission": True, "csrf_token": "t"})
    )


def test_the_banner_shows_html_in_the_body_as_text(hr, web_person):
    services.announcement_publish(
        actor=hr, title="<b>Title</b>", body='<script>alert(1)</script>\n<img src=x onerror="x()">'
    )
    html = _render_banners(web_person)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in html
    assert "<script>alert" not in html
    assert "<img" not in html
    assert "&lt;b&gt;Title&lt;/b&gt;" in html


def test_banners_cost_no_query_when_none_is_showing(web_person, django_assert_num_queries):
    _render_banners(web_person)  # fills the cache
    with django_assert_num_queries(0):
        _render_banners(web_person)


def test_banners_cost_two_queries_however_many_there_are(
    hr, tree, web_person, django_assert_num_queries
):
    for i in range(3):  # a page shows five at most
        services.announcement_publish(actor=hr, title=f"n{i}", body="b")
    services.announcement_publish(actor=hr, title="eng", body="b", department=tree["eng"])
    services.announcement_publish(actor=hr, title="fin", body="b", department=tree["fin"])
    _render_banners(web_person)
    with django_assert_num_queries(2):  # their departments, their dismissals
        html = _render_banners(web_person)
    assert "eng" in html
    assert ">fin<" not in html


def test_a_new_announcement_shows_at_once_despite_the_cache(hr, web_person):
    assert "Fresh" not in _render_banners(web_person)
    services.announcement_publish(actor=hr, title="Fresh", body="b")
    assert "Fresh" in _render_banners(web_person)
