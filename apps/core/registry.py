"""The one list of models' policy and of sidebar entries; each app registers its own.

An app registers its models in its ``AppConfig.ready()``: how an object reaches its
department(s), which fields are protected and by which permissions, which field moves it
within the organisation, what a revert may put back, which extra permissions "Explain
access" covers, and how a field's value reads in history when not as its type does.
Access, audit and the admin read it; nobody else lists models. Core is the lowest layer,
so any app can register without importing the apps that read it.

A model nobody registered reads as ``ModelPolicy(model=model)``: no department (rights on
it are organisation-wide or per object), nothing protected, nothing moves it, no revert.

The admin's own layer (core) asks access about protected fields through
``fields_hidden_everywhere``, which access answers (``fields_answer_register`` in its
``ready()``), so core imports no app above it.

Sidebar entries are registered likewise, per section, and ``sidebar_entries()`` lists
them in order. Registering a model, a section or an entry twice is an error.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.org.models import Employee


class AlreadyRegistered(Exception):
    """A model, sidebar section or sidebar entry registered a second time."""


@dataclass(frozen=True)
class ProtectedField:
    """A field only some may see (``view_perm``) and change (``change_perm``, when any).

    Both permissions are scoped like any other: someone may see salaries in part of the
    organisation only.
    """

    name: str
    view_perm: str
    change_perm: str | None = None


@dataclass(frozen=True)
class ModelPolicy:
    """What access, audit and the admin need to know of one model."""

    model: type[Model]
    # How an object reaches "its" departments: paths of foreign keys ending at a
    # Department ("user__department"), "" for a department itself. Empty: all-or-nothing.
    scope_paths: tuple[str, ...] = ()
    protected: tuple[ProtectedField, ...] = ()
    # The field whose change moves the object within the organisation (the trail: "moved").
    move_field: str | None = None
    # What a revert to an earlier version may put back; empty: the model is not revertible.
    revert_fields: tuple[str, ...] = ()
    # Permissions beyond view/add/change/delete that "Explain access" covers.
    extra_perms: tuple[str, ...] = ()
    # How a field's value reads in history, the trail and exports, when not as its type
    # does (a salary reads as money): ``(field name, function of the stored value)``.
    displays: tuple[tuple[str, Callable[[Any], str]], ...] = ()

    def display_for(self, name: str) -> Callable[[Any], str] | None:
        return next((shown for field_name, shown in self.displays if field_name == name), None)

    @property
    def protected_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.protected)

    def protected_field(self, name: str) -> ProtectedField | None:
        return next((f for f in self.protected if f.name == name), None)

    @property
    def field_perms(self) -> tuple[str, ...]:
        """The permissions of the protected fields, view before change, each once."""
        perms = (p for f in self.protected for p in (f.view_perm, f.change_perm) if p)
        return tuple(dict.fromkeys(perms))


def _check_fields(policy: ModelPolicy) -> None:
    """Every field a policy names exists on its model (FieldDoesNotExist otherwise)."""
    opts = policy.model._meta
    names = [
        *(f.name for f in policy.protected),
        *(name for name, _shown in policy.displays),
        *policy.revert_fields,
        *([policy.move_field] if policy.move_field else []),
        *(path.split("__")[0] for path in policy.scope_paths if path),
    ]
    for name in names:
        opts.get_field(name)


@dataclass(frozen=True)
class SidebarSection:
    key: str
    title: Any  # a lazy translated string
    order: int
    separator: bool = True


@dataclass(frozen=True)
class SidebarEntry:
    """One link of the sidebar; shown to holders of ``permission`` (None: everyone)."""

    title: Any  # a lazy translated string
    icon: str
    url_name: str
    permission: str | None = None
    # When the entry lights up; None: unfold's own rule (the page is under the link).
    active: Callable[[HttpRequest], bool] | None = None
    # Within the section: lower first, then in registration order.
    order: int = 0


@dataclass
class Registry:
    """The registrations; the module-level functions use one shared instance."""

    models: dict[type[Model], ModelPolicy] = field(default_factory=dict)
    sections: dict[str, SidebarSection] = field(default_factory=dict)
    entries: dict[str, tuple[str, SidebarEntry]] = field(default_factory=dict)
    # Access's answer to "which protected fields of this model may the user see nowhere?"
    hidden_everywhere: Callable[..., frozenset[str]] | None = None

    def policy_add(self, policy: ModelPolicy) -> ModelPolicy:
        if policy.model in self.models:
            raise AlreadyRegistered(f"{policy.model._meta.label} is already registered")
        _check_fields(policy)
        self.models[policy.model] = policy
        return policy

    def policy_get(self, model: type[Model]) -> ModelPolicy:
        return self.models.get(model) or ModelPolicy(model=model)

    def section_add(self, section: SidebarSection) -> SidebarSection:
        if section.key in self.sections:
            raise AlreadyRegistered(f"sidebar section {section.key!r} is already registered")
        self.sections[section.key] = section
        return section

    def entry_add(self, section: str, entry: SidebarEntry) -> SidebarEntry:
        if entry.url_name in self.entries:
            raise AlreadyRegistered(f"sidebar entry {entry.url_name!r} is already registered")
        self.entries[entry.url_name] = (section, entry)
        return entry

    def sidebar(self) -> Iterator[tuple[SidebarSection, list[SidebarEntry]]]:
        """Sections in order, each with its entries in order; empty sections left out."""
        for section in sorted(self.sections.values(), key=lambda s: s.order):
            entries = [e for key, e in self.entries.values() if key == section.key]
            if entries:
                yield section, sorted(entries, key=lambda e: e.order)


REGISTRY = Registry()


def model_register(
    model: type[Model],
    *,
    scope_paths: tuple[str, ...] = (),
    protected: tuple[ProtectedField, ...] = (),
    move_field: str | None = None,
    revert_fields: tuple[str, ...] = (),
    extra_perms: tuple[str, ...] = (),
    displays: tuple[tuple[str, Callable[[Any], str]], ...] = (),
    registry: Registry = REGISTRY,
) -> ModelPolicy:
    """Register ``model``'s policy (once: a second registration raises AlreadyRegistered)."""
    return registry.policy_add(
        ModelPolicy(
            model=model,
            scope_paths=scope_paths,
            protected=protected,
            move_field=move_field,
            revert_fields=revert_fields,
            extra_perms=extra_perms,
            displays=displays,
        )
    )


def policy_for(model: type[Model], *, registry: Registry = REGISTRY) -> ModelPolicy:
    """The policy of ``model``; an empty one (see the module docstring) when unregistered."""
    return registry.policy_get(model)


def policies(*, registry: Registry = REGISTRY) -> list[ModelPolicy]:
    """Every registered policy, in registration order."""
    return list(registry.models.values())


def is_scoped(model: type[Model], *, registry: Registry = REGISTRY) -> bool:
    """Does ``model`` reach departments (so a department subtree scopes it)?"""
    return bool(registry.policy_get(model).scope_paths)


def sidebar_section_register(
    key: str,
    *,
    title: Any,
    order: int,
    separator: bool = True,
    entries: Iterable[SidebarEntry] = (),
    registry: Registry = REGISTRY,
) -> SidebarSection:
    """Add a sidebar section (sections show by ``order``) with its entries."""
    section = registry.section_add(SidebarSection(key, title, order, separator))
    for entry in entries:
        registry.entry_add(key, entry)
    return section


def sidebar_entry_register(
    *, section: str, entry: SidebarEntry, registry: Registry = REGISTRY
) -> SidebarEntry:
    """Add a link to another app's section (shown once the section is registered too)."""
    return registry.entry_add(section, entry)


def sidebar_entries(
    *, registry: Registry = REGISTRY
) -> Iterator[tuple[SidebarSection, list[SidebarEntry]]]:
    return registry.sidebar()


# Bounds the reversed sidebar links whatever the URL confs and prefixes are.
_URL_LIMIT = 1024
_urls: dict[tuple[Any, ...], str] = {}


def sidebar_url(url_name: str) -> str:
    """``reverse(url_name)``, remembered per URL conf, script prefix and language.

    The sidebar's links are the same on every request, and the admin's URL conf is long:
    each ``reverse`` cost about 0.1 ms, some 50 of them a page (the link, the active
    check, the template), so about 5 ms of every admin page (issue 13 §6).
    """
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language(), url_name)
    url = _urls.get(key)
    if url is None:
        url = reverse(url_name)
        if len(_urls) < _URL_LIMIT:
            _urls[key] = url
    return url


def active_under(
    url_name: str, *, except_under: tuple[str, ...] = ()
) -> Callable[[HttpRequest], bool]:
    """An ``active`` rule: the page is under ``url_name``'s address but none of the others.

    For pages mounted below a list (the department chart) that have their own entry.
    """

    def active(request: HttpRequest) -> bool:
        path = request.path
        others = tuple(sidebar_url(name) for name in except_under)
        return path.startswith(sidebar_url(url_name)) and not (others and path.startswith(others))

    return active


def fields_answer_register(
    answer: Callable[..., frozenset[str]], *, registry: Registry = REGISTRY
) -> None:
    """Let access answer ``fields_hidden_everywhere``: ``answer(user=, model=)`` (once)."""
    if registry.hidden_everywhere is not None:
        raise AlreadyRegistered("protected fields are already answered")
    registry.hidden_everywhere = answer


def fields_hidden_everywhere(
    *, user: "Employee | AnonymousUser", model: type[Model], registry: Registry = REGISTRY
) -> frozenset[str]:
    """Protected fields of ``model`` that ``user`` may see nowhere, as access answers.

    Before access has registered its answer: every protected field (hidden, not shown).
    """
    if registry.hidden_everywhere is None:
        return registry.policy_get(model).protected_names
    return registry.hidden_everywhere(user=user, model=model)
