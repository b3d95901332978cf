"""The role groups and their model permissions (the access issue refines the matrix)."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "Administrator"
HR = "HR"
MANAGER = "Manager"
SECURITY_OFFICER = "Security officer"
AUDITOR = "Auditor"
STAFF = "Staff"

ROLE_LABELS = {
    ADMINISTRATOR: _("Administrator"),
    HR: _("HR"),
    MANAGER: _("Manager"),
    SECURITY_OFFICER: _("Security officer"),
    AUDITOR: _("Auditor"),
    STAFF: _("Staff"),
}

_ORG_VIEW = [
    "org.view_department",
    "org.view_employee",
    "org.view_historicaldepartment",
    "org.view_historicalemployee",
]

# "app_label.codename" strings; "*" means every permission.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: ["*"],
    HR: [
        *_ORG_VIEW,
        "org.add_department",
        "org.change_department",
        "org.add_employee",
        "org.change_employee",
        "org.view_salary",
        "org.change_salary",
        "org.view_transfer",
        "org.add_transfer",
        "org.change_transfer",
        "auth.view_group",
    ],
    MANAGER: [*_ORG_VIEW, "org.change_employee", "org.view_transfer"],
    SECURITY_OFFICER: ["org.view_employee", "org.view_department"],
    AUDITOR: [*_ORG_VIEW, "org.view_transfer", "auth.view_group"],
    STAFF: [],
}


def _permissions_for(codes: list[str]) -> list[Permission]:
    if codes == ["*"]:
        return list(Permission.objects.all())
    query = Q(pk__in=[])
    for code in codes:
        app_label, codename = code.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query))
    if len(found) != len(codes):
        missing = set(codes) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
        raise LookupError(f"Unknown permissions in the role matrix: {sorted(missing)}")
    return found


@transaction.atomic
def roles_ensure() -> dict[str, Group]:
    """Create the role groups and set their permissions to the matrix (idempotent)."""
    groups = {}
    for name, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions_for(codes))
        groups[name] = group
    return groups
