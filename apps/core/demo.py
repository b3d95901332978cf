"""Demo data for ``manage.py seed_demo``: each app contributes its own seeder here.

An app's ``seeders`` module registers one with ``demo_seeder_register``. The command
finds those modules the way the admin finds admin modules (``autodiscover_modules``) and
runs the seeders in INSTALLED_APPS order, so core never imports the apps above it and a
new app seeds its demo rows without touching the command.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.base import CommandParser
from django.utils.module_loading import autodiscover_modules

SEEDERS_MODULE = "seeders"


@dataclass(frozen=True)
class DemoSeeder:
    """One app's part of the demo.

    ``seed(options, say)`` writes the app's demo rows, idempotently; ``say`` prints a
    line at once, and the text it returns (if any) joins the command's closing summary.
    ``add_arguments`` adds the app's own options to the command.
    """

    app_label: str
    seed: Callable[[dict[str, Any], Callable[[str], None]], str | None]
    add_arguments: Callable[[CommandParser], None] | None = None


_SEEDERS: dict[str, DemoSeeder] = {}


def demo_seeder_register(seeder: DemoSeeder) -> None:
    """Make ``seeder`` its app's part of ``seed_demo`` (one per app)."""
    _SEEDERS[seeder.app_label] = seeder


def demo_seeders() -> list[DemoSeeder]:
    """Every installed app's seeder, lowest app first (the INSTALLED_APPS order)."""
    autodiscover_modules(SEEDERS_MODULE)
    order = [config.label for config in apps.get_app_configs()]
    return sorted(_SEEDERS.values(), key=lambda seeder: order.index(seeder.app_label))
