"""A security officer's action on the employee list: reset someone's two-factor devices.

Contributed to org's employee admin through ``apps.core.admin_extensions``, so org's
admin does not import security.
"""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.decorators import action

from apps.core.admin import DomainAdmin, ReasonForm
from apps.core.admin_extensions import admin_action_register
from apps.core.types import signed_in
from apps.security import otp

RESET_DEVICES_PERM = "security.reset_devices"


@action(description=_("Reset two-factor devices…"), permissions=[RESET_DEVICES_PERM])
def reset_devices_selected(
    model_admin: DomainAdmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponse | None:
    submitted = request.POST.get("post") == "yes"
    return model_admin.form_action(
        request,
        queryset,
        form=ReasonForm(request.POST if submitted else None),
        action_name="reset_devices_selected",
        title=_("Reset two-factor devices"),
        intro=_(
            "Remove the authenticator, backup codes and e-mail device of these people; "
            "they set up a new one at their next sign-in:"
        ),
        submit_label=_("Reset devices"),
        submit_testid="confirm-reset-devices",
        service=lambda employee, data: otp.devices_reset(
            actor=signed_in(request), user=employee, reason=data["reason"]
        ),
        done=lambda n: (
            ngettext(
                "Reset the devices of %(count)d person.",
                "Reset the devices of %(count)d people.",
                n,
            )
            % {"count": n}
        ),
    )


admin_action_register(model="org.Employee", action=reset_devices_selected)
