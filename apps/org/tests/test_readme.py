"""The README's Home bullet says what the dashboard offers (its periods and cards)."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from apps.org.dashboard import PERIOD_CUSTOM, PERIODS

README = Path(settings.BASE_DIR) / "README.md"


def _bullet(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"^- \*\*{name}\*\*:(.*?)(?=^- \*\*)", text, re.S | re.M)
    assert found, f"the README's {name} bullet is gone"
    return " ".join(found.group(1).split())


def test_the_home_bullet_names_the_dashboard_s_periods_and_cards():
    home = _bullet("Home")
    with translation.override("en"):
        for value, label in PERIODS:
            if value != PERIOD_CUSTOM:
                assert str(label).lower() in home, label
    for card in ("active headcount", "new hires", "leavers", "turnover rate", "average tenure"):
        assert card in home, card
    assert "30/90" not in home


def test_the_security_bullet_says_lockouts_are_the_current_locks():
    officers = _bullet("Security officers")
    lockouts = officers.split("*Lockouts*", 1)[1].split("*Sessions*", 1)[0]
    assert "locked now" in lockouts
    assert "with a reason" in lockouts
    assert "when the lock lifts" in lockouts
