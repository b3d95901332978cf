"""The sign-in page: its refusal wording, its language choice and the site's icon."""

import re

import pytest
from django.test import Client

LOGIN = "/admin/login/"
PASSWORD = "pw-for-tests-1"

pytestmark = pytest.mark.django_db


def test_a_wrong_password_is_refused_without_speaking_of_staff_accounts(client, make_user):
    make_user("hr")
    body = client.post(LOGIN, {"username": "hr", "password": "wrong"}).content.decode()
    assert "Please enter a correct username and password." in body
    assert "staff account" not in body


def test_an_account_that_may_not_use_the_admin_gets_the_same_refusal(client, make_user):
    from apps.org.models import Employee

    user = make_user("staff", username="former")
    Employee.objects.filter(pk=user.pk).update(is_staff=False)
    body = client.post(LOGIN, {"username": "former", "password": PASSWORD}).content.decode()
    assert "Please enter a correct username and password." in body
    assert "staff account" not in body


def test_the_refusal_in_chinese(client, make_user):
    make_user("hr")
    response = client.post(
        LOGIN, {"username": "hr", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    body = response.content.decode()
    assert "请输入正确的用户名和密码。" in body
    assert "工作人员" not in body


def test_the_sign_in_page_offers_each_language_as_a_form_posting_to_set_language(client):
    body = Client(enforce_csrf_checks=True).get(LOGIN).content.decode()
    forms = re.findall(r'<form action="/i18n/setlang/" method="post">(.*?)</form>', body, re.S)
    assert len(forms) == 2
    for form in forms:
        assert 'name="csrfmiddlewaretoken"' in form
        assert 'name="next" value="/admin/login/"' in form
    assert ">English</button>" in body
    assert ">简体中文</button>" in body
    assert "<script>" not in body.split('data-testid="sign-in-languages"')[1].split("</nav>")[0]


def test_choosing_chinese_on_the_sign_in_page_shows_it_in_chinese():
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(LOGIN)
    token = page.cookies["csrftoken"].value
    response = browser.post(
        "/i18n/setlang/",
        {"language": "zh-hans", "next": LOGIN, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    again = browser.get(LOGIN).content.decode()
    assert 'lang="zh-hans"' in again
    assert "登录" in again


def test_set_language_without_the_csrf_token_is_refused():
    browser = Client(enforce_csrf_checks=True)
    browser.get(LOGIN)
    response = browser.post("/i18n/setlang/", {"language": "zh-hans", "next": LOGIN})
    assert response.status_code == 403


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_set_language_does_not_send_anyone_off_site(client, next_url):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": next_url})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert not response["Location"].startswith("javascript")


def test_every_admin_page_links_the_favicon(client, make_user):
    body = client.get(LOGIN).content.decode()
    assert re.search(
        r'<link rel="icon" href="/static/core/favicon\.svg" type="image/svg\+xml"\s*>', body
    )
    client.force_login(make_user("hr"))
    assert "/static/core/favicon.svg" in client.get("/admin/").content.decode()
