"""Access's part of ``seed_demo``: each demo account's role assignment."""

from collections.abc import Callable
from typing import Any

from apps.access.demo import demo_roles_assign
from apps.core.demo import DemoSeeder, demo_seeder_register


def _seed(options: dict[str, Any], say: Callable[[str], None]) -> None:
    demo_roles_assign()


demo_seeder_register(DemoSeeder(app_label="access", seed=_seed))
