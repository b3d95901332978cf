"""Security's actions on the employee record: end someone's sessions, reset their devices.

Contributed to org's employee admin through ``apps.core.admin_extensions`` (org does not
import security); registered in ``SecurityConfig.ready()``. Each is offered only where
the reader holds the permission on this person (scope) and outranks them (rank); the
services check the rank again, require the reason and write the security log.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin_extensions import RecordAction, record_action_register
from apps.core.history import is_system_account
from apps.core.types import signed_in
from apps.org.models import ACCOUNT_PERM, Employee
from apps.security import otp, sessions

REVOKE_SESSIONS_PERM = "security.revoke_sessions"
RESET_DEVICES_PERM = "security.reset_devices"


def _may(perm: str) -> Any:
    """Someone else, not the system account, with ``perm`` on them and a higher rank.

    One's own sessions and devices have their own pages (which ask for proof).
    """

    def allowed(request: HttpRequest, employee: Employee) -> bool:
        user = request.user
        return (
            employee.pk != user.pk
            and not is_system_account(employee)
            and user.has_perm(perm, employee)
            and user.has_perm(ACCOUNT_PERM, employee)
        )

    return allowed


def _name(employee: Employee) -> str:
    return employee.get_full_name() or employee.get_username()


def _end_sessions(request: HttpRequest, employee: Employee, data: dict[str, Any]) -> str:
    ended = sessions.sessions_end_for(
        actor=signed_in(request), user=employee, reason=data["reason"]
    )
    return ngettext(
        "Ended %(count)d session of %(person)s.",
        "Ended %(count)d sessions of %(person)s.",
        ended,
    ) % {"count": ended, "person": _name(employee)}


def _reset_devices(request: HttpRequest, employee: Employee, data: dict[str, Any]) -> str:
    otp.devices_reset(actor=signed_in(request), user=employee, reason=data["reason"])
    return str(_("The two-factor devices of %(person)s were reset.")) % {"person": _name(employee)}


END_SESSIONS = RecordAction(
    name="end-sessions",
    label=_("End sessions…"),
    intro=_(
        "Sign this person out everywhere: every open session ends at once. The reason is "
        "kept in the security log."
    ),
    submit_label=_("End sessions"),
    icon="logout",
    allowed=_may(REVOKE_SESSIONS_PERM),
    perform=_end_sessions,
    order=20,
)

RESET_DEVICES = RecordAction(
    name="reset-devices",
    label=_("Reset two-factor devices…"),
    intro=_(
        "Remove this person's authenticator, backup codes and e-mail device; they set up a "
        "new one at their next sign-in. The reason is kept in the security log."
    ),
    submit_label=_("Reset devices"),
    icon="phonelink_lock",
    allowed=_may(RESET_DEVICES_PERM),
    perform=_reset_devices,
    order=30,
)


def record_actions_register() -> None:
    for action in (END_SESSIONS, RESET_DEVICES):
        record_action_register(model="org.Employee", action=action)
