"""Texts built from a message are stored as the message and its values, and shown in the
reader's language: the same stored row reads in English and in Chinese."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from apps.audit import exports
from apps.audit.chain import seal
from apps.audit.models import AuditEntry, VerificationRun
from apps.audit.reverts import department_revert
from apps.audit.services import verification_run
from apps.core.texts import text_cut, text_shown, text_stored
from apps.org.models import Employee
from apps.org.services import REASON_MOVED, department_update, employee_create
from apps.org.transfers import transfer_request
from apps.security.actions import security_action_log
from apps.security.models import SecurityAction, UserSession
from apps.security.sessions import ENDED_IDLE, SESSIONS_COUNT, sessions_end_for

pytestmark = pytest.mark.django_db


def _in(language, stored):
    with translation.override(language):
        return text_shown(stored)


def test_a_transfer_reason_in_history_reads_in_english_and_in_chinese(
    hr, eng, fin, root_department
):
    alice = employee_create(actor=hr, username="alice", department=eng)
    transfer_request(
        employee=alice,
        to_department=fin,
        effective_date=timezone.localdate(),
        reason="Budget reorg",
        actor=hr,
    )
    stored = Employee.history.filter(id=alice.pk).latest("history_date").history_change_reason
    assert _in("en", stored) == "Transfer: Budget reorg"
    assert _in("zh-hans", stored) == "调动：Budget reorg"


def test_a_revert_reason_reads_in_english_and_in_chinese(hr, eng):
    original = eng.history.earliest("history_date")
    department_update(department=eng, actor=hr, name="Eng & Data")
    department_revert(department=eng, version=original, actor=hr, reason="Memo #12")
    entry = AuditEntry.objects.filter(object_id=str(eng.pk)).latest("at", "id")
    at = timezone.localtime(original.history_date)
    assert _in("en", entry.reason) == f"Revert to version of {at:%Y-%m-%d %H:%M}: Memo #12"
    assert _in("zh-hans", entry.reason) == f"回退到 {at:%Y-%m-%d %H:%M} 的版本：Memo #12"


def test_rows_stored_before_keep_reading_as_they_were():
    # A reason stored as finished English text, and one stored as a bare msgid.
    assert _in("zh-hans", "Transfer: Budget reorg") == "Transfer: Budget reorg"
    assert _in("zh-hans", REASON_MOVED) == "已调整上级部门"
    assert _in("zh-hans", "") == ""


def test_a_stored_text_that_is_not_one_of_ours_is_shown_as_it_is():
    for odd in (
        '{"msgid": 1, "params": {}}',
        '{"msgid": "x"',
        '{"msgid": "a %(b)s", "params": {}}',
    ):
        assert text_shown(odd) in (odd, "a %(b)s")


def test_an_export_is_read_in_the_exporters_language_even_streamed_after(hr, eng, make_user):
    department_update(
        department=eng, actor=hr, reason=text_stored("Transfer: %(reason)s", reason="X"), name="E2"
    )
    entries = AuditEntry.objects.filter(object_id=str(eng.pk)).order_by("-at", "-id")[:1]
    with translation.override("zh-hans"):
        rows = exports.rows_for(make_user("auditor"), AuditEntry.objects.filter(pk__in=entries))
    with translation.override("en"):
        (row,) = list(rows)
    assert "调动：X" in row


def test_a_session_end_reason_is_shown_in_the_readers_language(hr):
    session = UserSession.objects.create(
        user=hr,
        session_key="k" * 32,
        created_at=timezone.now() - datetime.timedelta(hours=1),
        last_seen=timezone.now() - datetime.timedelta(minutes=30),
        ended_at=timezone.now() - datetime.timedelta(minutes=1),
        end_reason=ENDED_IDLE,
    )
    model_admin = admin.site._registry[UserSession]
    assert _in("en", session.end_reason) == "signed out after inactivity"
    with translation.override("zh-hans"):
        assert model_admin.why_ended(session) == "因未操作而登出"


def test_a_broken_chain_is_kept_as_a_message_and_read_in_each_language(root_department):
    seal()
    entry = AuditEntry.objects.filter(object_id=str(root_department.pk)).get()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'x' WHERE id = %s", [entry.pk])
    verification_run(triggered_by="test")
    run = VerificationRun.objects.latest()
    assert (
        _in("en", run.problem) == f"the record or its version at position {entry.seq} was altered"
    )
    with translation.override("zh-hans"):
        assert run.problem_shown == f"第 {entry.seq} 条记录或其版本已被篡改"


def test_a_verification_stored_as_english_text_before_still_reads():
    run = VerificationRun(problem="Entry 7 was edited")
    with translation.override("zh-hans"):
        assert run.problem_shown == "Entry 7 was edited"


def test_an_officers_ending_of_sessions_reads_in_each_language_on_the_log(make_user):
    officer, staff = make_user("security"), make_user("staff")
    sessions_end_for(actor=officer, user=staff, reason="stolen laptop")
    logged = SecurityAction.objects.get(kind=SecurityAction.Kind.SESSIONS_REVOKED)
    model_admin = admin.site._registry[SecurityAction]
    with translation.override("en"):
        assert model_admin.shown_target(logged) == "0 session(s)"
    with translation.override("zh-hans"):
        assert model_admin.shown_target(logged) == "0 个会话"
        assert model_admin.shown_reason(logged) == "stolen laptop"


def test_an_action_about_nobody_is_named_on_the_trail_in_the_readers_language(make_user):
    officer = make_user("security")
    security_action_log(
        kind=SecurityAction.Kind.SESSIONS_REVOKED,
        actor=officer,
        user=None,
        target=text_stored(SESSIONS_COUNT, count=2),
        reason="drill",
    )
    entry = AuditEntry.objects.get(action="security.sessions_revoked")
    with translation.override("en"):
        assert entry.object_shown == "2 session(s)"
    with translation.override("zh-hans"):
        assert entry.object_shown == "2 个会话"
        rows = exports.rows_for(make_user("auditor"), AuditEntry.objects.filter(pk=entry.pk))
    (row,) = list(rows)
    assert "2 个会话" in row


def test_a_record_named_like_a_stored_text_is_shown_as_it_was_recorded(hr, eng):
    department_update(department=eng, actor=hr, name=text_stored(REASON_MOVED))
    entry = AuditEntry.objects.filter(object_id=str(eng.pk)).latest("at", "id")
    with translation.override("zh-hans"):
        assert entry.object_shown == entry.object_repr


def test_a_stored_text_too_long_for_its_column_is_cut_in_its_own_words():
    stored = text_stored("Transfer: %(reason)s", reason="x" * 500)
    cut = text_cut(stored, 120)
    assert len(cut) <= 120
    with translation.override("zh-hans"):
        assert text_shown(cut).startswith("调动：xxx")
    assert text_cut("plain " * 50, 10) == "plain plai"


def test_an_officers_ending_of_sessions_reads_in_chinese_on_the_entry_s_page(make_user, client):
    officer, staff = make_user("security"), make_user("staff")
    sessions_end_for(actor=officer, user=staff, reason="stolen laptop")
    logged = SecurityAction.objects.get(kind=SecurityAction.Kind.SESSIONS_REVOKED)
    client.force_login(officer)
    page = reverse("admin:security_securityaction_change", args=[logged.pk])
    shown = client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "0 个会话" in shown
    assert "msgid" not in shown
