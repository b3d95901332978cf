"""The beat tasks: seal every few seconds, verify daily and alert the security officers."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection

from apps.audit.models import AuditEntry, VerificationRun
from apps.audit.tasks import seal_audit_chain, verify_audit_chain
from apps.org.services import employee_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    user = make_user("security")
    user.email = "officer@example.com"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def sealed(officer, root_department):
    employee_create(actor=None, username="ada", first_name="Ada", department=root_department)
    seal_audit_chain.delay().get()
    return AuditEntry.objects.count()


def test_the_seal_task_seals_the_waiting_entries(officer):
    waiting = AuditEntry.objects.filter(seq__isnull=True).count()
    assert waiting
    assert seal_audit_chain.delay().get() == waiting
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    assert seal_audit_chain.delay().get() == 0


def test_the_verify_task_keeps_an_intact_result_and_alerts_nobody(sealed):
    result = verify_audit_chain.delay().get()
    assert result == {"intact": True, "records": sealed, "problem": ""}
    run = VerificationRun.objects.get()
    assert run.intact
    assert run.triggered_by == "beat"
    assert mail.outbox == []


def test_the_verify_task_keeps_a_break_and_emails_the_security_officers(sealed):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'forged' WHERE seq = 2")
    result = verify_audit_chain.delay().get()
    assert result["intact"] is False
    assert "position 2 was altered" in result["problem"]
    run = VerificationRun.objects.get()
    assert not run.intact
    assert run.records == 1
    assert run.broken_at == AuditEntry.objects.get(seq=2).at
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@example.com"]
    assert "position 2 was altered" in message.body


def test_officers_without_an_address_are_skipped(sealed, officer):
    officer.email = ""
    officer.save(update_fields=["email"])
    AuditEntry.objects.filter(seq=1).delete()
    assert verify_audit_chain.delay().get()["intact"] is False
    assert mail.outbox == []


def test_other_roles_are_not_alerted(sealed, make_user):
    hr = make_user("hr")
    hr.email = "hr@example.com"
    hr.save(update_fields=["email"])
    AuditEntry.objects.filter(seq=1).delete()
    verify_audit_chain.delay().get()
    assert [m.to for m in mail.outbox] == [["officer@example.com"]]


def test_beat_runs_both_tasks():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["seal-audit-chain"]["task"] == seal_audit_chain.name
    assert schedule["seal-audit-chain"]["schedule"] == float(settings.AUDIT_SEAL_INTERVAL_SECONDS)
    daily = schedule["verify-audit-chain"]
    assert daily["task"] == verify_audit_chain.name
    assert len(daily["schedule"].hour) == 1
    assert len(daily["schedule"].minute) == 1
