"""The "Explain access" page: pick a user and a model (or one record of it) and see every
path that grants or denies each action. The answer is ``selectors.access_explain``."""

from typing import Any

from django import forms
from django.contrib.admin import AdminSite
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.urls import URLPattern, path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from apps.access import scope
from apps.access.models import RoleAssignment
from apps.access.selectors import access_explain
from apps.core.admin import SafeAutocompleteSelect
from apps.core.types import AuthedHttpRequest
from apps.org.models import Department, Employee, Transfer

# The scoped models with an admin screen, by "app_label.model_name".
EXPLAINABLE: dict[str, type[Model]] = {
    model._meta.label_lower: model for model in (Department, Employee, Transfer, RoleAssignment)
}
DEFAULT_MODEL = "org.employee"
# A UUID is 36 characters; room for braces or a "urn:uuid:" prefix, no more.
OBJECT_ID_MAX = 64


def _view_perm(model: type[Model]) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


class UserChoiceField(forms.ModelChoiceField):
    """One message for every id that finds nobody, malformed ones included (never echoed)."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError as exc:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from exc


class ExplainAccessForm(forms.Form):
    """Whose access, to which model, and optionally which record (all within the viewer's scope)."""

    model = forms.ChoiceField(
        label=_("Model"),
        choices=[(key, capfirst(m._meta.verbose_name)) for key, m in EXPLAINABLE.items()],
        widget=UnfoldAdminSelectWidget,
        error_messages={"invalid_choice": _("Choose a model from the list.")},
    )
    object_id = forms.CharField(
        label=_("Record id"),
        required=False,
        max_length=OBJECT_ID_MAX,
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": _("Empty: the model as a whole")}),
        help_text=_("Optional: the id of one record, as in its admin address."),
    )

    def __init__(self, *args: Any, viewer: Employee, admin_site: AdminSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        # The autocomplete asks the employee admin, which offers the viewer's scope only.
        self.fields["user"] = UserChoiceField(
            label=_("User"),
            queryset=scope.restrict(viewer, "org.view_employee", Employee.objects.all()),
            widget=SafeAutocompleteSelect(RoleAssignment._meta.get_field("user"), admin_site),
            error_messages={"invalid_choice": _("No such user.")},
        )
        self.order_fields(["user", "model", "object_id"])

    def clean(self) -> dict[str, Any]:
        super().clean()  # Django's returns self.cleaned_data (typed Optional by the stubs)
        cleaned = self.cleaned_data
        cleaned["obj"] = None
        model = EXPLAINABLE.get(cleaned.get("model") or "")
        raw = (cleaned.get("object_id") or "").strip()
        if model is None or not raw:
            return cleaned
        try:
            pk = model._meta.pk.to_python(raw)
        except ValidationError:
            self.add_error("object_id", _("Enter a record id such as 0b9a1c2e-…; this is not one."))
            return cleaned
        # Looked up within the viewer's own scope: a record outside is "no such record".
        visible = scope.restrict(self.viewer, _view_perm(model), model._default_manager.all())
        cleaned["obj"] = visible.filter(pk=pk).first()
        if cleaned["obj"] is None:
            self.add_error("object_id", _("No such record."))
        return cleaned


class ExplainAccessView(UnfoldModelAdminViewMixin, TemplateView):
    """GET ?user=&model=&object_id=: the form and, once valid, one row per action."""

    request: AuthedHttpRequest  # an admin page: behind login

    title = _("Explain access")
    permission_required = ("access.view_roleassignment",)
    template_name = "admin/access/explain.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        params = self.request.GET
        submitted = any(name in params for name in ("user", "model", "object_id"))
        form = ExplainAccessForm(
            params if submitted else None,
            initial={"model": DEFAULT_MODEL},
            viewer=self.request.user,
            admin_site=self.model_admin.admin_site,
        )
        explained = None
        if submitted and form.is_valid():
            data = form.cleaned_data
            model = EXPLAINABLE[data["model"]]
            explained = {
                "user": data["user"],
                "model": model._meta.verbose_name,
                "obj": data["obj"],
                "rows": access_explain(user=data["user"], model=model, obj=data["obj"]),
            }
        return super().get_context_data(
            **kwargs,
            opts=RoleAssignment._meta,
            form=form,
            media=form.media,
            explained=explained,
        )


def explain_urls(model_admin: Any) -> list[URLPattern]:
    """The page, mounted by RoleAssignmentAdmin.get_urls (before the inherited URLs)."""
    view = model_admin.admin_site.admin_view(ExplainAccessView.as_view(model_admin=model_admin))
    return [path("explain/", view, name="access_roleassignment_explain")]
