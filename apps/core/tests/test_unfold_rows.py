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
        "ones it makes unnecessary, run this module, then update UNFOLD_VERSION. The page "
        "chrome too: the templates in templates/unfold/ (each must still read only what "
        "its key in FRAGMENT_KEYS holds) and BackofficeAdminSite._get_is_active (a copy "
        "of unfold's rule)."
    )


# --- The page around the list: the sidebar and the filter panel (overrides 6, 7) ------

_SIDEBAR = re.compile(r'<div id="nav-sidebar-apps".*?</ol>\s*</div>\s*</div>', re.S)
_ROLE_PAGES = [
    ("admin", reverse("admin:security_loginevent_changelist")),
    ("security", reverse("admin:security_loginevent_changelist")),
    ("auditor", reverse("admin:security_loginevent_changelist")),
    ("hr", reverse("admin:org_employee_changelist")),
    ("staff", reverse("admin:index")),
]


def _links(sidebar: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', sidebar))


def _sidebar(html: str) -> str:
    found = _SIDEBAR.search(html)
    assert found, "no sidebar on the page"
    return found.group(0)


@pytest.mark.parametrize(("persona", "url"), _ROLE_PAGES)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_page_around_the_list_is_the_same_for_every_role(
    client, lists, make_user, persona, url, language
):
    user = lists if persona == "admin" else make_user(persona)
    client.force_login(user)
    headers = {"accept_language": language}
    cached = _page(client, url, **headers)
    _page(client, url, **headers)  # the second request reads the cached fragments
    assert _page(client, url, **headers) == cached == _without_overrides(client, url, **headers)


def test_one_persons_sidebar_is_never_shown_to_another(client, lists, make_user):
    url = reverse("admin:security_loginevent_changelist")
    officer = make_user("security")
    client.force_login(lists)  # the superuser fills the cache first
    everything = _sidebar(_page(client, url))
    client.force_login(officer)
    officers = _sidebar(_page(client, url))
    assert officers != everything
    assert officers == _sidebar(_without_overrides(client, url))
    assert _links(officers) < _links(everything)  # entries only the superuser may open


def test_the_sidebar_follows_a_change_of_rights(client, lists, make_user, roles):
    from apps.access.models import RoleAssignment
    from apps.access.roles import HR
    from apps.access.services import assignment_create, assignment_revoke

    url = reverse("admin:security_loginevent_changelist")
    officer = make_user("security")
    client.force_login(officer)
    before = _sidebar(_page(client, url))
    assignment_create(actor=None, user=officer, role=roles[HR], reason="covers HR")
    granted = _sidebar(_page(client, url))
    assert _links(before) < _links(granted)  # HR's entries appear on the next request
    assert granted == _sidebar(_without_overrides(client, url))
    hr_assignment = RoleAssignment.objects.get(user=officer, role=roles[HR])
    assignment_revoke(assignment=hr_assignment, actor=None, reason="back to security")
    assert _sidebar(_page(client, url)) == before


def test_the_sidebar_follows_the_language_and_the_page(client, lists):
    client.force_login(lists)
    events = reverse("admin:security_loginevent_changelist")
    employees = reverse("admin:org_employee_changelist")
    english = _sidebar(_page(client, events, accept_language="en"))
    chinese = _sidebar(_page(client, events, accept_language="zh-hans"))
    assert chinese != english
    assert chinese == _sidebar(_without_overrides(client, events, accept_language="zh-hans"))
    other_page = _sidebar(_page(client, employees, accept_language="en"))
    assert other_page != english  # another entry is active
    assert other_page == _sidebar(_without_overrides(client, employees, accept_language="en"))


def test_the_filter_buttons_follow_the_filters_applied(client, lists):
    client.force_login(lists)
    url = reverse("admin:security_loginevent_changelist")
    plain = _page(client, url)
    filtered_url = url + "?outcome__exact=success&_facets=True"
    filtered = _page(client, filtered_url)
    assert "changelist-filter-extra-actions" in plain
    assert "clearall" not in plain
    assert "clearall" in filtered
    assert filtered == _without_overrides(client, filtered_url)
    assert _page(client, url) == plain == _without_overrides(client, url)


def test_the_sidebar_links_are_reversed_once_per_urlconf_and_language(client, lists):
    from apps.core.registry import sidebar_url

    client.force_login(lists)
    _page(client, reverse("admin:index"))
    assert sidebar_url("admin:security_loginevent_changelist") == reverse(
        "admin:security_loginevent_changelist"
    )


def test_a_fragment_holds_no_value_it_cannot_key():
    from django.template import Context

    context = Context({"sidebar_navigation": [{"title": object(), "items": []}]})
    with pytest.raises(unfold_rows.Uncacheable):
        unfold_rows.FRAGMENT_KEYS["unfold/helpers/app_list.html"](context)


def test_a_date_range_someone_asked_for_is_rendered_not_cached(client, lists):
    def ranges() -> int:
        return sum("filters_datetime_range" in key[0] for key in unfold_rows._fragments)

    client.force_login(lists)
    url = reverse("admin:security_loginevent_changelist")
    asked = url + "?at_from_0=2026-01-01&at_to_0=not-a-date"
    plain = _page(client, url)
    assert ranges() == 1  # the empty range (taking the overrides off empties the caches)
    html = _page(client, asked)
    assert ranges() == 1
    assert 'value="2026-01-01"' in html
    assert html == _without_overrides(client, asked)
    assert plain == _without_overrides(client, url)


@pytest.mark.parametrize(
    ("path", "link", "is_tab"),
    [
        ("/admin/", "/admin/", False),
        ("/admin/security/loginevent/", "/admin/security/loginevent/", False),
        ("/admin/security/loginevent/", "/admin/", False),
        ("/admin/org/employee/3/change/", "/admin/org/employee/", False),
        ("/admin/org/employee/?status=1", "/admin/org/employee/?status=1", True),
        ("/admin/org/employee/?status=2", "/admin/org/employee/?status=1", True),
        ("/admin/org/employee/", "", False),
    ],
)
def test_our_lit_entry_rule_is_unfolds(rf, path, link, is_tab):
    from django.contrib import admin
    from unfold.sites import UnfoldAdminSite

    request = rf.get(path)
    ours = admin.site._get_is_active(request, link, is_tab)
    assert ours == UnfoldAdminSite._get_is_active(admin.site, request, link, is_tab)


def test_the_results_template_is_unfolds_but_for_the_row_actions_guard():
    from pathlib import Path

    import unfold
    from django.conf import settings

    ours = (Path(settings.BASE_DIR) / "templates/admin/change_list_results.html").read_text()
    theirs = (Path(unfold.__file__).parent / "templates/admin/change_list_results.html").read_text()
    include = (
        "{% include 'unfold/helpers/actions_row.html' with actions=actions_row "
        "instance_pk=result.instance.pk %}"
    )
    body = ours.split("{% endcomment %}", 1)[1]
    guarded = (
        "{% if actions_row %}\n                            "
        + include
        + "\n                        {% endif %}"
    )
    assert guarded in body
    assert body.replace(guarded, include) == theirs


def test_a_list_without_row_actions_renders_no_row_actions_template(client, lists):
    client.force_login(lists)
    from django.test.signals import template_rendered

    seen: list[str] = []

    def record(sender, template, **kwargs):
        seen.append(template.name)

    template_rendered.connect(record)
    try:
        response = client.get(reverse("admin:org_department_changelist"))
    finally:
        template_rendered.disconnect(record)
    assert response.status_code == 200
    assert "unfold/helpers/actions_row.html" not in seen


def test_a_list_page_builds_no_app_list(client, lists, monkeypatch):
    client.force_login(lists)
    from django.contrib.admin import AdminSite

    calls: list[str | None] = []
    original = AdminSite.get_app_list

    def counted(self, request, app_label=None):
        calls.append(app_label)
        return original(self, request, app_label)

    monkeypatch.setattr(AdminSite, "get_app_list", counted)
    assert client.get(reverse("admin:org_department_changelist")).status_code == 200
    assert calls == []


def test_the_app_index_still_lists_its_models(client, lists):
    client.force_login(lists)
    response = client.get(reverse("admin:app_list", args=["org"]))
    assert response.status_code == 200
    assert reverse("admin:org_department_changelist") in response.content.decode()
