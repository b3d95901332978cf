"""Login events: one per outcome through the real sign-in, the risk rules, the alert mail,
bounded queries, and the security officers' list and timelines (allowed and refused)."""

import datetime
import uuid

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.access.roles import SECURITY_OFFICER
from apps.org.models import Employee
from apps.security import events
from apps.security.models import LoginEvent
from tests.otp import code_for, code_from_secret, device_for

Outcome = LoginEvent.Outcome

LOGIN = "/admin/login/"
VERIFY = "/admin/verify/"
LOGOUT = "/admin/logout/"
PASSWORD = "pw-for-tests-1"
LIST = "/admin/security/loginevent/"

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
FIREFOX_WINDOWS_NEWER = FIREFOX_WINDOWS.replace("128.0", "131.0")
CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


def sign_in(client: Client, username: str, *, password: str = PASSWORD, **meta: str):
    meta.setdefault("REMOTE_ADDR", "10.0.0.1")
    meta.setdefault("HTTP_USER_AGENT", FIREFOX_WINDOWS)
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **meta
    )


def send_code(client: Client, code: str, **meta: str):
    meta.setdefault("REMOTE_ADDR", "10.0.0.1")
    meta.setdefault("HTTP_USER_AGENT", FIREFOX_WINDOWS)
    return client.post(VERIFY, {"code": code, "next": "/admin/"}, **meta)


def outcomes(**filters) -> list[str]:
    return list(
        LoginEvent.objects.filter(**filters).order_by("at", "id").values_list("outcome", flat=True)
    )


def history(user: Employee, count: int, *, ip: str, agent: str, at: datetime.datetime) -> None:
    """``count`` earlier successes of ``user``, a minute apart, ending at ``at``."""
    LoginEvent.objects.bulk_create(
        LoginEvent(
            at=at - datetime.timedelta(minutes=i),
            username=user.username,
            user=user,
            ip=ip,
            user_agent=agent,
            outcome=Outcome.SUCCESS,
        )
        for i in range(count)
    )


def record_success(rf, user: Employee, *, ip: str = "10.0.0.1", agent: str = FIREFOX_WINDOWS):
    request = rf.post(VERIFY, REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    return events.event_record(
        request=request, outcome=Outcome.SUCCESS, username=user.username, user=user
    )


@pytest.fixture
def officer(make_user):
    user = make_user("security")
    Employee.objects.filter(pk=user.pk).update(email="officer@example.com")
    return user


# --- every outcome, once, through the real sign-in -------------------------------------


def test_a_wrong_password_is_one_event_naming_the_user_the_address_and_the_browser(client, hr):
    sign_in(client, "hr", password="wrong")
    event = LoginEvent.objects.get()
    assert (event.outcome, event.username, event.user, event.ip) == (
        Outcome.BAD_PASSWORD,
        "hr",
        hr,
        "10.0.0.1",
    )
    assert event.user_agent == FIREFOX_WINDOWS
    assert (event.risk_score, event.risk_reasons) == (0, [])


def test_a_wrong_password_for_an_unknown_username_has_no_user(client, db, roles):
    sign_in(client, "nobody", password="wrong")
    assert LoginEvent.objects.get().user is None
    assert outcomes(username="nobody") == [Outcome.BAD_PASSWORD]


def test_the_password_alone_is_no_success_the_code_completes_it(client, hr):
    sign_in(client, "hr")
    assert outcomes() == []
    send_code(client, code_for(device_for(hr)))
    assert outcomes(user=hr) == [Outcome.SUCCESS]


def test_a_wrong_code_is_one_bad_code_event_not_a_bad_password(client, hr):
    sign_in(client, "hr")
    send_code(client, "000000")
    assert outcomes(user=hr) == [Outcome.BAD_CODE]


def test_the_code_that_locks_is_the_lockout_and_no_logout_follows(client, hr):
    sign_in(client, "hr")
    for _ in range(5):
        send_code(client, "000000")
    assert outcomes(user=hr) == [Outcome.BAD_CODE] * 4 + [Outcome.LOCKED_OUT]


def test_the_password_that_locks_and_each_one_refused_after_are_lockouts(client, hr):
    for _ in range(6):
        sign_in(client, "hr", password="wrong")
    assert outcomes(user=hr) == [Outcome.BAD_PASSWORD] * 4 + [Outcome.LOCKED_OUT] * 2


def test_staff_without_a_device_succeed_with_the_password(client, make_user):
    staff = make_user("staff")
    sign_in(client, "staff")
    assert outcomes(user=staff) == [Outcome.SUCCESS]


def test_staff_with_a_device_succeed_only_after_the_code(client, make_user):
    staff = make_user("staff")
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    sign_in(client, "staff")
    assert outcomes() == []
    send_code(client, code_for(device))
    assert outcomes(user=staff) == [Outcome.SUCCESS]


def test_finishing_enrollment_is_the_success(client, hr):
    TOTPDevice.objects.filter(user=hr).delete()
    sign_in(client, "hr")
    page = client.get("/admin/enroll/")
    secret = page.context["secret"]
    client.post("/admin/enroll/", {"code": code_from_secret(secret)}, REMOTE_ADDR="10.0.0.1")
    assert outcomes(user=hr) == [Outcome.SUCCESS]


def test_a_logout_after_a_whole_sign_in_is_recorded_once(client, hr):
    sign_in(client, "hr")
    send_code(client, code_for(device_for(hr)))
    client.post(LOGOUT, REMOTE_ADDR="10.0.0.1")
    assert outcomes(user=hr) == [Outcome.SUCCESS, Outcome.LOGOUT]


def test_leaving_at_the_code_step_is_not_a_logout(client, hr):
    sign_in(client, "hr")
    client.post(LOGOUT, REMOTE_ADDR="10.0.0.1")
    assert outcomes() == []


# --- the risk rules ---------------------------------------------------------------------


def test_the_first_success_has_no_baseline_and_no_risk(rf, hr):
    event = record_success(rf, hr)
    assert (event.risk_score, event.risk_reasons) == (0, [])


def test_an_address_the_user_never_succeeded_from_is_new(rf, hr):
    history(hr, 3, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=timezone.now())
    assert record_success(rf, hr, ip="10.0.0.2").risk_reasons == [events.NEW_IP]
    assert record_success(rf, hr, ip="10.0.0.1").risk_reasons == []


def test_another_users_address_is_still_new_for_this_user(rf, hr, make_user):
    other = make_user("staff")
    history(hr, 1, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=timezone.now())
    history(other, 1, ip="10.0.0.2", agent=FIREFOX_WINDOWS, at=timezone.now())
    assert record_success(rf, hr, ip="10.0.0.2").risk_reasons == [events.NEW_IP]


def test_a_new_browser_family_counts_a_new_version_does_not(rf, hr):
    history(hr, 3, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=timezone.now())
    assert record_success(rf, hr, agent=FIREFOX_WINDOWS_NEWER).risk_reasons == []
    event = record_success(rf, hr, agent=CHROME_LINUX)
    assert event.risk_reasons == [events.NEW_BROWSER]
    assert event.risk_score == events.WEIGHTS[events.NEW_BROWSER]


def test_an_hour_far_from_the_usual_ones_is_unusual(rf, hr):
    usual = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_current_timezone())
    history(hr, 10, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=usual)
    with time_machine.travel(usual + datetime.timedelta(hours=17), tick=False):
        assert record_success(rf, hr).risk_reasons == [events.UNUSUAL_HOUR]
    with time_machine.travel(usual.replace(hour=12), tick=False):
        assert record_success(rf, hr).risk_reasons == []  # within two hours


def test_the_hour_rule_needs_ten_earlier_successes(rf, hr):
    usual = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_current_timezone())
    history(hr, 9, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=usual)
    with time_machine.travel(usual + datetime.timedelta(hours=17), tick=False):
        assert record_success(rf, hr).risk_reasons == []


def test_the_usual_hours_wrap_around_midnight(rf, hr):
    usual = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=timezone.get_current_timezone())
    history(hr, 10, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=usual)
    with time_machine.travel(usual + datetime.timedelta(hours=2), tick=False):  # 01:30
        assert record_success(rf, hr).risk_reasons == []


def test_failures_of_the_username_in_the_last_hour_add_to_the_risk(client, rf, hr):
    for _ in range(2):
        sign_in(client, "hr", password="wrong")
    sign_in(client, "someone-else", password="wrong")
    event = record_success(rf, hr)
    assert event.risk_reasons == [events.RECENT_FAILURES]
    assert event.risk_score == 2 * events.RECENT_FAILURE_WEIGHT


def test_failures_older_than_an_hour_do_not_count(client, rf, hr):
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=61)):
        sign_in(client, "hr", password="wrong")
    assert record_success(rf, hr).risk_reasons == []


def test_the_score_is_capped_at_100(rf, hr):
    usual = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_current_timezone())
    history(hr, 10, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=usual)
    late = usual + datetime.timedelta(hours=17)
    LoginEvent.objects.bulk_create(
        LoginEvent(at=late, username="hr", outcome=Outcome.BAD_PASSWORD) for _ in range(6)
    )
    with time_machine.travel(late + datetime.timedelta(minutes=1), tick=False):
        event = record_success(rf, hr, ip="192.0.2.9", agent=CHROME_LINUX)
    assert event.risk_reasons == [
        events.NEW_IP,
        events.NEW_BROWSER,
        events.UNUSUAL_HOUR,
        events.RECENT_FAILURES,
    ]
    assert event.risk_score == 100


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (FIREFOX_WINDOWS, ("Firefox", "Windows")),
        (CHROME_LINUX, ("Chrome", "Linux")),
        (CHROME_LINUX.replace("Safari/537.36", "Safari/537.36 Edg/126.0.0.0"), ("Edge", "Linux")),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            ("Safari", "iOS"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Mobile Safari/537.36",
            ("Chrome", "Android"),
        ),
        ("curl/8.5.0", ("", "")),
        ("", ("", "")),
    ],
)
def test_the_browser_family_is_browser_and_system(agent, family):
    assert events.browser_family(agent) == family


# --- the alert ---------------------------------------------------------------------------


def test_a_high_risk_sign_in_mails_the_security_officers_after_commit(
    client, hr, officer, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    auditor = make_user("auditor")
    Employee.objects.filter(pk__in=[hr.pk, auditor.pk]).update(email="not-an-officer@example.com")
    history(hr, 3, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sign_in(client, "hr", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=CHROME_LINUX)
        send_code(
            client,
            code_for(device_for(hr)),
            REMOTE_ADDR="203.0.113.7",
            HTTP_USER_AGENT=CHROME_LINUX,
        )
    event = LoginEvent.objects.get(outcome=Outcome.SUCCESS, ip="203.0.113.7")
    assert event.risk_score >= events.alert_threshold()
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["officer@example.com"]
    assert "203.0.113.7" in mail.subject
    for text in ("Hr Tester", "203.0.113.7", "Chrome on Linux", "new IP address", "new browser"):
        assert text in mail.body
    assert reverse("admin:security_loginevent_user_timeline", args=[hr.pk]) in mail.body


def test_the_alert_writes_the_time_in_the_shared_format_to_the_second(
    client, hr, officer, mailoutbox, django_capture_on_commit_callbacks
):
    from apps.security.times import moment_in_mail

    history(hr, 3, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, "hr", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=CHROME_LINUX)
        # The person signing in reads Chinese; the officers' mail is in the site's language.
        send_code(
            client,
            code_for(device_for(hr)),
            REMOTE_ADDR="203.0.113.7",
            HTTP_USER_AGENT=CHROME_LINUX,
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    event = LoginEvent.objects.get(outcome=Outcome.SUCCESS, ip="203.0.113.7")
    [mail] = mailoutbox
    at = timezone.localtime(event.at)
    with translation.override(None):
        written = moment_in_mail(event.at)
    assert written.endswith(f"{at:%H:%M:%S} {at.tzname()}")  # seconds and the zone
    assert written.startswith(f"{at:%b}")  # the site's language (English), not Chinese
    assert f"signed in at {written} from" in mail.body


def test_a_low_risk_sign_in_mails_nobody(
    rf, hr, officer, mailoutbox, django_capture_on_commit_callbacks
):
    history(hr, 3, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_success(rf, hr, ip="10.0.0.9")  # a new address alone is medium
    assert callbacks == []
    assert mailoutbox == []


def test_officers_whose_role_ended_or_who_left_are_not_mailed(
    rf, hr, officer, make_user, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.LOGIN_RISK_ALERT = 30
    former = make_user("security", username="former")
    gone = make_user("security", username="gone")
    Employee.objects.filter(pk__in=[former.pk, gone.pk]).update(email="former@example.com")
    Employee.objects.filter(pk=gone.pk).update(is_active=False)
    former.role_assignments.filter(role__name=SECURITY_OFFICER).update(is_active=False)
    history(hr, 1, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        record_success(rf, hr, ip="10.0.0.9")
    assert [mail.to for mail in mailoutbox] == [["officer@example.com"]]


# --- bounded queries ----------------------------------------------------------------------


@pytest.mark.parametrize("earlier", [5, 400])
def test_recording_a_success_takes_the_same_few_queries_whatever_the_history(
    rf, hr, earlier, django_assert_max_num_queries
):
    history(hr, earlier, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=timezone.now())
    LoginEvent.objects.bulk_create(
        LoginEvent(at=timezone.now(), username="hr", outcome=Outcome.BAD_PASSWORD)
        for _ in range(earlier)
    )
    with django_assert_max_num_queries(6):
        record_success(rf, hr)


def test_the_query_count_does_not_grow_with_the_history(rf, hr):
    counts = []
    for size in (5, 300):
        history(hr, size, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=timezone.now())
        with CaptureQueriesContext(connection) as queries:
            record_success(rf, hr)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the security officers' screens ---------------------------------------------------------


@pytest.fixture
def some_events(hr):
    now = timezone.now()
    LoginEvent.objects.create(
        at=now - datetime.timedelta(minutes=5),
        username="hr",
        user=hr,
        ip="10.0.0.1",
        user_agent=FIREFOX_WINDOWS,
        outcome=Outcome.BAD_PASSWORD,
    )
    LoginEvent.objects.create(
        at=now,
        username="hr",
        user=hr,
        ip="10.0.0.1",
        user_agent=CHROME_LINUX,
        outcome=Outcome.SUCCESS,
        risk_score=70,
        risk_reasons=[events.NEW_IP, events.NEW_BROWSER, "retired_rule"],
    )
    LoginEvent.objects.create(
        at=now, username="intruder", ip="198.51.100.4", outcome=Outcome.BAD_PASSWORD
    )
    LoginEvent.objects.create(
        at=now, username="lowrisk", ip="10.0.0.3", outcome=Outcome.SUCCESS, risk_score=10
    )


def _as(client: Client, make_user, persona: str) -> Client:
    client.force_login(make_user(persona))
    return client


def test_security_officers_see_the_list_with_badges_links_and_reasons(
    client, make_user, hr, some_events
):
    body = _as(client, make_user, "security").get(LIST).content.decode()
    assert "intruder" in body
    assert "new IP address for this user" in body
    assert "retired_rule" in body  # an unknown code shows as itself
    assert "Chrome on Linux" in body
    assert reverse("admin:security_loginevent_user_timeline", args=[hr.pk]) in body
    assert reverse("admin:security_loginevent_ip_timeline", args=["198.51.100.4"]) in body


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"outcome__exact": "success"}, "Chrome on Linux", "intruder"),
        ({"risk": "high"}, "Chrome on Linux", "intruder"),
        ({"risk": "low"}, "lowrisk", "intruder"),
        ({"risk": "medium"}, "0 results", "intruder"),
        ({"q": "intru"}, "intruder", "Chrome on Linux"),
        ({"q": "198.51.100.4"}, "intruder", "Chrome on Linux"),
        ({"q": "10.0.0.1"}, "Chrome on Linux", "intruder"),
    ],
)
def test_the_filters_and_the_search_narrow_the_list(
    client, make_user, some_events, query, shown, hidden
):
    response = _as(client, make_user, "security").get(LIST, query)
    body = response.content.decode()
    assert response.status_code == 200
    assert shown in body
    assert hidden not in body


def test_the_date_range_filter_narrows_the_list(client, make_user, some_events):
    LoginEvent.objects.filter(username="intruder").update(
        at=timezone.now() - datetime.timedelta(days=30)
    )
    since = timezone.localtime() - datetime.timedelta(days=1)
    query = {"at_from_0": since.strftime("%Y-%m-%d"), "at_from_1": since.strftime("%H:%M")}
    body = _as(client, make_user, "security").get(LIST, query).content.decode()
    assert "Chrome on Linux" in body
    assert "intruder" not in body


def test_the_user_timeline_shows_their_events_newest_first_with_a_summary(
    client, make_user, hr, some_events
):
    url = reverse("admin:security_loginevent_user_timeline", args=[hr.pk])
    response = _as(client, make_user, "security").get(url)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["event"].outcome for row in rows] == [Outcome.SUCCESS, Outcome.BAD_PASSWORD]
    summary = response.context["summary"]
    assert summary["ips"] == 1
    assert {value: count for value, _label, count in summary["outcomes"]} == {
        "success": 1,
        "bad_password": 1,
        "bad_code": 0,
        "locked_out": 0,
        "logout": 0,
    }
    assert "intruder" not in response.content.decode()


def test_the_ip_timeline_shows_every_username_tried_from_it(client, make_user, some_events):
    url = reverse("admin:security_loginevent_ip_timeline", args=["198.51.100.4"])
    response = _as(client, make_user, "security").get(url)
    assert response.status_code == 200
    assert [row["event"].username for row in response.context["rows"]] == ["intruder"]
    assert response.context["summary"]["usernames"] == 1


def test_the_timeline_shows_a_hundred_events_a_page(client, make_user, hr):
    history(hr, 101, ip="10.0.0.1", agent=FIREFOX_WINDOWS, at=timezone.now())
    url = reverse("admin:security_loginevent_user_timeline", args=[hr.pk])
    client = _as(client, make_user, "security")
    assert len(client.get(url).context["rows"]) == 100
    assert len(client.get(url, {"page": "2"}).context["rows"]) == 1
    assert client.get(url, {"page": "not-a-page\x00"}).status_code == 200


@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_administrators_and_auditors_may_read_them_too(client, make_user, hr, some_events, persona):
    client = _as(client, make_user, persona)
    assert client.get(LIST).status_code == 200
    url = reverse("admin:security_loginevent_user_timeline", args=[hr.pk])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("persona", ["manager", "staff", "hr"])
def test_other_roles_are_refused_the_list_and_the_timelines(client, make_user, persona):
    client = _as(client, make_user, persona)
    user = Employee.objects.get(username=persona)
    for url in (
        LIST,
        reverse("admin:security_loginevent_user_timeline", args=[user.pk]),
        reverse("admin:security_loginevent_ip_timeline", args=["10.0.0.1"]),
        reverse("admin:security_loginevent_ip_timeline", args=["not-an-ip"]),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(
    "path",
    [
        "timeline/user/not-a-uuid/",
        "timeline/user/12345/",
        f"timeline/user/{uuid.uuid4()}/",  # well-formed, nobody
        "timeline/ip/not-an-ip/",
        "timeline/ip/999.1.1.1/",
        "timeline/ip/10.0.0.1%00/",
        "timeline/ip/%3Cscript%3E/",
        "abc/change/",
        "99999999999999999999999/change/",
    ],
)
def test_malformed_or_unknown_ids_and_addresses_are_404(client, make_user, path):
    assert _as(client, make_user, "security").get(LIST + path).status_code == 404


def test_an_ipv6_timeline_is_found_in_its_short_form(client, make_user):
    LoginEvent.objects.create(at=timezone.now(), username="x", ip="2001:db8::1", outcome="logout")
    url = reverse("admin:security_loginevent_ip_timeline", args=["2001:DB8:0::1"])
    response = _as(client, make_user, "security").get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        {"q": "\x00"},
        {"q": "' OR 1=1 --"},
        {"q": "%_\\"},
        {"q": "x" * 5000},
        {"q": "10.0.0.0/8"},
        {"q": "<script>alert(1)</script>"},
        {"outcome": "nonsense\x00"},
        {"outcome__exact": "nonsense\x00"},
        {"risk": "high\x00"},
        {"risk": "extreme"},
        {"at_from_0": "not-a-date", "at_to_0": "\x00"},
        {"at_from_0": "2026-13-45", "at_from_1": "99:99"},
        {"p": "-1"},
        {"p": "abc"},
        {"o": "999"},
        {"user__id__exact": "not-a-uuid"},
    ],
)
def test_hostile_search_and_filter_input_is_never_a_server_error(
    client, make_user, some_events, query
):
    response = _as(client, make_user, "security").get(LIST, query)
    assert response.status_code < 500
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_every_security_page_writes_times_in_the_shared_format_to_the_second(client, hr, officer):
    from apps.security.times import moment_shown

    sign_in(client, "hr", password="wrong")
    event = LoginEvent.objects.get(username="hr")
    client.force_login(officer)
    with translation.override("en"):
        written = moment_shown(event.at)
    assert written.endswith(timezone.localtime(event.at).strftime("%H:%M:%S"))
    pages = [
        reverse("admin:security_loginevent_changelist"),
        reverse("admin:security_loginevent_user_timeline", args=[hr.pk]),
        reverse("admin:security_loginevent_ip_timeline", args=["10.0.0.1"]),
    ]
    for url in pages:
        assert written in client.get(url).content.decode(), url
    with translation.override("zh-hans"):
        in_chinese = moment_shown(event.at)
    assert "年" in in_chinese
    page = client.get(pages[1], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert in_chinese in page
