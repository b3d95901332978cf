"""Admin actions that ask first: a confirmation page, or a small form (a reason).

A part of the final bases in ``apps.core.admin`` (which re-exports ``ReasonForm``).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextareaWidget

from apps.access.services import refusal_record as refusal_record  # re-exported: record actions
from apps.core.types import AdminMixinBase, ModelT, signed_in
from apps.core.validators import validate_no_surrogates

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from apps.org.models import Employee


def reason_widget(rows: int = 3) -> forms.Textarea:
    """The one text area every "reason" is typed in: unfold's, with its border and focus ring.

    A plain ``forms.Textarea`` on a field the admin did not build from a model field (an
    extra form field, a form of our own, a ``Meta.widgets`` entry) gets none of unfold's
    classes and renders without a border: people could not see where to type.
    """
    widget: forms.Textarea = UnfoldAdminTextareaWidget(attrs={"rows": rows})
    return widget


class ReasonForm(forms.Form):
    """The one field most confirmed actions ask for: why (kept in a log or history)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=reason_widget(),
        validators=[validate_no_surrogates],
    )


class ActionFormsMixin(AdminMixinBase[ModelT]):
    """Admin actions that ask first: a confirmation page, or a small form (a reason)."""

    confirm_template = "admin/core/confirm_soft_delete.html"

    def _none_selected(self, request: HttpRequest, queryset: "QuerySet[ModelT]") -> bool:
        """Say so when no selected row is one the user may see (the queryset is scoped)."""
        if queryset.exists():
            return False
        # Django's own wording (and translation) for an action with nothing selected.
        self.message_user(
            request,
            gettext(
                "Items must be selected in order to perform actions on them. "
                "No items have been changed."
            ),
            messages.WARNING,
        )
        return True

    def confirmed_action(
        self,
        request: HttpRequest,
        queryset: "QuerySet[ModelT]",
        *,
        action_name: str,
        service: "Callable[[ModelT, Employee], object]",
        title: "StrOrPromise",
        question: "StrOrPromise",
        done: Callable[[int], str],
    ) -> HttpResponse | None:
        """Ask on a confirmation page, then call ``service(obj, actor)`` per row.

        Each refusal (ValidationError) becomes an error message; the rest are applied.
        """
        if self._none_selected(request, queryset):
            return None
        if request.POST.get("post") != "yes":
            return TemplateResponse(
                request,
                self.confirm_template,
                {
                    **self.admin_site.each_context(request),
                    "title": title,
                    "question": question,
                    "queryset": queryset,
                    "opts": self.model._meta,
                    "action_name": action_name,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        # The refusals name the record themselves (the soft-delete rules do).
        actor = signed_in(request)
        self._apply_each(
            request, queryset, lambda obj: service(obj, actor), done, name_objects=False
        )
        return None

    def form_action(
        self,
        request: HttpRequest,
        queryset: "QuerySet[ModelT]",
        *,
        form: Any,
        action_name: str,
        title: "StrOrPromise",
        intro: "StrOrPromise",
        submit_label: "StrOrPromise",
        submit_testid: str,
        service: Callable[[ModelT, dict[str, Any]], object],
        done: Callable[[int], str],
        media: Any = None,
    ) -> HttpResponse | None:
        """Ask for ``form`` on an intermediate page, then call ``service(obj, cleaned_data)``.

        Each refusal (ValidationError) becomes an error message naming the object.
        """
        if self._none_selected(request, queryset):
            return None
        if not (request.POST.get("post") == "yes" and form.is_valid()):
            return TemplateResponse(
                request,
                "admin/core/action_form.html",
                {
                    **self.admin_site.each_context(request),
                    "title": title,
                    "intro": intro,
                    "submit_label": submit_label,
                    "submit_testid": submit_testid,
                    "form": form,
                    "media": media or self.media + form.media,
                    "queryset": queryset,
                    "opts": self.model._meta,
                    "action_name": action_name,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        self._apply_each(request, queryset, lambda obj: service(obj, form.cleaned_data), done)
        return None

    def _apply_each(
        self,
        request: HttpRequest,
        queryset: "QuerySet[ModelT]",
        call: Callable[[ModelT], object],
        done: Callable[[int], str],
        *,
        name_objects: bool = True,
    ) -> None:
        """Run ``call`` per row; each refusal is an error message, the rest one success."""
        applied = 0
        for obj in queryset:
            try:
                call(obj)
            except ValidationError as exc:
                # Each call's transaction has ended: a scope refusal's log row stays.
                refusal_record(error=exc, where=request.path)
                reason = "; ".join(exc.messages)
                if name_objects:
                    reason = gettext("%(object)s: %(reason)s") % {"object": obj, "reason": reason}
                self.message_user(request, reason, messages.ERROR)
            else:
                applied += 1
        if applied:
            self.message_user(request, done(applied), messages.SUCCESS)
