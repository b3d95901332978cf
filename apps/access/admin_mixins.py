"""Scope on every admin surface: lists, object URLs, autocomplete, foreign-key choices."""

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

from apps.access import scope, services
from apps.core.registry import is_scoped
from apps.core.types import AdminMixinBase, ModelT, signed_in


class ScopedAdminMixin(AdminMixinBase[ModelT]):
    """Limit a model admin to what the user may see; the rule lives in ``apps.access.scope``.

    - the changelist, search, counts, actions, autocomplete (this admin as the target)
      and object URLs see ``restrict(user, view, queryset)``; an object outside is a 404,
      and the attempt is written to the permission log (rate-limited). A POST to the
      change or delete view runs in Django's atomic block, which the 404 rolls back:
      there the attempt is kept on the request and written once the block has ended;
    - an object inside view scope but outside change scope opens read-only;
    - foreign keys to scoped models offer only the targets inside the change scope, and
      the value the object already has (keeping it is not a change);
    - per-object grants (guardian's screen) go to people other than oneself, never to
      roles: roles are given through assignments, which have their own rules and log.
    """

    def _perm(self, action: str, model: type[Model] | None = None) -> str:
        opts = (model or self.model)._meta
        return f"{opts.app_label}.{action}_{opts.model_name}"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return scope.restrict(request.user, self._perm("view"), queryset)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None and from_field is None:
            try:
                pk = self.model._meta.pk.to_python(unquote(object_id))
            except ValidationError:
                return None
            outside = self.model._default_manager.filter(pk=pk).first()
            if outside is not None:
                _refusal_note(request, self._perm("view"), outside)
        return obj

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        return _logging_refusals_after(
            request, super().changeform_view, request, object_id, form_url, extra_context
        )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        return _logging_refusals_after(
            request, super().delete_view, request, object_id, extra_context
        )

    def _require_in_scope(self, request: HttpRequest, object_id: str) -> None:
        """As the change view answers: 403 without the permission anywhere, 404 outside."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404(gettext("No such record."))

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        # simple-history falls back to the history rows of an object the queryset does
        # not hold (meant for deleted ones): that would show an out-of-scope record.
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # simple-history reads a version from the history table, not through the queryset.
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return scope.allows(request.user, self._perm("change"), obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        target = db_field.remote_field.model
        if is_scoped(target) and "queryset" not in kwargs:
            kwargs["queryset"] = scope.restrict(
                request.user, self._perm("change"), target._default_manager.all()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: ModelT | None = None, change: bool = False, **kwargs: Any
    ) -> "type[ModelForm[Any]]":
        form = super().get_form(request, obj, change, **kwargs)
        kept = _scoped_targets(obj) if obj is not None else {}
        if not kept:
            return form

        # A subclass of the form class Django built for this admin: a value, not a static type.
        class KeepCurrentTargets(form):  # type: ignore[valid-type, misc]
            """The change-scope choices, plus the value the object already has.

            Keeping a value is not a change: a manager must be able to save their own
            top department, whose parent lies above their scope, without moving it.
            """

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                for name, pk in kept.items():
                    field = self.fields.get(name)
                    if field is not None and hasattr(field, "queryset"):
                        model = field.queryset.model
                        field.queryset = field.queryset | model._default_manager.filter(pk=pk)

        KeepCurrentTargets.__name__ = form.__name__
        return KeepCurrentTargets

    def _obj_perms_url(self, object_pk: str) -> str:
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_permissions",
            args=[object_pk],
        )

    def obj_perms_manage_user_view(
        self, request: HttpRequest, object_pk: str, user_id: str
    ) -> HttpResponse:
        try:
            uuid.UUID(str(user_id))
        except ValueError as exc:
            raise Http404(gettext("No such record.")) from exc
        try:
            services.object_grant_check(actor=signed_in(request), user_id=user_id)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(self._obj_perms_url(object_pk))
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(
        self, request: HttpRequest, object_pk: str, group_id: str
    ) -> HttpResponse:
        messages.error(
            request,
            gettext("Object permissions go to people; roles are given through role assignments."),
        )
        return HttpResponseRedirect(self._obj_perms_url(object_pk))


_PENDING_REFUSALS = "_access_pending_refusals"


def _refusal_note(request: HttpRequest, perm: str, obj: Model) -> None:
    """Log a refused object URL now, or after the atomic view it happens in."""
    pending = getattr(request, _PENDING_REFUSALS, None)
    if pending is None:
        services.denial_record(user=request.user, perm=perm, obj=obj, where=request.path)
    else:
        pending.append((perm, obj))


def _logging_refusals_after(
    request: HttpRequest, view: Callable[..., HttpResponse], *args: Any
) -> HttpResponse:
    """Run an admin view Django wraps in ``transaction.atomic``; log its refusals after.

    The refusals are written whether the view returns or raises (a 404 is raised inside
    the block and would roll back a row written there).
    """
    if hasattr(request, _PENDING_REFUSALS):  # nested: the outer call writes them
        return view(*args)
    setattr(request, _PENDING_REFUSALS, [])
    try:
        return view(*args)
    finally:
        for perm, obj in request.__dict__.pop(_PENDING_REFUSALS):
            services.denial_record(user=request.user, perm=perm, obj=obj, where=request.path)


def _scoped_targets(obj: Model) -> dict[str, Any]:
    """The foreign keys of ``obj`` to scoped models that are set: field name to target pk."""
    return {
        f.name: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.many_to_one
        and f.remote_field is not None
        and is_scoped(f.remote_field.model)
        and getattr(obj, f.attname) is not None
    }
