"""The bell, the notification centre and announcement banners, in a real browser."""

import pytest
from django.utils.translation import gettext_noop
from playwright.sync_api import Page, expect

from apps.notifications import services
from apps.notifications.models import Kind, Notification

pytestmark = pytest.mark.browser

DONE = gettext_noop("Finished: %(label)s.")
FAILED = gettext_noop("Failed: %(label)s.")


def _send(user, label, kind=Kind.JOB_SUCCEEDED, msgid=DONE):
    services.notify(
        recipients=[user], kind=kind, msgid=msgid, params={"label": label}, url="/admin/"
    )


def _quiet(user):
    """The persona's own "you were given a role" notification, read: a clean start."""
    services.notifications_mark_all_read(user=user)
    Notification.objects.filter(recipient=user).delete()
    return user


def _in_chinese(page: Page) -> None:
    page.goto("/admin/login/")
    origin = page.url.split("/admin/", 1)[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])


def test_the_bell_shows_the_count_and_the_latest(page: Page, shot, log_in, make_user):
    staff = _quiet(make_user("staff"))
    for i in range(7):
        _send(staff, f"Export {i}")
    log_in(page, "staff")
    expect(page.get_by_test_id("bell-count")).to_have_text("7")
    page.get_by_test_id("bell").click()
    menu = page.get_by_test_id("bell-menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_test_id("bell-item")).to_have_count(5)
    expect(menu.get_by_test_id("bell-item").first).to_contain_text("Finished: Export 6.")
    shot("01-bell-open")
    menu.get_by_test_id("bell-read-all").click()
    expect(page.get_by_test_id("bell-count")).to_be_hidden()
    assert not Notification.objects.filter(recipient=staff, read_at__isnull=True).exists()
    menu.get_by_test_id("bell-centre").click()
    expect(page.get_by_test_id("centre")).to_be_visible()


def test_the_centre_filters_and_marks_read(page: Page, shot, log_in, make_user, hr):
    staff = _quiet(make_user("staff"))
    _send(staff, "Payroll export")
    _send(staff, "Import", kind=Kind.JOB_FAILED, msgid=FAILED)
    services.announcement_publish(actor=hr, title="Office closed Friday", body="Plan ahead.")
    log_in(page, "staff")
    page.goto("/admin/notifications/")
    rows = page.get_by_test_id("centre-row")
    expect(rows).to_have_count(3)
    shot("01-centre")
    page.get_by_test_id("filter-kind").select_option(Kind.JOB_FAILED.value)
    page.get_by_test_id("filter-apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Failed: Import.")
    rows.first.get_by_test_id("centre-select").check()
    page.get_by_test_id("mark-selected").click()
    expect(page.locator("body")).to_contain_text("Marked 1 item(s) read.")
    expect(page.get_by_test_id("centre-row").first).to_have_attribute("data-read", "1")
    page.get_by_test_id("filter-kind").select_option("")
    page.get_by_test_id("filter-state").select_option("unread")
    page.get_by_test_id("filter-apply").click()
    expect(page.get_by_test_id("centre-row")).to_have_count(2)  # the export and the notice
    page.get_by_test_id("mark-all").click()
    expect(page.get_by_test_id("centre-empty")).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_be_hidden()


def test_an_announcement_shows_on_reload_and_is_dismissed_for_good(
    page: Page, shot, log_in, make_user, hr
):
    make_user("staff")
    services.announcement_publish(
        actor=hr, title="Maintenance <tonight>", body="<script>alert(1)</script>\nBack by 8."
    )
    log_in(page, "staff")
    banner = page.get_by_test_id("banner")
    expect(banner).to_have_count(1)
    expect(banner.get_by_test_id("banner-title")).to_have_text("Maintenance <tonight>")
    expect(banner).to_contain_text("<script>alert(1)</script>")
    shot("01-banner")
    with page.expect_response("**/announcements/dismiss/") as answer:
        banner.get_by_test_id("banner-dismiss").click()
    assert answer.value.ok
    expect(page.get_by_test_id("banner")).to_have_count(0)
    page.reload()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()
    expect(page.get_by_test_id("banners")).to_be_attached()
    expect(page.get_by_test_id("banner")).to_have_count(0)


def test_an_announcement_arrives_live_in_another_browser(new_page, log_in, make_user, shot):
    make_user("staff")
    make_user("hr")
    reader, writer = new_page(), new_page()
    log_in(reader, "staff")
    log_in(writer, "hr")
    writer.goto("/admin/notifications/announcement/add/")
    writer.get_by_label("Title").fill("Fire drill at 3pm")
    writer.get_by_label("Body").fill("Leave by the east stairs.")
    writer.locator("[name=_save]").click()
    expect(writer.locator("body")).to_contain_text("Fire drill at 3pm")
    expect(reader.get_by_test_id("banner-title")).to_have_text("Fire drill at 3pm")
    shot("01-live-banner", on=reader)


def test_the_pages_in_chinese(page: Page, shot, make_user, hr):
    from tests.otp import code_for, device_for

    staff = _quiet(make_user("staff"))
    _send(staff, "导出")
    services.announcement_publish(actor=hr, title="周五办公室关闭", body="请提前安排工作。")
    _in_chinese(page)
    page.goto("/admin/login/")
    page.locator("#id_username").fill("staff")
    page.locator("#id_password").fill("pw-for-tests-1")
    page.locator("form button[type=submit]").first.click()
    if page.locator("#id_code").count():
        page.locator("#id_code").fill(code_for(device_for(staff)))
        page.locator("form button[type=submit]").first.click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()
    expect(page.get_by_test_id("banner-title")).to_have_text("周五办公室关闭")
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("bell-item").first).to_contain_text("已完成：导出。")
    shot("01-bell-zh")
    page.goto("/admin/notifications/")
    expect(page.get_by_test_id("centre")).to_contain_text("全部标记为已读")
    shot("02-centre-zh")


def test_hr_is_told_when_the_window_ends_before_it_starts_in_chinese(page: Page, shot, hr):
    from tests.otp import code_for, device_for

    _in_chinese(page)
    page.goto("/admin/login/")
    page.locator("#id_username").fill("hr")
    page.locator("#id_password").fill("pw-for-tests-1")
    page.locator("form button[type=submit]").first.click()
    page.locator("#id_code").fill(code_for(device_for(hr)))
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()
    page.goto("/admin/notifications/announcement/add/")
    page.locator("#id_title").fill("系统升级")
    page.locator("#id_body").fill("<b>周六</b> 停机两小时。")
    page.locator("#id_ends_at_0").fill("2000-01-01")
    page.locator("#id_ends_at_1").fill("10:00:00")
    page.locator("[name=_save]").click()
    expect(page.locator("body")).to_contain_text("“显示截止”必须晚于“显示开始”。")
    shot("01-announcement-refused-zh")
    page.locator("#id_ends_at_0").fill("")
    page.locator("#id_ends_at_1").fill("")
    page.locator("[name=_save]").click()
    expect(page.get_by_test_id("banner-title")).to_have_text("系统升级")
    expect(page.get_by_test_id("banner")).to_contain_text("<b>周六</b>")
    shot("02-announcements-zh")
