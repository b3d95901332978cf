"""Demo role assignments: one per demo account, the manager's scoped to the department
they run (idempotent, so seed_demo can run again)."""

from django.db.models import Q

from apps.access.models import RoleAssignment
from apps.access.roles import roles_ensure
from apps.access.services import assignment_create
from apps.org.demo import DEMO_ACCOUNTS
from apps.org.models import Department, Employee

DEMO_REASON = "seed_demo"


def demo_roles_assign() -> int:
    """Give each demo account its role; return how many assignments were created."""
    groups = roles_ensure()
    created = 0
    for account in DEMO_ACCOUNTS:
        user = Employee.objects.get(username=account.username)
        department = Department.objects.get(code=account.manages) if account.manages else None
        held = RoleAssignment.objects.filter(
            Q(valid_until__isnull=True), user=user, role=groups[account.role], is_active=True
        )
        if held.filter(department=department).exists():
            continue
        assignment_create(
            actor=None,
            user=user,
            role=groups[account.role],
            department=department,
            reason=DEMO_REASON,
        )
        created += 1
    return created
