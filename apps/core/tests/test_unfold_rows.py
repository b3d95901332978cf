"""apps.core.unfold_rows: the same changelist HTML as unfold's own row code, for less work."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core import unfold_rows
from apps.org.services import (
    department_create,
    department_deactivate,
    employee_create,
    employee_deactivate,
)
from apps.org.transfers import transfer_request
from apps.security.models import LoginEvent

pytestmark = pytest.mark.django_db

# What differs between two renderings of the same page whatever the row code.
_PER_REQUEST = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
]


def _page(client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    for pattern, replacement in _PER_REQUEST:
        html = pattern.sub(replacement, html)
    return html


def _without_overrides(client, url: str, **headers: str) -> str:
    unfold_rows.unapply()
    try:
        return _page(client, url, **headers)
    finally:
        unfold_rows.apply()


@pytest.fixture
def lists(make_user, root_department):
    """Rows for the lists with badges: employees, departments, transfers, login events."""
    admin = make_user("admin")
    eng = department_create(
        actor=None, name="Engineering <R&D>", code="ENG", parent=root_department
    )
    old = department_create(actor=None, name="Old unit", code="OLD", parent=root_department)
    department_deactivate(department=old, actor=admin)
    people = [
        employee_create(
            actor=None,
            username=f"person{n}",
            first_name=["Ada", "O'Brien", "<b>Lin</b>", "王"][n],
            last_name="Tester",
            department=eng,
            hire_date=datetime.date(2020, 1, 1 + n),
            salary=Decimal("1234.50") * (n + 1),
        )
        for n in range(4)
    ]
    employee_deactivate(employee=people[2], actor=admin)
    for n, person in enumerate(people[:2]):
        transfer_request(
            employee=person,
            to_department=root_department,
            effective_date=timezone.localdate() + datetime.timedelta(days=5 + n),
            reason="reorganisation",
            actor=admin,
        )
    now = timezone.now()
    for n, (outcome, score, reasons) in enumerate(
        [
            (LoginEvent.Outcome.SUCCESS, 80, ["new_ip", "new_browser", "<odd & code>"]),
            (LoginEvent.Outcome.SUCCESS, 0, []),
            (LoginEvent.Outcome.BAD_PASSWORD, 0, []),
            (LoginEvent.Outcome.LOCKED_OUT, 0, ["new_ip"]),
            (LoginEvent.Outcome.LOGOUT, 0, []),
        ]
    ):
        LoginEvent.objects.create(
            at=now - datetime.timedelta(minutes=n),
            username=people[n % 4].username,
            user=people[n % 4],
            ip=f"10.0.0.{n + 1}",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
            outcome=outcome,
            risk_score=score,
            risk_reasons=reasons,
        )
    return admin


PAGES = [
    reverse("admin:org_employee_changelist"),
    reverse("admin:org_employee_changelist") + "?o=-2.1",  # sorted on two columns
    reverse("admin:org_department_changelist"),
    reverse("admin:org_transfer_changelist"),
    reverse("admin:security_loginevent_changelist"),
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_overrides_change_no_byte_of_a_changelist(client, lists, url, language):
    client.force_login(lists)
    headers = {"accept_language": language}
    with_overrides = _page(client, url, **headers)
    assert 'class="field-' in with_overrides  # rows were rendered
    assert with_overrides == _without_overrides(client, url, **headers)


def test_the_cached_forms_follow_the_language(client, lists):
    client.force_login(lists)
    url = reverse("admin:security_loginevent_changelist")
    english = _page(client, url, accept_language="en")
    chinese = _page(client, url, accept_language="zh-hans")
    assert chinese != english
    assert chinese == _without_overrides(client, url, accept_language="zh-hans")
    assert _page(client, url, accept_language="en") == english


def test_a_badge_text_is_escaped_as_the_template_escapes_it(client, lists):
    client.force_login(lists)
    html = _page(client, reverse("admin:security_loginevent_changelist"))
    assert "&lt;odd &amp; code&gt;" in html
    assert "<odd & code>" not in html


def test_the_overrides_are_installed_at_start_up():
    from unfold import admin as unfold_admin
    from unfold.templatetags import unfold_list

    assert unfold_rows.applied()
    assert unfold_list.result_headers is unfold_rows._result_headers_once
    assert unfold_list.display_for_label is unfold_rows._display_for_label
    assert type(unfold_admin.checkbox).__name__ == "RowCheckbox"
    assert unfold_admin.ModelAdmin.list_sections == ()


def test_the_headers_are_built_once_per_list_not_once_per_row(client, lists, monkeypatch):
    calls = []
    original = unfold_rows._originals["result_headers"]

    def counted(cl):
        calls.append(cl)
        return original(cl)

    monkeypatch.setitem(unfold_rows._originals, "result_headers", counted)
    client.force_login(lists)
    _page(client, reverse("admin:org_employee_changelist"))
    assert len(calls) == 1


def test_unfold_is_the_release_the_overrides_were_checked_against():
    assert unfold_rows.unfold_version() == unfold_rows.UNFOLD_VERSION, (
        f"django-unfold is now {unfold_rows.unfold_version()}; apps/core/unfold_rows.py was "
        f"written for {unfold_rows.UNFOLD_VERSION}. Check each override against the new "
        "release (the header rebuild per row was fixed upstream after 0.91.0), drop the "
        "ones it makes unnecessary, run this module, then update UNFOLD_VERSION."
    )
