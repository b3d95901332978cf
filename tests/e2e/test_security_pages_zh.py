"""The pages of issue 12's fixes, in Simplified Chinese as a Chinese-speaking user sees them:
the address lock, replacing the authenticator, and the rank refusal on someone's record."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import PASSWORD
from tests.otp import code_for, device_for

pytestmark = pytest.mark.browser


def _in_chinese(page: Page) -> None:
    page.goto("/admin/login/")
    origin = page.url.split("/admin/", 1)[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])


def _password_step(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").first.click()


def _sign_in(page: Page, user) -> None:
    _password_step(page, user.username)
    page.locator("#id_code").fill(code_for(device_for(user)))
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("#nav-sidebar-inner")).to_be_visible()


def test_the_address_lock_in_chinese(page: Page, shot, settings, make_user):
    settings.LOCKOUT_LIMITS = [5, 6]  # the address's limit, lowered to keep the test short
    make_user("auditor")
    _in_chinese(page)
    for i in range(6):
        _password_step(page, f"guess{i % 3}", "wrong password")
    locked = page.get_by_test_id("locked-out")
    expect(locked).to_have_attribute("data-lock", "address")
    expect(locked).to_contain_text("该地址的所有账号都已暂停登录")
    shot("01-address-locked-zh")


def test_replacing_the_authenticator_in_chinese(page: Page, shot, make_user):
    hr = make_user("hr")
    _in_chinese(page)
    _sign_in(page, hr)
    page.goto("/admin/enroll/")
    expect(page.locator("h1, h2").filter(has_text="更换验证器应用").first).to_be_visible()
    page.get_by_test_id("proof").fill("not my password")
    page.locator("#id_code").fill("123456")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("enroll-form")).to_contain_text("这既不是当前有效的验证码")
    shot("01-replace-refused-zh")


def test_the_rank_refusal_in_chinese(page: Page, shot, make_user):
    boss = make_user("admin")
    hr = make_user("hr")
    _in_chinese(page)
    _sign_in(page, hr)
    page.goto(f"/admin/org/employee/{boss.pk}/password/")
    expect(page.locator(".errornote").filter(has_text="级别与您相同或更高")).to_be_visible()
    expect(page.locator("input[name=email]")).to_have_count(0)
    shot("01-rank-refused-zh")
