"""Test-only tweaks and the persona fixtures shared by every app's tests.

Environment for tests is set in pyproject.toml ([tool.pytest.ini_options] env, via
pytest-env) because it must exist before pytest-django imports the settings.
"""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _force_login_is_a_whole_sign_in(monkeypatch):
    """``client.force_login(user)`` skips the password step; skip the code step too.

    The session is marked verified with the user's authenticator device (one is made for
    users whose role requires it). ``force_login(user, verified=False)`` keeps the session
    half signed in, for the tests of the second step itself.
    """
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None, verified=True):
        original(self, user, backend)
        if verified:
            from tests.otp import mark_verified

            mark_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _language_ends_with_the_test():
    """A page asked for in Chinese leaves Chinese active in this thread (LocaleMiddleware
    activates the reader's language and nothing resets it): the next test starts in the
    default language whatever the last one read."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _clock_travels_end_with_the_test():
    """tests.otp.code_for moves the clock to a new code step rather than wait for one."""
    yield
    from tests.otp import clock_travels_end

    clock_travels_end()


@pytest.fixture(autouse=True)
def _tasks_feed_off(monkeypatch):
    """The Tasks page's live feed (apps.jobs.dashboard_push) sends a snapshot after each job
    state change and defers bursts to a timer thread: off, except where a test turns it on
    (its own tests, the Tasks page's browser test), so other tests' events and queries stay
    theirs and no thread outlives a test."""
    from apps.jobs import dashboard_push

    monkeypatch.setattr(dashboard_push, "_throttle", lambda: None)


@pytest.fixture(autouse=True)
def _announcements_cache_ends_with_the_test():
    """The banners' cached list (apps.notifications) must not outlive a rolled-back test."""
    yield
    from django.core.cache import cache

    cache.delete("notifications:announcements-showing")


@pytest.fixture
def roles(db):
    from apps.access.roles import roles_ensure

    return roles_ensure()


@pytest.fixture
def root_department(db):
    from apps.org.services import department_create

    return department_create(actor=None, name="Backoffice Group", code="BOG")


@pytest.fixture
def make_user(db, roles, root_department):
    """Create a staff user holding a role: make_user("hr").

    The role comes from a role assignment made by the system: organisation-wide, except
    the manager's, which covers the subtree of their department (the root by default).
    """
    from apps.access.roles import ADMINISTRATOR, AUDITOR, HR, MANAGER, SECURITY_OFFICER, STAFF
    from apps.access.services import assignment_create
    from apps.org.services import employee_create

    by_persona = {
        "admin": ADMINISTRATOR,
        "hr": HR,
        "manager": MANAGER,
        "security": SECURITY_OFFICER,
        "auditor": AUDITOR,
        "staff": STAFF,
    }

    def make(persona: str, *, department=None, username: str | None = None, scope=None):
        user = employee_create(
            actor=None,
            username=username or persona,
            password="pw-for-tests-1",
            first_name=persona.title(),
            last_name="Tester",
            department=department or root_department,
            is_staff=True,
            is_superuser=persona == "admin",
        )
        role = by_persona[persona]
        scoped = scope or (user.department if role == MANAGER else None)
        assignment_create(
            actor=None, user=user, role=roles[role], department=scoped, reason="test persona"
        )
        from tests.otp import device_for

        device_for(user)  # an authenticator for roles that require one (tests.otp.code_for)
        return user

    return make


@pytest.fixture
def hr_user(make_user):
    return make_user("hr")


@pytest.fixture
def hr(hr_user):
    """The HR persona (username "hr") under its short name; the same user as hr_user."""
    return hr_user


@pytest.fixture
def staff_user(make_user):
    return make_user("staff")


@pytest.fixture
def admin_user_(make_user):
    return make_user("admin")


@pytest.fixture
def auditor_user(make_user):
    return make_user("auditor")


@pytest.fixture
def hr_client(client, hr_user):
    client.force_login(hr_user)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
