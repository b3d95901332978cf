"""bin/demo as a new user meets it: its arguments, the .env it writes, the settings reading it.

Shell scripts run in subprocesses; settings are read in a fresh interpreter (this one
imported them with the test environment of pyproject.toml).
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps([settings.DEBUG, settings.SECRET_KEY]))"
)


def demo_dry_run(*args: str, port: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PORT"}
    if port is not None:
        env["PORT"] = port
    return subprocess.run(
        ["bash", str(ROOT / "bin" / "demo"), "--dry-run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def planned(result: subprocess.CompletedProcess, command: str) -> str:
    """The dry run's line for a manage.py command."""
    lines = [line for line in result.stdout.splitlines() if f"manage.py {command}" in line]
    assert len(lines) == 1, result.stdout + result.stderr
    return lines[0]


# --- bin/demo's arguments ----------------------------------------------------------


def test_demo_serves_on_8000_by_default():
    result = demo_dry_run()
    assert result.returncode == 0, result.stderr
    assert planned(result, "runserver").endswith("runserver 127.0.0.1:8000")
    assert "http://127.0.0.1:8000/admin/" in result.stdout
    assert planned(result, "seed_demo").endswith("seed_demo --otp-secrets .demo-otp-secrets.json")


@pytest.mark.parametrize(
    ("args", "port"),
    [
        (("--port", "8010"), None),
        (("--port=8010",), None),
        ((), "8010"),
        (("--port", "8010"), "9000"),  # the option wins over the variable
    ],
    ids=["option", "option=", "PORT", "option-over-PORT"],
)
def test_demo_serves_on_the_port_asked_for(args, port):
    result = demo_dry_run(*args, port=port)
    assert result.returncode == 0, result.stderr
    assert planned(result, "runserver").endswith("runserver 127.0.0.1:8010")
    assert "http://127.0.0.1:8010/admin/" in result.stdout


def test_demo_passes_the_other_arguments_to_seed_demo():
    result = demo_dry_run("--password", "a long demo pw", "--port", "8011", "--employees", "400")
    assert result.returncode == 0, result.stderr
    assert planned(result, "seed_demo").endswith(
        r"seed_demo --otp-secrets .demo-otp-secrets.json --password a\ long\ demo\ pw"
        " --employees 400"
    )
    assert planned(result, "runserver").endswith("127.0.0.1:8011")
    assert "password a long demo pw;" in result.stdout
    assert "password other-pw-1;" in demo_dry_run("--password=other-pw-1").stdout
    assert "password backoffice-demo;" in demo_dry_run().stdout


@pytest.mark.parametrize(
    ("args", "port"),
    [(("--port",), None), (("--port", "0"), None), (("--port", "70000"), None), ((), "web")],
)
def test_demo_refuses_a_port_that_is_not_one(args, port):
    result = demo_dry_run(*args, port=port)
    assert result.returncode == 2
    assert "port" in result.stderr
    assert "would run" not in result.stdout


# --- The .env bin/demo writes ------------------------------------------------------


def dotenv_ensure(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "bash",
            "-c",
            'source bin/_dotenv.sh && dotenv_ensure "$1" "$2"',
            "_",
            path,
            sys.executable,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )


def dotenv_values(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_first_run_writes_debug_and_a_random_secret_key_for_the_owner_only(tmp_path):
    target = tmp_path / ".env"
    dotenv_ensure(target)
    values = dotenv_values(target)
    assert values["DJANGO_DEBUG"] == "1"
    key = values["DJANGO_SECRET_KEY"]
    # What the settings demand of a key without DEBUG.
    assert len(key) >= 50
    assert len(set(key)) >= 5
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    other = tmp_path / "other.env"
    dotenv_ensure(other)
    assert dotenv_values(other)["DJANGO_SECRET_KEY"] != key


def test_an_existing_env_file_is_never_overwritten(tmp_path):
    target = tmp_path / ".env"
    dotenv_ensure(target)
    first = target.read_text()
    dotenv_ensure(target)
    assert target.read_text() == first
    target.write_text("DATABASE_URL=postgres://me@db/mine\n")
    dotenv_ensure(target)
    assert target.read_text() == "DATABASE_URL=postgres://me@db/mine\n"


def settings_with(dotenv: Path, **variables: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_")) and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(DJANGO_SETTINGS_MODULE="backoffice.settings", DJANGO_DOT_ENV_FILE=str(dotenv))
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_read_the_env_file_and_the_environment_wins(tmp_path):
    target = tmp_path / ".env"
    dotenv_ensure(target)
    key = dotenv_values(target)["DJANGO_SECRET_KEY"]

    result = settings_with(target)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, key]

    result = settings_with(target, DJANGO_DEBUG="0")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, key]


def test_settings_never_read_the_env_file_when_told_not_to(tmp_path):
    target = tmp_path / ".env"
    dotenv_ensure(target)
    result = settings_with(target, DJANGO_READ_DOT_ENV_FILE="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_test_run_never_reads_a_developers_env_file():
    assert os.environ["DJANGO_READ_DOT_ENV_FILE"] == "0"
    assert not settings.DEBUG
