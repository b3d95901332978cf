"""Rank: whose account a person may take charge of. Scope is not rank.

A right to change employees in a subtree says *which records* someone may edit; it
must not let them take over the account of a person above them. So the credentials,
contact address, activation, second-factor devices and sessions of a person may be
changed by someone else only when the actor outranks them:

- a superuser may do so for anyone; only a superuser for a superuser;
- anyone else only for people whose highest role ranks strictly below the actor's own
  highest role (``roles.ROLE_RANK``): HR for managers, auditors and staff, never for
  another HR person, a security officer or an administrator.

A role counts from the moment it is assigned, whether or not it has started yet (a
future administrator is protected before the start date) until it is revoked or has
expired. Every entry point (employee form, password page, officers' actions and any
later API) asks ``may_manage_account`` (directly, or as
``actor.has_perm(org.models.ACCOUNT_PERM, person)`` through the auth backend, which is
how apps.org's services ask without importing access); the rule lives only here.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.access.models import RoleAssignment
from apps.access.roles import role_rank
from apps.org.models import Employee

SUPERUSER_RANK = 100


def person_rank(user: Employee | AnonymousUser | None) -> int:
    """The rank of ``user``'s highest role (0 without one); superusers outrank every role."""
    if user is None:
        return 0
    if user.is_superuser:
        return SUPERUSER_RANK
    now = timezone.now()
    names = RoleAssignment.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now), user_id=user.pk, is_active=True
    ).values_list("role__name", flat=True)
    return max((role_rank(name) for name in names), default=0)


def may_manage_account(actor: Employee | AnonymousUser | None, target: Employee | None) -> bool:
    """May ``actor`` change ``target``'s credentials, contact address, devices or sessions?

    One's own account is managed on one's own pages (profile, password, devices), which
    ask for the current password or code; here it is allowed so that the rule does not
    stand in their way.
    """
    if actor is None or target is None:
        return False
    if actor.pk == target.pk or actor.is_superuser:
        return True
    if target.is_superuser:
        return False
    return person_rank(target) < person_rank(actor)


def account_manage_check(*, actor: Employee | None, target: Employee) -> None:
    """Refuse (ValidationError) unless ``may_manage_account(actor, target)``."""
    if not may_manage_account(actor, target):
        raise ValidationError(
            _(
                "%(person)s holds a role of the same or a higher rank than yours: only "
                "someone above them can change their sign-in details, devices or sessions."
            )
            % {"person": target.get_full_name() or target.get_username()}
        )
