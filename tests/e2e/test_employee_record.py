"""HR and a security officer on an employee's record (issue 14): the sections, reports-to,
the read-only panels, and an account action with a reason, in English and in Chinese."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.org.models import Employee, Transfer
from apps.org.services import department_update, employee_create, employee_update
from apps.security.models import SecurityAction, UserSession

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Corr3ct-Horse-Battery"


@pytest.fixture
def record(org, make_user):
    """Li Na in Web Platform (managed by Zhang Wei), with a salary, a transfer and a session."""
    hr = make_user("hr")
    lead = employee_create(
        actor=None, username="zhangwei", first_name="伟", last_name="张", department=org["web"]
    )
    department_update(department=org["web"], actor=None, manager=lead)
    person = make_user("staff", department=org["web"], username="lina")
    employee_update(
        employee=person,
        actor=None,
        first_name="Na",
        last_name="Li",
        position="Frontend developer",
        salary=Decimal("28500"),
        emergency_contact_name="Li Ming",
        emergency_contact_relationship="brother",
        emergency_contact_phone="+8613800138000",
    )
    Transfer.objects.create(
        employee=person,
        from_department=org["fin"],
        to_department=org["web"],
        effective_date=timezone.localdate() - datetime.timedelta(days=40),
        reason="Joined the web team",
        requested_by=hr,
        status=Transfer.Status.APPLIED,
    )
    now = timezone.now()
    UserSession.objects.create(
        session_key="k" * 32, user=person, created_at=now, last_seen=now, ip="10.0.0.7"
    )
    return {"hr": hr, "lead": lead, "person": person}


def _open(page: Page, person: Employee) -> None:
    page.goto(f"/admin/org/employee/{person.pk}/change/")


def test_hr_reads_the_record_and_resets_a_password_with_a_reason(page: Page, shot, log_in, record):
    person = record["person"]
    log_in(page, "hr")
    _open(page, person)
    for title in ("Person", "Job", "Contact", "Emergency contact", "Account"):
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.get_by_test_id("reports-to")).to_have_text(str(record["lead"]))
    expect(page.locator("input[name=salary]")).to_have_value("28500.00")
    expect(page.locator("input[name=is_superuser]")).to_have_count(0)
    expect(page.locator("select[name=user_permissions]")).to_have_count(0)
    expect(page.get_by_text("algorithm")).to_have_count(0)
    shot("01-record-en")

    # A full-page screenshot resizes the window, and unfold then folds the tabs into a
    # menu: each tab is opened on a fresh load.
    for tab, text, step in (
        ("transfers", "Joined the web team", "02-transfer-history-en"),
        ("role_assignments", "test persona", "03-role-assignments-en"),
    ):
        _open(page, person)
        page.locator(f"#tabs-items a[href='#{tab}']").click()
        expect(page.get_by_text(text)).to_be_visible()
        shot(step)

    page.get_by_test_id("record-action-reset-password").click()
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_test_id("confirm-reset-password").click()
    expect(page.locator(".errorlist, .text-red-600").first).to_be_visible()  # no reason yet
    shot("04-reset-password-needs-a-reason-en")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.locator("#id_reason").fill("Locked out after the holiday")
    page.get_by_test_id("confirm-reset-password").click()
    expect(page.get_by_text("was reset; their sessions were ended")).to_be_visible()
    shot("05-password-reset-en")
    assert Employee.objects.get(pk=person.pk).check_password(NEW_PASSWORD)
    assert not UserSession.objects.filter(user=person, ended_at__isnull=True).exists()


def _in_chinese(page: Page) -> None:
    page.goto("/admin/login/")
    origin = page.url.split("/admin/", 1)[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])


def test_a_security_officer_ends_sessions_in_chinese(page: Page, shot, make_user, record):
    from tests.otp import code_for, device_for

    person = record["person"]
    officer = make_user("security")
    _in_chinese(page)
    page.locator("#id_username").fill(officer.username)
    page.locator("#id_password").fill("pw-for-tests-1")
    page.locator("form button[type=submit]").first.click()
    page.locator("#id_code").fill(code_for(device_for(officer)))
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()

    _open(page, person)
    expect(page.get_by_role("heading", name="紧急联系人", exact=True)).to_be_visible()
    expect(page.get_by_test_id("record-action-reset-password")).to_have_count(0)
    shot("01-record-zh")

    page.get_by_test_id("record-action-end-sessions").click()
    page.locator("#id_reason").fill("笔记本电脑丢失")
    shot("02-end-sessions-zh")
    page.get_by_test_id("confirm-end-sessions").click()
    expect(page.get_by_text("已结束")).to_be_visible()
    shot("03-sessions-ended-zh")
    assert SecurityAction.objects.get(user=person).reason == "笔记本电脑丢失"


def test_hr_reads_the_record_in_chinese(page: Page, shot, record):
    from tests.otp import code_for, device_for

    _in_chinese(page)
    page.locator("#id_username").fill("hr")
    page.locator("#id_password").fill("pw-for-tests-1")
    page.locator("form button[type=submit]").first.click()
    page.locator("#id_code").fill(code_for(device_for(record["hr"])))
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()
    _open(page, record["person"])
    expect(page.get_by_role("heading", name="职务", exact=True)).to_be_visible()
    shot("01-record-zh")
    page.get_by_test_id("record-action-reset-password").click()
    shot("02-reset-password-zh")
    page.goto("/admin/org/employee/")
    expect(page.get_by_text("¥28,500.00")).to_be_visible()
    shot("03-list-salary-zh")
