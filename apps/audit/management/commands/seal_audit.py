"""Seal the committed audit entries into the hash chain now (beat does it every few seconds)."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.audit.chain import seal, seal_state


class Command(BaseCommand):
    help = "Give every committed unsealed audit entry its place and hash in the chain."

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = seal()
        state = seal_state()
        self.stdout.write(
            self.style.SUCCESS(
                f"Sealed {sealed} record(s); {state.sealed} sealed in all, "
                f"{state.unsealed} awaiting seal."
            )
        )
