"""The roles: Django groups, their permission matrix and their rank.

``docs/permissions.md`` shows this matrix as a table; a test fails when the two
disagree. A role gives its permissions organisation-wide, or within one
department subtree when the assignment names a department (see ``scope``).
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.registry import policies

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

# Who may hand out what: a role may be assigned by someone holding it, or holding a role
# of a strictly higher rank (HR assigns managers, never administrators or security officers).
ROLE_RANK = {
    ADMINISTRATOR: 4,
    HR: 3,
    SECURITY_OFFICER: 3,
    MANAGER: 2,
    AUDITOR: 2,
    STAFF: 1,
}

# The apps whose permissions the "*" and "view:*" tokens cover.
OUR_APPS = ("org", "access", "auth", "guardian", "security", "audit", "notifications", "jobs")

# Named view_ but not a read-only view of a model: everyone's jobs, their parameters and
# files (exports in their requesters' scope). "view:*" leaves them out.
# The Tasks page (workers, queues, periodic tasks) is the operators' (administrators and
# security officers), not an auditor's read of a model.
NOT_READ_ONLY = ("jobs.view_all_jobs", "jobs.view_task_dashboard")

# Beat's periodic tasks and their schedules (django-celery-beat, a third-party app: not in
# OUR_APPS, so "view:*" leaves them out): administrators only, who may change them.
BEAT_PERMS = [
    f"django_celery_beat.{verb}_{model}"
    for model in (
        "periodictask",
        "intervalschedule",
        "crontabschedule",
        "solarschedule",
        "clockedschedule",
    )
    for verb in ("view", "add", "change", "delete")
]

_ORG_VIEW = [
    "org.view_department",
    "org.view_employee",
    "org.view_historicaldepartment",
    "org.view_historicalemployee",
]

# "app_label.codename" strings. "*": every permission of OUR_APPS. "view:*": every view_
# permission of OUR_APPS except those of protected fields (the salary permissions).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: ["*", *BEAT_PERMS],
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
        "org.view_historicaltransfer",
        "access.view_roleassignment",
        "access.add_roleassignment",
        "access.change_roleassignment",
        "access.view_historicalroleassignment",
        # HR hands out roles and checks the log of what it handed out.
        "access.view_permissionlog",
        "auth.view_group",
        # The trail of what HR changed (and reverting it): scope and salary rules apply.
        "audit.view_auditentry",
        # Announcements to everyone or a subtree (the scope of the assignment applies).
        "notifications.view_announcement",
        "notifications.add_announcement",
        "notifications.change_announcement",
        "notifications.view_historicalannouncement",
        # ... and its export, as a background job (the same rows as HR's trail page).
        "audit.export_auditentry",
    ],
    MANAGER: [
        *_ORG_VIEW,
        "org.change_department",
        "org.change_employee",
        "org.view_transfer",
        "audit.view_auditentry",
    ],
    SECURITY_OFFICER: [
        "org.view_department",
        "org.view_employee",
        "access.view_roleassignment",
        "access.view_historicalroleassignment",
        "access.view_permissionlog",
        "auth.view_group",
        "security.view_loginevent",
        "security.view_securityaction",
        "security.unlock_user",
        "security.reset_devices",
        "security.view_usersession",
        "security.revoke_sessions",
        "audit.view_auditentry",
        "audit.export_auditentry",
        "audit.view_verificationrun",
        "audit.verify_chain",
        "audit.view_trailexport",
        # Workers, queues and periodic tasks: sealing and verification are theirs to watch.
        "jobs.view_task_dashboard",
    ],
    AUDITOR: ["view:*", "audit.export_auditentry"],
    STAFF: [],
}


def _ours() -> Q:
    return Q(content_type__app_label__in=OUR_APPS)


def _protected_fields_perms() -> Q:
    """The permissions of protected fields (salary), as their models registered them, and
    the ``NOT_READ_ONLY`` ones."""
    q = Q(pk__in=[])
    for policy in policies():
        for perm in (*policy.field_perms, *NOT_READ_ONLY):
            app_label, codename = perm.split(".", 1)
            q |= Q(content_type__app_label=app_label, codename=codename)
    return q


def role_permissions(name: str) -> list[Permission]:
    """The permissions the matrix gives role ``name``; LookupError for an unknown code."""
    codes = ROLE_PERMISSIONS[name]
    found: list[Permission] = []
    if codes and codes[0] == "*":
        found = list(Permission.objects.filter(_ours()))
        codes = codes[1:]
    elif codes and codes[0] == "view:*":
        found = list(
            Permission.objects.filter(_ours(), codename__startswith="view_").exclude(
                _protected_fields_perms()
            )
        )
        codes = codes[1:]
    if not codes:
        return found
    query = Q(pk__in=[])
    for code in codes:
        app_label, codename = code.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    listed = list(Permission.objects.filter(query).select_related("content_type"))
    if len(listed) != len(codes):
        missing = set(codes) - {f"{p.content_type.app_label}.{p.codename}" for p in listed}
        raise LookupError(f"Unknown permissions in the role matrix: {sorted(missing)}")
    return found + [p for p in listed if p not in found]


@transaction.atomic
def roles_ensure() -> dict[str, Group]:
    """Create the role groups and set their permissions to the matrix (idempotent)."""
    groups = {}
    for name in ROLE_PERMISSIONS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(role_permissions(name))
        groups[name] = group
    return groups


def role_rank(name: str) -> int:
    """Rank of a role; a group that is not one of ours ranks above every role."""
    return ROLE_RANK.get(name, max(ROLE_RANK.values()) + 1)
