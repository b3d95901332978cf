"""Security's part of ``seed_demo``: authenticators for the accounts that need one."""

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from apps.core.demo import DemoSeeder, demo_seeder_register
from apps.security.demo import demo_otp_secrets


def _add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--otp-secrets",
        metavar="FILE",
        help="Give the accounts whose role requires two-factor sign-in an authenticator "
        "and write {username: base32 secret} to FILE as JSON (mode 600).",
    )


def _seed(options: dict[str, Any], say: Callable[[str], None]) -> None:
    if not options["otp_secrets"]:
        return
    path = Path(options["otp_secrets"])
    secrets = demo_otp_secrets()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(secrets, out, indent=2, sort_keys=True)
    except OSError as exc:
        raise CommandError(f"Cannot write --otp-secrets {path}: {exc}") from exc
    say(f"Authenticator secrets of {', '.join(sorted(secrets))} in {path}.")


demo_seeder_register(DemoSeeder(app_label="security", seed=_seed, add_arguments=_add_arguments))
