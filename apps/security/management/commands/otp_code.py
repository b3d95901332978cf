"""Print the current sign-in code of a demo account from a ``seed_demo --otp-secrets`` file,
as an authenticator app would show it (for demos and scripts, not for production)."""

import json
from base64 import b32decode
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp


class Command(BaseCommand):
    help = "Print the current TOTP code for USERNAME from a seed_demo --otp-secrets FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--secrets", required=True, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["secrets"], encoding="utf-8") as source:
                secrets = json.load(source)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {options['secrets']}: {exc}") from exc
        secret = secrets.get(options["username"]) if isinstance(secrets, dict) else None
        if not isinstance(secret, str):
            raise CommandError(f"No secret for {options['username']!r} in {options['secrets']}.")
        key = b32decode(secret + "=" * (-len(secret) % 8))
        self.stdout.write(f"{totp(key):06d}")
