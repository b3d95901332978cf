"""seed_demo runs each app's contributed seeder, lowest app first."""

from apps.core.demo import DemoSeeder, demo_seeder_register, demo_seeders
from apps.core.management.commands.seed_demo import Command

KNOWN = ("org", "access", "security")


def _known(seeders):
    return [s.app_label for s in seeders if s.app_label in KNOWN]


def test_every_app_contributes_its_seeder_in_installed_apps_order():
    assert _known(demo_seeders()) == list(KNOWN)


def test_the_command_takes_the_options_the_seeders_add():
    parser = Command().create_parser("manage.py", "seed_demo")
    options = vars(parser.parse_args(["--departments", "3", "--otp-secrets", "f.json"]))
    assert options["departments"] == 3
    assert options["otp_secrets"] == "f.json"
    assert options["password"] == "backoffice-demo"


def test_a_seeder_registered_again_replaces_its_app_part(monkeypatch):
    from apps.core import demo

    monkeypatch.setattr(demo, "_SEEDERS", dict(demo._SEEDERS))
    original = demo._SEEDERS["access"]
    replacement = DemoSeeder(app_label="access", seed=lambda options, say: None)
    demo_seeder_register(replacement)
    seeders = demo_seeders()
    assert _known(seeders) == list(KNOWN)
    assert [s for s in seeders if s.app_label == "access"] == [replacement]
    assert replacement is not original
