"""The base admins every app's admin subclasses: composed once, here.

unfold's ModelAdmin is combined with simple-history and guardian in the order
unfold documents (mixins first, unfold's ModelAdmin last). Soft delete replaces
hard delete, and protected fields (salary) vanish for users without the right.

An app's admin subclasses exactly one of the final bases at the end of this module
(``DomainAdmin``, ``SoftDeleteDomainAdmin``, ``ReadOnlyDomainAdmin``,
``ReadOnlyLogAdmin``) and declares only fields, filters and actions; the mixins above
are their parts, never stacked by hand. The one exception: Django's own ``UserAdmin``
or ``GroupAdmin`` goes first, before the final base, where their forms and pages
(password change, permission picker) are needed. Scope comes from ``apps.access``
(presentation asking access who sees what); what the apps above add (history compare
and revert, list actions) comes through ``apps.core.admin_extensions``.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from guardian.admin import GuardedModelAdmin, ReinforcedGuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.decorators import action

from apps.access.admin_mixins import ScopedAdminMixin
from apps.access.services import refusal_record
from apps.core import history_changes
from apps.core.admin_actions import ActionFormsMixin
from apps.core.admin_actions import ReasonForm as ReasonForm  # re-exported: actions ask it
from apps.core.admin_actions import reason_widget as reason_widget  # re-exported: forms ask it
from apps.core.admin_extensions import ContributionsMixin
from apps.core.admin_lookups import OfferedLookupsMixin
from apps.core.history import mark_change
from apps.core.registry import fields_hidden_everywhere
from apps.core.texts import text_shown
from apps.core.types import AdminMixinBase, ModelT, signed_in
from apps.core.validators import validate_no_surrogates

if TYPE_CHECKING:  # core never imports org at runtime
    from apps.org.models import Employee

# guardian declares change_form_template a plain str where django-stubs has a ClassVar:
# the classes that combine the two carry a targeted ignore for that one clash.


class ProtectedFieldsMixin(AdminMixinBase[ModelT]):
    """Remove fields the user may not see from forms and history.

    The protected fields are the model's, as registered (``apps.core.registry``); which
    of them the user may see nowhere is access's answer, so the rule never lives here.
    Lists (columns, filters, search, ordering and lookups in the address) are
    ``admin_lookups.OfferedLookupsMixin``'s.
    """

    def get_protected_fields(self, request: HttpRequest) -> set[str]:
        return set(fields_hidden_everywhere(user=request.user, model=self.model))

    def _strip(self, request: HttpRequest, names: Sequence[Any]) -> list[Any]:
        hidden = self.get_protected_fields(request)
        kept = []
        for name in names:
            bare = name.lstrip("-") if isinstance(name, str) else name
            if isinstance(bare, tuple | list):
                bare = bare[0]
            if bare not in hidden:
                kept.append(name)
        return kept

    def get_fieldsets(self, request: HttpRequest, obj: ModelT | None = None) -> list:
        hidden = self.get_protected_fields(request)
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [f for f in options.get("fields", ()) if f not in hidden]
            if fields:
                fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    def get_fields(self, request: HttpRequest, obj: ModelT | None = None) -> list[Any]:
        return self._strip(request, super().get_fields(request, obj))

    def get_history_list_display(self, request: HttpRequest) -> Sequence[str]:
        return self._strip(request, super().get_history_list_display(request))

    def set_history_delta_changes(
        self,
        request: HttpRequest,
        historical_records: Sequence[Any],
        foreign_keys_are_objs: bool = True,
    ) -> None:
        """simple-history's delta loop, protected fields left out, values as people read them.

        simple-history names a field by its attribute and an empty foreign key as "Deleted
        <model> (pk=None)"; here each change is written by ``apps.core.history_changes``
        ("—" for nothing), and the related rows of the whole page are read at once.
        """
        hidden = list(self.get_protected_fields(request))
        previous = None
        deltas: list[tuple[Any, list[tuple[str, Any, Any]]]] = []
        for current in historical_records:
            # Reasons are stored untranslated; show them in the reader's language.
            current.history_change_reason = text_shown(current.history_change_reason)
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=hidden, foreign_keys_are_objs=False
                )
                deltas.append((previous, [(c.field, c.old, c.new) for c in delta.changes]))
            previous = current
        wanted: dict[type[Model], set[Any]] = {}
        for _record, changes in deltas:
            for model, ids in history_changes.wanted_labels(self.model, changes).items():
                wanted.setdefault(model, set()).update(ids)
        labels = history_changes.labels_for(wanted)
        for record, changes in deltas:
            record.history_delta_changes = history_changes.changes_text(self.model, changes, labels)


def _is_version_id(raw: str) -> bool:
    """A history row's id: a positive 64-bit integer (19 digits at most)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 19 and 0 < int(raw) < 2**63


def _refuse_nul(text: str) -> None:
    if "\x00" in text:
        raise BadRequest(_("The address contains a character that is not allowed."))


class NotFoundMixin(OfferedLookupsMixin[ModelT]):
    """A malformed or unknown object id in any admin URL is a 404, never a 500 or a redirect.

    A NUL character anywhere in a list's query string (filters, search, ordering) or in a
    search term (the autocomplete's too) is a 400: PostgreSQL refuses NUL in text, which
    would otherwise surface as a 500. A list takes only the lookups its filters offer
    (``OfferedLookupsMixin``): any other is a 400 as well.
    """

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        self.refuse_hostile_query(request)
        self.refuse_malformed_selection(request)
        return super().changelist_view(request, extra_context)

    def refuse_malformed_selection(self, request: HttpRequest) -> None:
        """A 404 for a selected row that cannot be a key of this model (text for a number,
        NUL, out of the column's range): Django would hand it to the database, a 500."""
        pk = self.model._meta.pk
        assert pk is not None
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                pk.clean(value, None)
            except ValidationError as exc:
                raise Http404(_("No such record.")) from exc

    def refuse_hostile_query(self, request: HttpRequest) -> None:
        """A 400 for a NUL character anywhere in the query string (a list's, a page's)."""
        for key, values in request.GET.lists():
            for value in values:
                _refuse_nul(key + value)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        _refuse_nul(search_term)
        return super().get_search_results(request, queryset, search_term)

    def _require_valid_pk(self, object_id: str) -> None:
        try:
            self.model._meta.pk.to_python(unquote(str(object_id)))
        except ValidationError as exc:
            raise Http404(_("No such record.")) from exc

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        raise Http404(_("No such record."))

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        self._require_valid_pk(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        self._require_valid_pk(object_id)
        # A version id is a positive 64-bit integer; "password" is a relative link followed
        # from the history page, and simple-history would raise on it.
        if not _is_version_id(version_id):
            raise Http404(_("No such version of this record."))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def obj_perms_manage_view(self, request: HttpRequest, object_pk: str) -> HttpResponse:
        self._require_valid_pk(object_pk)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(
        self, request: HttpRequest, object_pk: str, user_id: str
    ) -> HttpResponse:
        self._require_valid_pk(object_pk)
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(
        self, request: HttpRequest, object_pk: str, group_id: str
    ) -> HttpResponse:
        self._require_valid_pk(object_pk)
        return super().obj_perms_manage_group_view(request, object_pk, group_id)


class ReadOnlyAdminMixin(AdminMixinBase[ModelT]):
    """A list people read but never edit here: its rows are written by services."""

    def has_add_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, minus the crash when re-rendering a malformed id."""

    def optgroups(self, name: str, value: Sequence[str], attr: dict | None = None) -> list:
        target = self.field.remote_field.model._meta.pk
        valid = []
        for item in value:
            try:
                target.to_python(item)
            except ValidationError:
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


CHANGE_REASON_MAX = 500


def reason_field() -> forms.CharField:
    """The optional "why" of an edit in a change form; it goes into the history row."""
    return forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=CHANGE_REASON_MAX,
        widget=reason_widget(rows=2),
        help_text=_("Optional; shown in the history and the audit trail."),
        validators=[validate_no_surrogates],
    )


class BaseAdmin(  # type: ignore[misc]  # guardian vs django-stubs, above
    NotFoundMixin[ModelT],
    ActionFormsMixin[ModelT],
    ProtectedFieldsMixin[ModelT],
    SimpleHistoryAdmin,
    ReinforcedGuardedModelAdminMixin,
    GuardedModelAdmin,
    ModelAdmin,
):
    """unfold + history + object permissions; big tables skip the second COUNT(*).

    A part of ``DomainAdmin``, which adds scope and the contributions: subclass that.

    Guardian's reinforced mixin: the object-permissions screens need guardian's own
    permissions (Administrator), not merely the right to change the object, or anyone
    who may edit an employee could grant themselves that employee's salary.
    """

    show_full_result_count = False
    list_per_page = 50
    warn_unsaved_form = True
    compressed_fields = True

    # --- "Reason for this change": kept in history for every edit made here -------

    def _asks_reason(self, request: HttpRequest, obj: ModelT | None) -> bool:
        """Edits of a model with history ask why, unless the model records its own reason."""
        names = {f.name for f in self.model._meta.get_fields()}
        return (
            obj is not None
            and hasattr(self.model, "history")
            and "reason" not in names
            and self.has_change_permission(request, obj)
        )

    def get_form(
        self, request: HttpRequest, obj: ModelT | None = None, change: bool = False, **kwargs: Any
    ) -> "type[ModelForm[Any]]":
        if self._asks_reason(request, obj) and "form" not in kwargs:
            kwargs["form"] = type(
                self.form.__name__, (self.form,), {"change_reason": reason_field()}
            )
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: ModelT | None = None) -> list:
        fieldsets = list(super().get_fieldsets(request, obj))
        if self._asks_reason(request, obj):
            fieldsets.append((_("Reason for this change"), {"fields": ["change_reason"]}))
        return fieldsets

    def change_reason(self, form: forms.Form) -> str:
        """The form's "reason for this change" ("" when it asks none), for the service.

        Passed explicitly: ``save_model`` overrides hand it to their service as
        ``reason=``, and the default ``save_model`` marks the instance with it.
        """
        return (form.cleaned_data.get("change_reason") or "").strip()

    def save_model(self, request: HttpRequest, obj: ModelT, form: Any, change: bool) -> None:
        mark_change(obj, actor=signed_in(request), reason=self.change_reason(form))
        super().save_model(request, obj, form, change)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # A version page is for reading. simple-history saves a POST to it even with
        # revert disabled (the setting only hides the button): a second change form that
        # bypasses the change view's checks, and a 500 when the service refuses.
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        """Turn a rule a service enforces at save time into a message, never a 500.

        Forms check the same rule functions first; this is the net for races.
        The admin's own atomic block has rolled everything back by now, so a scope
        refusal is logged here, where its row stays.
        """
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            refusal_record(error=exc, where=request.path)
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# --- The final bases: every app's admin subclasses exactly one of these ---------------


class DomainAdmin(ContributionsMixin[ModelT], ScopedAdminMixin[ModelT], BaseAdmin[ModelT]):  # type: ignore[misc]  # guardian vs django-stubs, above
    """A domain model's screens: scoped, with history (compare, revert), reasons, guardian.

    The order is the one the pieces need: the contributions (history pages, list
    actions) first, so their URLs precede simple-history's; scope next, so every read
    below it sees the scoped queryset; then ``BaseAdmin``'s unfold + simple-history +
    guardian stack, unfold's ModelAdmin last.
    """


class ReadOnlyDomainAdmin(ReadOnlyAdminMixin[ModelT], DomainAdmin[ModelT]):  # type: ignore[misc]  # guardian vs django-stubs, above
    """A scoped domain list with history whose rows are written by services elsewhere."""


class SoftDeleteDomainAdmin(DomainAdmin[ModelT]):
    """Nothing is hard-deleted: delete becomes deactivate/restore with a confirmation page.

    Subclasses implement ``deactivate_object`` and ``restore_object`` by calling the
    app's service, which applies the rule and raises ValidationError to refuse.
    """

    actions: Sequence[str] = ("deactivate_selected", "restore_selected")

    def has_delete_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False

    def deactivate_object(self, obj: ModelT, actor: "Employee") -> ModelT:
        raise NotImplementedError

    def restore_object(self, obj: ModelT, actor: "Employee") -> ModelT:
        raise NotImplementedError

    @action(description=_("Deactivate selected"), permissions=["change"])
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        opts = self.model._meta
        return self.confirmed_action(
            request,
            queryset,
            action_name="deactivate_selected",
            service=self.deactivate_object,
            title=_("Deactivate %(name)s") % {"name": opts.verbose_name_plural},
            question=_("Deactivate these %(name)s? They stay in the records and can be restored.")
            % {"name": opts.verbose_name_plural},
            done=lambda n: (
                ngettext("Deactivated %(count)d record.", "Deactivated %(count)d records.", n)
                % {"count": n}
            ),
        )

    @action(description=_("Restore selected"), permissions=["change"])
    def restore_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        opts = self.model._meta
        return self.confirmed_action(
            request,
            queryset,
            action_name="restore_selected",
            service=self.restore_object,
            title=_("Restore %(name)s") % {"name": opts.verbose_name_plural},
            question=_("Restore these %(name)s to active?") % {"name": opts.verbose_name_plural},
            done=lambda n: (
                ngettext("Restored %(count)d record.", "Restored %(count)d records.", n)
                % {"count": n}
            ),
        )


class ReadOnlyLogAdmin(  # type: ignore[misc]  # guardian vs django-stubs, above
    NotFoundMixin[ModelT], ReadOnlyAdminMixin[ModelT], ActionFormsMixin[ModelT], ModelAdmin
):
    """A read-only list (an append-only log, or rows defined in code): no add, change, delete.

    Its actions (unlock, end a session) ask first, through ``ActionFormsMixin``, and
    call a service that writes a new row. Big tables skip the second COUNT(*).
    """

    show_full_result_count = False


def adopt_saved(obj: Model, saved: Model) -> None:
    """Make the admin's unsaved form instance the row a service just created.

    The admin keeps using its own ``obj`` after ``save_model`` (log entry,
    redirect, related saves), so it must carry the created row's state.
    """
    obj.__dict__.update(saved.__dict__)
