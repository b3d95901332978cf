"""Print the role × permission matrix, the table ``docs/permissions.md`` embeds.

The table is read from the database after ``roles_ensure()`` has set every role group
to ``ROLE_PERMISSIONS``, so it shows what the roles really hold. A test compares it with
the document; ``--write`` replaces the table in the document.
"""

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Model
from django.utils import translation
from django.utils.text import capfirst

from apps.access.roles import MANAGER, OUR_APPS, ROLE_PERMISSIONS, roles_ensure

DOC_PATH = Path(settings.BASE_DIR) / "docs" / "permissions.md"
START = "<!-- matrix:start -->"
END = "<!-- matrix:end -->"

# Roles whose assignment names a department as a rule: their rights reach that subtree.
SUBTREE_ROLES = frozenset({MANAGER})
ACTION_ORDER = ("view", "add", "change", "delete")

YES, SUBTREE, NO = "✓", "subtree", "—"


def _models() -> list[type[Model]]:
    """Every model of the apps the role tokens cover; a history model after its model."""

    def key(model: type[Model]) -> tuple[str, bool]:
        base = getattr(model, "instance_type", model)
        return base._meta.model_name or "", base is not model

    found: list[type[Model]] = []
    for label in OUR_APPS:
        found += sorted(apps.get_app_config(label).get_models(), key=key)
    return found


def _action(permission: Permission, model: type[Model]) -> str:
    """``view`` for ``view_department``; an extra permission keeps its codename."""
    return permission.codename.removesuffix(f"_{model._meta.model_name}")


def _action_key(action: str) -> tuple[bool, int, str]:
    verb = action.split("_", 1)[0]
    rank = ACTION_ORDER.index(verb) if verb in ACTION_ORDER else len(ACTION_ORDER)
    return action not in ACTION_ORDER, rank, action


def matrix_markdown() -> str:
    """The Markdown table: one row per model and action, one column per role."""
    groups = roles_ensure()
    held = {
        name: {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        for name, group in groups.items()
    }
    models = _models()
    types = ContentType.objects.get_for_models(*models, for_concrete_models=False)
    by_type: dict[int, list[Permission]] = {}
    for permission in Permission.objects.filter(content_type__in=types.values()):
        by_type.setdefault(permission.content_type_id, []).append(permission)
    roles = list(ROLE_PERMISSIONS)
    lines = [
        "| Model | Action | " + " | ".join(roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    with translation.override("en"):
        for model in models:
            opts = model._meta
            label = f"{capfirst(opts.verbose_name)} (`{opts.label_lower}`)"
            rows = [(_action(p, model), p.codename) for p in by_type.get(types[model].pk, [])]
            for action, codename in sorted(rows, key=lambda row: _action_key(row[0])):
                perm = f"{opts.app_label}.{codename}"
                cells = [
                    (SUBTREE if role in SUBTREE_ROLES else YES) if perm in held[role] else NO
                    for role in roles
                ]
                lines.append(f"| {label} | {action} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def document_with(document: str, table: str) -> str:
    """``document`` with the text between the markers replaced by ``table``."""
    head, start, rest = document.partition(START)
    _old, end, tail = rest.partition(END)
    if not start or not end:
        raise CommandError(f"{DOC_PATH} lacks the markers {START} and {END}.")
    return f"{head}{START}\n{table}\n{END}{tail}"


class Command(BaseCommand):
    help = "Print the role permission matrix as Markdown (the table in docs/permissions.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--write",
            action="store_true",
            help=f"Replace the table between the markers in {DOC_PATH} instead of printing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        table = matrix_markdown()
        if not options["write"]:
            self.stdout.write(table)
            return
        document = DOC_PATH.read_text(encoding="utf-8")
        DOC_PATH.write_text(document_with(document, table), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote the matrix to {DOC_PATH}."))
