"""The verified device kept in the session (OTPSessionMiddleware): one query less on every
request, and a deleted or unconfirmed device still ends the verification."""

import datetime

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.http import HttpResponse
from django.test import AsyncClient, Client, RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.security import otp, sessions
from apps.security.middleware import OTPSessionMiddleware
from tests.otp import code_for, device_for

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
START = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
DJANGO_OTP = "django_otp.middleware.OTPMiddleware"
OURS = "apps.security.middleware.OTPSessionMiddleware"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer(make_user):
    return make_user("security", username="officer")


def signed_in(user) -> Client:
    """Through the real sign-in: the password, then the code."""
    client = Client()
    client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    client.post("/admin/verify/", {"code": code_for(device_for(user, create=False))})
    assert client.get("/admin/").status_code == 200
    return client


def test_the_code_step_notes_the_device_in_the_session(clock, make_user):
    hr = make_user("hr")
    session = signed_in(hr).session
    device = device_for(hr, create=False)
    assert session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert session[sessions.VERIFIED_KEY] == [str(hr.pk), device.persistent_id]


@pytest.mark.parametrize(("middleware", "queries"), [(DJANGO_OTP, 3), (OURS, 2)])
def test_an_ordinary_request_no_longer_reads_the_device(
    clock, make_user, settings, middleware, queries, django_assert_num_queries
):
    settings.MIDDLEWARE = [middleware if entry == OURS else entry for entry in settings.MIDDLEWARE]
    client = signed_in(make_user("hr"))
    # django-otp's: the session, the person, the device; ours: the session, the person.
    with django_assert_num_queries(queries):
        assert client.get("/health/").status_code == 200


def test_the_device_is_read_again_when_the_session_notes_its_use(clock, make_user):
    hr = make_user("hr")
    client = signed_in(hr)
    # Unconfirmed behind the signals' back (an UPDATE sends none).
    TOTPDevice.objects.filter(user=hr).update(confirmed=False)
    clock.shift(datetime.timedelta(seconds=sessions.TOUCH_EVERY - 1))
    assert client.get("/admin/").status_code == 200  # within the minute: trusted
    clock.shift(datetime.timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/enroll/")
    assert sessions.VERIFIED_KEY not in client.session
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_an_officers_reset_ends_the_verification_of_every_session_at_once(
    clock, make_user, officer
):
    manager = make_user("manager")
    browsers = [signed_in(manager), signed_in(manager)]
    otp.devices_reset(actor=officer, user=manager, reason="lost phone")
    for browser in browsers:
        assert sessions.VERIFIED_KEY not in browser.session
        response = browser.get("/admin/")  # the same second: no re-read is due
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/enroll/")


def test_an_unconfirmed_device_ends_the_verification_too(clock, make_user):
    hr = make_user("hr")
    client = signed_in(hr)
    device = device_for(hr, create=False)
    device.confirmed = False
    device.save()
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/enroll/")


def test_a_code_check_on_another_device_keeps_the_sessions_verified(clock, make_user):
    hr = make_user("hr")
    client = signed_in(hr)
    device = device_for(hr, create=False)
    device.throttle_increment()  # a confirmed device saved: a code being checked
    assert client.session[sessions.VERIFIED_KEY] == [str(hr.pk), device.persistent_id]


def test_the_async_path_trusts_the_session_and_notices_a_reset(clock, make_user, officer):
    manager = make_user("manager")
    sync_client = signed_in(manager)
    client = AsyncClient()
    client.cookies = sync_client.cookies
    assert async_to_sync(client.get)("/admin/").status_code == 200
    otp.devices_reset(actor=officer, user=manager, reason="lost phone")
    response = async_to_sync(client.get)("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/enroll/")


def _user_after_middleware(client):
    """request.user as a view sees it, for a request in this client's session."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware

    request = RequestFactory().get("/admin/")
    request.COOKIES.update({k: v.value for k, v in client.cookies.items()})
    seen = {}

    def view(request):
        seen["user"] = request.user
        seen["verified"] = request.user.is_verified()
        return HttpResponse()

    chain = SessionMiddleware(AuthenticationMiddleware(OTPSessionMiddleware(view)))
    chain(request)
    return seen


def test_is_verified_and_otp_device_behave_as_django_otps(clock, make_user):
    hr = make_user("hr")
    seen = _user_after_middleware(signed_in(hr))
    device = device_for(hr, create=False)
    assert seen["verified"] is True
    assert seen["user"].otp_device.persistent_id == device.persistent_id
    assert isinstance(seen["user"].otp_device, TOTPDevice)


def test_a_session_past_only_the_password_is_not_verified(clock, make_user):
    hr = make_user("hr")
    client = Client()
    client.post("/admin/login/", {"username": hr.username, "password": PASSWORD})
    seen = _user_after_middleware(client)
    assert seen["verified"] is False
    assert seen["user"].otp_device is None


def test_a_note_for_another_device_is_not_trusted(clock, make_user):
    hr = make_user("hr")
    client = signed_in(hr)
    session = client.session
    session[sessions.VERIFIED_KEY] = [str(hr.pk), "otp_totp.totpdevice/999999"]
    session.save()
    TOTPDevice.objects.filter(user=hr).update(confirmed=False)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/enroll/")
