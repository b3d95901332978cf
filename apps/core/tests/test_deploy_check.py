"""Production settings pass Django's deployment checklist; the secret is never optional.

Each test starts a fresh interpreter: settings are read from the environment at import,
and this process imported them with the test-only variables the root conftest.py sets.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient

ROOT = Path(settings.BASE_DIR)
# The root conftest.py sets these for the test run; production never does.
TEST_ONLY_ENV = (
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_SECURE_COOKIES",
    "DJANGO_STATICFILES_STORAGE",
    "DJANGO_WHITENOISE_USE_FINDERS",
)
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps({name: getattr(settings, name) for name in ("
    "'DEBUG', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'SECURE_HSTS_SECONDS', 'ALLOWED_HOSTS', 'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_AGE', "
    "'SESSION_IDLE_MINUTES', 'SESSION_IDLE_MINUTES_OTP', 'SESSION_LIFETIME_HOURS', "
    "'SESSION_LIFETIME_HOURS_OTP')}))"
)


def clean_env(**variables: str) -> dict[str, str]:
    """This process's environment without any settings variable, plus the given ones."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "PYTHONWARNINGS"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "backoffice.settings"
    env["DJANGO_READ_DOT_ENV_FILE"] = "0"  # never a developer's .env
    env.update(variables)
    return env


def production_env(**variables: str) -> dict[str, str]:
    production = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "AUDIT_CHAIN_SECRET": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "backoffice.example.com",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://backoffice.example.com",
    }
    return clean_env(**{**production, **variables})


def run_python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("debug", [None, "0"], ids=["debug-unset", "debug-0"])
def test_deploy_check_passes_with_no_warnings_under_production_settings(debug):
    env = production_env() if debug is None else production_env(DJANGO_DEBUG=debug)
    assert not set(TEST_ONLY_ENV) & set(env)

    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNING" not in output
    assert "(security." not in output


def test_deploy_check_warns_while_the_audit_chain_is_keyed_with_the_secret_key():
    env = production_env()
    del env["AUDIT_CHAIN_SECRET"]

    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "audit.W001" in result.stdout + result.stderr


def test_settings_refuse_to_load_without_a_secret_key_when_debug_is_off():
    env = clean_env(DJANGO_ALLOWED_HOSTS="backoffice.example.com")
    assert "DJANGO_SECRET_KEY" not in env
    assert "DJANGO_DEBUG" not in env

    result = run_python("manage.py", "check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "weak_key", ["", "too-short-a-secret", "a" * 60], ids=["empty", "short", "monotonous"]
)
def test_settings_refuse_to_load_with_a_weak_secret_key(weak_key):
    # Django itself would only refuse an empty key at first use; settings refuse at start.
    env = production_env(DJANGO_SECRET_KEY=weak_key)

    result = run_python("manage.py", "check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be at least 50" in result.stderr


def test_debug_is_off_by_default_and_production_defaults_are_https_only():
    env = production_env()
    assert "DJANGO_DEBUG" not in env

    result = run_python("-c", PRINT_SETTINGS, env=env)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["ALLOWED_HOSTS"] == ["backoffice.example.com"]
    # No proxy is trusted unless one is declared: a client could claim HTTPS.
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_a_declared_proxy_is_trusted_for_the_https_header():
    result = run_python(
        "-c", PRINT_SETTINGS, env=production_env(DJANGO_SECURE_PROXY_SSL_HEADER="1")
    )

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_sessions_are_short_for_second_factor_roles_and_configurable():
    default = run_python("-c", PRINT_SETTINGS, env=production_env())
    longer = run_python(
        "-c",
        PRINT_SETTINGS,
        env=production_env(SESSION_LIFETIME_HOURS="24", SESSION_IDLE_MINUTES_OTP="15"),
    )

    assert default.returncode == 0, default.stderr
    assert longer.returncode == 0, longer.stderr
    values = json.loads(default.stdout.strip().splitlines()[-1])
    changed = json.loads(longer.stdout.strip().splitlines()[-1])
    assert values["SESSION_IDLE_MINUTES_OTP"] < values["SESSION_IDLE_MINUTES"]
    assert values["SESSION_LIFETIME_HOURS_OTP"] < values["SESSION_LIFETIME_HOURS"]
    assert values["SESSION_COOKIE_AGE"] == values["SESSION_LIFETIME_HOURS"] * 3600
    assert (changed["SESSION_IDLE_MINUTES_OTP"], changed["SESSION_COOKIE_AGE"]) == (15, 24 * 3600)


def test_every_response_carries_a_content_security_policy_without_inline_scripts_or_styles(
    client,
):
    response = client.get("/admin/login/")

    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["script-src"].startswith("'self'")
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["style-src"].startswith("'self'")
    assert (policy["object-src"], policy["frame-ancestors"]) == ("'none'", "'none'")
    assert (policy["base-uri"], policy["form-action"]) == ("'self'", "'self'")
    assert "Content-Security-Policy" in client.get("/health/")
    # The ASGI path (the middleware's own async branch) sets the same header.
    asgi = async_to_sync(AsyncClient().get)("/admin/login/")
    assert asgi["Content-Security-Policy"] == response["Content-Security-Policy"]


def test_embedded_default_with_debug_on_needs_no_secret_and_stays_on_plain_http():
    env = clean_env(DJANGO_DEBUG="1")

    check = run_python("manage.py", "check", env=env)
    result = run_python("-c", PRINT_SETTINGS, env=env)

    assert check.returncode == 0, check.stdout + check.stderr
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
