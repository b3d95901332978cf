"""Types shared by the admin and the views.

``request.user`` is ``Employee | AnonymousUser`` to the type checker. Every admin page
and every login-required view runs behind login, so its request is an
``AuthedHttpRequest``: a view annotates it so; an admin hook (whose signature Django
fixes as ``HttpRequest``) asks ``signed_in(request)`` for the user.

Core sits below org, so ``Employee`` is imported for the type checker only (the
layers contract ignores type-checking imports: they never run).
"""

from typing import TYPE_CHECKING, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest

if TYPE_CHECKING:
    from apps.org.models import Employee


class AuthedHttpRequest(HttpRequest):
    """A request behind login: its user is an ``Employee``, never anonymous."""

    user: "Employee"


def signed_in(request: HttpRequest) -> "Employee":
    """The signed-in user of an admin page or login-required view.

    Anonymous never reaches those pages (the admin site and the decorators send it to
    the login page first); should one arrive, it is refused rather than served.
    """
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


# The model an admin (or an admin mixin) serves: ``SoftDeleteDomainAdmin[Employee]``.
ModelT = TypeVar("ModelT", bound=Model)

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin
    from django.contrib.admin.views.main import ChangeList
    from guardian.admin import GuardedModelAdminMixin
    from simple_history.admin import SimpleHistoryAdmin

    # Admin mixins are written against the classes they go in front of (their attributes
    # and hooks); the final bases in apps.core.admin put them before simple-history's,
    # guardian's and unfold's ModelAdmin.
    class AdminMixinBase(  # type: ignore[misc]  # guardian's change_form_template: a plain str
        SimpleHistoryAdmin,  # type: ignore[misc]  # simple-history ships no types: Any
        GuardedModelAdminMixin,
        ModelAdmin[ModelT],
    ):
        """Django's ModelAdmin for ``ModelT``, with simple-history's and guardian's pages."""

    ChangeListMixinBase = ChangeList

else:

    class AdminMixinBase(Generic[ModelT]):
        """At runtime only the generic parameter: the admin classes come after the mixins."""

    ChangeListMixinBase = object
