"""The history page's picker, the compare page and the revert page, as each persona."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.core.texts import text_shown
from apps.org.models import Department
from apps.org.services import (
    department_create,
    department_update,
    employee_create,
    employee_update,
)
from apps.org.transfers import transfer_cancel, transfer_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(eng):
    person = employee_create(
        actor=None, username="pat", first_name="Pat", department=eng, salary=Decimal("5000")
    )
    employee_update(employee=person, actor=None, salary=Decimal("6000"), position="Lead")
    return person


def _ids(obj):
    rows = type(obj).history.filter(id=obj.pk).order_by("history_date", "history_id")
    return list(rows.values_list("history_id", flat=True))


def _compare(obj, a, b):
    return f"/admin/org/{obj._meta.model_name}/{obj.pk}/history/compare/?a={a}&b={b}"


def _revert(obj, version):
    return f"/admin/org/{obj._meta.model_name}/{obj.pk}/history/{version}/revert/"


def _login(client, make_user, persona, **kwargs):
    user = make_user(persona, **kwargs)
    client.force_login(user)
    return user


# --- History page ---------------------------------------------------------------------


def test_history_page_offers_the_picker_and_revert_links_to_hr(client, make_user, eng):
    _login(client, make_user, "hr")
    department_update(department=eng, actor=None, name="Eng")
    response = client.get(f"/admin/org/department/{eng.pk}/history/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="compare-form"' in html
    assert html.count('name="a"') == 2
    # Every version but the current one can be reverted to.
    assert html.count('data-testid="revert-link"') == 1
    assert _revert(eng, _ids(eng)[0]) in html


def test_history_page_shows_no_revert_to_the_auditor(client, make_user, eng):
    _login(client, make_user, "auditor")
    department_update(department=eng, actor=None, name="Eng")
    html = client.get(f"/admin/org/department/{eng.pk}/history/").content.decode()
    assert 'data-testid="compare-form"' in html
    assert "revert-link" not in html


def test_version_page_links_to_its_revert_for_hr_only(client, make_user, eng):
    hr = _login(client, make_user, "hr")
    first = _ids(eng)[0]
    department_update(department=eng, actor=hr, name="Eng")
    second = _ids(eng)[-1]
    html = client.get(f"/admin/org/department/{eng.pk}/history/{first}/").content.decode()
    assert _revert(eng, first) in html
    # The current version has nothing to revert to.
    html = client.get(f"/admin/org/department/{eng.pk}/history/{second}/").content.decode()
    assert "revert-link" not in html
    client.force_login(make_user("auditor"))
    html = client.get(f"/admin/org/department/{eng.pk}/history/{first}/").content.decode()
    assert "revert-link" not in html


def test_history_page_shows_the_audit_action(client, make_user, eng):
    hr = _login(client, make_user, "hr")
    first = _ids(eng)[0]
    department_update(department=eng, actor=hr, name="Eng")
    client.post(_revert(eng, first), {"reason": "Undo"})
    html = client.get(f"/admin/org/department/{eng.pk}/history/").content.decode()
    assert "reverted" in html


def test_history_page_of_a_transfer_has_compare_but_no_revert(client, make_user, person, fin):
    hr = _login(client, make_user, "hr")
    transfer = transfer_request(
        employee=person,
        actor=hr,
        to_department=fin,
        effective_date=timezone.localdate() + datetime.timedelta(days=3),
        reason="Needed there",
    )
    response = client.get(f"/admin/org/transfer/{transfer.pk}/history/")
    assert response.status_code == 200
    assert "revert-link" not in response.content.decode()
    (version,) = _ids(transfer)
    assert client.get(_revert(transfer, version)).status_code == 404


def test_transfers_and_role_assignments_compare_too(client, make_user, person, fin):
    from apps.access.models import RoleAssignment
    from apps.access.services import assignment_revoke

    hr = _login(client, make_user, "admin")
    transfer = transfer_request(
        employee=person,
        actor=hr,
        to_department=fin,
        effective_date=timezone.localdate() + datetime.timedelta(days=3),
        reason="Needed there",
    )
    transfer_cancel(transfer=transfer, actor=hr)
    first, second = _ids(transfer)
    html = client.get(_compare(transfer, first, second)).content.decode()
    assert 'data-testid="field-changed" data-field="status"' in html
    assert "revert-link" not in html

    assignment = RoleAssignment.objects.get(user=make_user("auditor", username="aud2"))
    assignment_revoke(assignment=assignment, actor=hr, reason="Left the audit team")
    first, second = _ids(assignment)[:2]
    url = f"/admin/access/roleassignment/{assignment.pk}/history/compare/?a={first}&b={second}"
    response = client.get(url)
    assert response.status_code == 200
    assert 'data-testid="field-changed"' in response.content.decode()


# --- Compare --------------------------------------------------------------------------


def test_compare_shows_changed_fields_side_by_side(client, make_user, eng):
    _login(client, make_user, "auditor")
    department_update(department=eng, actor=None, name="Eng & Data", description="One\nTwo")
    first, second = _ids(eng)
    response = client.get(_compare(eng, second, first))  # either order
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="field-changed" data-field="name"' in html
    assert 'data-testid="field-unchanged" data-field="code"' in html
    assert 'data-line="added"' in html
    assert "Eng &amp; Data" in html
    assert "revert-link" not in html


def test_compare_leaves_salary_out_for_the_auditor(client, make_user, person):
    _login(client, make_user, "auditor")
    first, second = _ids(person)
    html = client.get(_compare(person, first, second)).content.decode()
    assert 'data-field="position"' in html
    assert 'data-field="salary"' not in html
    assert "6000" not in html
    assert "6,000" not in html


def test_compare_shows_salary_to_hr(client, make_user, person):
    _login(client, make_user, "hr")
    first, second = _ids(person)
    html = client.get(_compare(person, first, second)).content.decode()
    assert 'data-testid="field-changed" data-field="salary"' in html


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?a=1",
        "?a=x&b=y",
        "?a=1%00&b=2",
        "?a=1;DROP TABLE x&b=2",
        "?a=<script>alert(1)</script>&b=2",
        "?a=-1&b=2",
        "?a=" + "9" * 200 + "&b=2",
        "?a=99999999999999999999&b=2",
        "?a=１&b=２",  # full-width digits are not a version number
    ],
)
def test_compare_answers_bad_ids_with_a_400_and_a_message(client, make_user, eng, query):
    _login(client, make_user, "hr")
    response = client.get(f"/admin/org/department/{eng.pk}/history/compare/{query}")
    assert response.status_code == 400
    assert 'data-testid="compare-error"' in response.content.decode()
    assert "<script>alert" not in response.content.decode()


def test_compare_of_one_version_with_itself_is_a_400(client, make_user, eng):
    _login(client, make_user, "hr")
    (only,) = _ids(eng)
    assert client.get(_compare(eng, only, only)).status_code == 400


def test_compare_with_another_objects_version_is_a_404(client, make_user, eng, fin):
    _login(client, make_user, "hr")
    department_update(department=eng, actor=None, name="Eng")
    assert client.get(_compare(eng, _ids(eng)[0], _ids(fin)[0])).status_code == 404


def test_compare_with_a_missing_version_is_a_404(client, make_user, eng):
    _login(client, make_user, "hr")
    assert client.get(_compare(eng, _ids(eng)[0], 987654321)).status_code == 404


@pytest.mark.parametrize("object_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_compare_of_a_malformed_or_unknown_object_is_a_404(client, make_user, object_id):
    _login(client, make_user, "hr")
    url = f"/admin/org/department/{object_id}/history/compare/?a=1&b=2"
    assert client.get(url).status_code == 404


def test_compare_of_an_object_outside_scope_is_a_404(client, make_user, eng, fin):
    _login(client, make_user, "manager", department=eng)
    department_update(department=fin, actor=None, name="Fin")
    first, second = _ids(fin)
    assert client.get(_compare(fin, first, second)).status_code == 404


def test_compare_without_any_view_permission_is_a_403(client, make_user, eng):
    _login(client, make_user, "staff")
    department_update(department=eng, actor=None, name="Eng")
    first, second = _ids(eng)
    assert client.get(_compare(eng, first, second)).status_code == 403


def test_compare_query_count_does_not_grow_with_history(
    client, make_user, eng, fin, django_assert_max_num_queries
):
    _login(client, make_user, "auditor")
    for number in range(30):
        department_update(
            department=eng, actor=None, name=f"Eng {number}", parent=fin if number % 2 else None
        )
    ids = _ids(eng)
    client.get(_compare(eng, ids[0], ids[-1]))  # warm the session and content-type caches
    with django_assert_max_num_queries(10):
        response = client.get(_compare(eng, ids[0], ids[-1]))
    assert response.status_code == 200


# --- Revert ---------------------------------------------------------------------------


def test_revert_page_previews_the_change_and_asks_for_a_reason(client, make_user, eng):
    _login(client, make_user, "hr")
    first = _ids(eng)[0]
    department_update(department=eng, actor=None, name="Eng")
    response = client.get(_revert(eng, first))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="field-changed" data-field="name"' in html
    assert 'name="reason"' in html
    assert "Not reverted: the username" in html


def test_revert_posts_a_new_version_and_returns_to_the_history(client, make_user, eng):
    hr = _login(client, make_user, "hr")
    first = _ids(eng)[0]
    department_update(department=eng, actor=None, name="Eng")
    response = client.post(_revert(eng, first), {"reason": "Wrong rename"})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/org/department/{eng.pk}/history/"
    assert Department.objects.get(pk=eng.pk).name == "Engineering"
    entry = AuditEntry.objects.filter(object_id=str(eng.pk)).order_by("-id").first()
    assert (entry.action, entry.actor, text_shown(entry.reason).endswith(": Wrong rename")) == (
        "reverted",
        hr,
        True,
    )


def test_revert_without_a_reason_is_a_form_error(client, make_user, eng):
    _login(client, make_user, "hr")
    first = _ids(eng)[0]
    department_update(department=eng, actor=None, name="Eng")
    response = client.post(_revert(eng, first), {"reason": ""})
    assert response.status_code == 200
    assert Department.objects.get(pk=eng.pk).name == "Eng"


def test_a_refused_revert_shows_the_message(client, make_user, eng, root_department):
    _login(client, make_user, "hr")
    first = _ids(eng)[0]
    department_update(department=eng, actor=None, code="ENGX")
    department_create(actor=None, name="Engines", code="ENG", parent=root_department)
    response = client.post(_revert(eng, first), {"reason": "Undo"})
    assert response.status_code == 200
    assert "is now used by Engines" in response.content.decode()
    assert Department.objects.get(pk=eng.pk).code == "ENGX"


def test_revert_of_the_current_version_says_there_is_nothing_to_revert(client, make_user, eng):
    _login(client, make_user, "hr")
    html = client.get(_revert(eng, _ids(eng)[-1])).content.decode()
    assert 'data-testid="nothing-to-revert"' in html
    assert 'data-testid="revert-form"' not in html


def test_auditor_gets_a_403_on_the_revert_page(client, make_user, eng):
    _login(client, make_user, "auditor")
    first = _ids(eng)[0]
    department_update(department=eng, actor=None, name="Eng")
    assert client.get(_revert(eng, first)).status_code == 403
    assert client.post(_revert(eng, first), {"reason": "x"}).status_code == 403
    assert Department.objects.get(pk=eng.pk).name == "Eng"


def test_manager_gets_a_404_outside_scope(client, make_user, eng, fin):
    _login(client, make_user, "manager", department=eng)
    first = _ids(fin)[0]
    department_update(department=fin, actor=None, name="Fin")
    assert client.post(_revert(fin, first), {"reason": "x"}).status_code == 404
    assert Department.objects.get(pk=fin.pk).name == "Fin"


@pytest.mark.parametrize("version", ["abc", "1%00", "0", "-5", "9" * 40, "987654321"])
def test_revert_of_a_bad_version_is_a_404(client, make_user, eng, version):
    _login(client, make_user, "hr")
    assert client.get(_revert(eng, version)).status_code == 404


def test_revert_of_another_objects_version_is_a_404(client, make_user, eng, fin):
    _login(client, make_user, "hr")
    assert client.get(_revert(eng, _ids(fin)[0])).status_code == 404


def test_revert_reason_of_hostile_text_is_kept_as_text(client, make_user, eng):
    _login(client, make_user, "hr")
    first = _ids(eng)[0]
    department_update(department=eng, actor=None, name="Eng")
    client.post(_revert(eng, first), {"reason": "<script>x</script>'; DROP TABLE x;--"})
    html = client.get(f"/admin/org/department/{eng.pk}/history/").content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_revert_reason_with_a_nul_or_too_long_is_a_form_error(client, make_user, eng):
    _login(client, make_user, "hr")
    first = _ids(eng)[0]
    department_update(department=eng, actor=None, name="Eng")
    for reason in ["bad\x00reason", "x" * 501]:
        response = client.post(_revert(eng, first), {"reason": reason})
        assert response.status_code == 200
    assert Department.objects.get(pk=eng.pk).name == "Eng"


def _nothing_note(html):
    start = html.index('data-testid="nothing-to-revert"')
    return html[start : html.index("</div>", start)]


def test_revert_page_says_nothing_of_fields_the_reader_may_not_see(client, make_user, person, eng):
    _login(client, make_user, "manager", department=eng)
    html = client.get(_revert(person, _ids(person)[0])).content.decode()
    assert 'data-testid="revert-form"' in html  # the position differs
    assert "may not see" not in html
    assert "salary" not in html.lower()


def test_a_version_differing_only_in_salary_reads_as_an_unchanged_one_to_a_manager(
    client, make_user, person, eng
):
    _login(client, make_user, "manager", department=eng)
    same = client.get(_revert(person, _ids(person)[-1])).content.decode()
    employee_update(employee=person, actor=None, salary=Decimal("7000"))
    salary_only = client.get(_revert(person, _ids(person)[-2])).content.decode()
    for html in (same, salary_only):
        assert 'data-testid="revert-form"' not in html
        assert "salary" not in html.lower()
    assert _nothing_note(salary_only) == _nothing_note(same)


def test_hr_is_told_plainly_when_a_version_is_the_current_state(client, make_user, person):
    _login(client, make_user, "hr")
    html = client.get(_revert(person, _ids(person)[-1])).content.decode()
    assert "This version is the current state" in _nothing_note(html)


def test_a_managers_revert_puts_back_what_they_see_and_leaves_the_salary(
    client, make_user, person, eng
):
    _login(client, make_user, "manager", department=eng)
    response = client.post(_revert(person, _ids(person)[0]), {"reason": "Undo"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.position, person.salary) == ("", Decimal("6000"))


def test_a_managers_revert_of_a_salary_only_version_says_nothing_of_the_salary(
    client, make_user, person, eng
):
    _login(client, make_user, "manager", department=eng)
    employee_update(employee=person, actor=None, salary=Decimal("7000"))
    response = client.post(_revert(person, _ids(person)[-2]), {"reason": "Undo"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "salary" not in html.lower()
    person.refresh_from_db()
    assert person.salary == Decimal("7000")


def _salary_only_change(person):
    employee_update(employee=person, actor=None, salary=Decimal("7000"))
    return AuditEntry.objects.filter(object_id=str(person.pk)).order_by("-id").first()


def test_a_salary_only_version_is_not_listed_to_a_reader_without_the_salary(
    client, make_user, person
):
    entry = _salary_only_change(person)
    assert entry.sensitive
    client.force_login(make_user("auditor"))
    page = client.get(f"/admin/org/employee/{person.pk}/history/")
    assert page.status_code == 200
    assert f"/history/{entry.history_id}/" not in page.content.decode()
    version = client.get(f"/admin/org/employee/{person.pk}/history/{entry.history_id}/")
    assert version.status_code == 404
    earlier = person.history.order_by("history_id").values_list("history_id", flat=True)[1]
    compare = client.get(
        f"/admin/org/employee/{person.pk}/history/compare/",
        {"a": earlier, "b": entry.history_id},
    )
    assert compare.status_code == 404


def test_a_salary_only_version_is_listed_to_hr(client, make_user, person):
    entry = _salary_only_change(person)
    client.force_login(make_user("hr"))
    page = client.get(f"/admin/org/employee/{person.pk}/history/")
    assert f"/history/{entry.history_id}/" in page.content.decode()
    version = client.get(f"/admin/org/employee/{person.pk}/history/{entry.history_id}/")
    assert version.status_code == 200
