"""What sign-in security does when org changes a person: receivers of ``apps.org.signals``."""

from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, override
from django_otp.plugins.otp_email.models import EmailDevice

from apps.org.models import Employee
from apps.org.signals import employee_email_changed
from apps.security.actions import security_action_log
from apps.security.models import SecurityAction
from apps.security.times import moment_in_mail

REASON_EMAIL_CHANGED = gettext_noop("E-mail address changed: codes no longer go by e-mail")


def email_changed(
    sender: Any, employee: Employee, old_email: str, actor: Employee | None, **kwargs: Any
) -> None:
    """The e-mail code device does not follow a changed address; the old address is told.

    Codes sent to whatever address the account has now would let whoever changed it
    pass the code step. The device is removed (logged); the person keeps their
    authenticator and backup codes, and gets an e-mail device again when they enroll.
    """
    removed, _detail = EmailDevice.objects.filter(user=employee).delete()
    if removed:
        security_action_log(
            kind=SecurityAction.Kind.DEVICES_RESET,
            actor=actor,
            user=employee,
            target=gettext_noop("E-mail code device"),
            reason=REASON_EMAIL_CHANGED,
        )
    if old_email:
        by = (actor.get_full_name() or actor.get_username()) if actor is not None else ""
        # robust: a mail server outage must not undo the change already committed.
        transaction.on_commit(lambda: _tell_old_address(employee, old_email, by), robust=True)


def _tell_old_address(employee: Employee, old_email: str, by: str) -> None:
    with override(None):  # the site's default language: we do not know the reader's
        values = {
            "name": employee.get_full_name() or employee.get_username(),
            "username": employee.get_username(),
            "new": employee.email or gettext("(none)"),
            "by": by or gettext("the system"),
            "time": moment_in_mail(timezone.now()),
        }
        subject = gettext("Your Backoffice e-mail address was changed")
        body = (
            gettext(
                "Hello %(name)s,\n\n"
                "the e-mail address of your Backoffice account (%(username)s) was changed to "
                "%(new)s by %(by)s at %(time)s. Sign-in codes are no longer sent by e-mail.\n\n"
                "If you did not expect this, tell your security officer at once."
            )
            % values
        )
    send_mail(subject, body, None, [old_email])


def connect() -> None:
    employee_email_changed.connect(email_changed, dispatch_uid="security-email-changed")
