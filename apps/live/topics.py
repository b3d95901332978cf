"""Who may hear the topic kinds the live layer owns: ``user``, ``department``, ``role``, ``global``.

Each answers only yes or no (``apps.core.live.TopicKind``): a department that does not
exist reads like one the person may not view. Rights are read fresh for every join (not
the per-request snapshot kept on the user object: a socket outlives many requests).
"""

import uuid

from apps.access import scope
from apps.access.selectors import roles_held
from apps.core import live
from apps.org.models import Department, Employee

DEPARTMENT_PERM = "org.view_department"


def user_may_join(user: Employee, key: str | None) -> bool:
    """Only the person themself."""
    return key is not None and str(uuid.UUID(key)) == str(user.pk)


def department_may_join(user: Employee, key: str | None) -> bool:
    """Those who may view the department: a manager their subtree, HR everything."""
    if key is None:
        return False
    department = Department.objects.filter(pk=uuid.UUID(key)).first()
    if department is None:
        return False
    return scope.allows_in(scope.snapshot_read(user), DEPARTMENT_PERM, department)


def role_may_join(user: Employee, key: str | None) -> bool:
    """Those who hold the role now (by an assignment valid at this moment)."""
    return key is not None and key in {live.role_key(name) for name in roles_held(user)}


def global_may_join(user: Employee, key: str | None) -> bool:
    """Everyone the sign-in gate let in; ``global`` takes no key."""
    return key is None


def register() -> None:
    live.topic_kind_register("user", user_may_join)
    live.topic_kind_register("department", department_may_join)
    live.topic_kind_register("role", role_may_join)
    live.topic_kind_register("global", global_may_join)
