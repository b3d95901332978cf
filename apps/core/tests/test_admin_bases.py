"""Every admin subclasses one final base; the read-only ones refuse writes; contributions."""

import pytest
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.test import RequestFactory
from django.urls import reverse
from django_celery_beat import admin as beat_admin

from apps.core.admin import (
    DomainAdmin,
    ReadOnlyDomainAdmin,
    ReadOnlyLogAdmin,
    SoftDeleteDomainAdmin,
)
from apps.core.admin_extensions import admin_actions_for, history_extensions

FINAL_BASES = (DomainAdmin, SoftDeleteDomainAdmin, ReadOnlyDomainAdmin, ReadOnlyLogAdmin)
# django-celery-beat's admins (their forms, in unfold's look: apps/jobs/beat_admin.py); its
# models keep no simple-history, so no version pages.
BEAT_ADMINS = (
    beat_admin.PeriodicTaskAdmin,
    beat_admin.IntervalScheduleAdmin,
    beat_admin.CrontabScheduleAdmin,
    beat_admin.SolarScheduleAdmin,
    beat_admin.ClockedScheduleAdmin,
)
# Django's own admins, kept for their forms and pages (password change, permission picker),
# and beat's; each goes first, before the final base.
DJANGO_ADMINS = (UserAdmin, GroupAdmin, *BEAT_ADMINS)

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
READ_ONLY = [(m, a) for m, a in REGISTERED if isinstance(a, ReadOnlyLogAdmin | ReadOnlyDomainAdmin)]


def _label(item):
    return item[0]._meta.label


def _composition_faults(admin_class):
    """What is wrong with an admin class's bases: empty when it subclasses one final base."""
    bases = admin_class.__bases__
    finals = [base for base in bases if base in FINAL_BASES]
    others = [base for base in bases if base not in FINAL_BASES]
    faults = [] if len(finals) == 1 else [f"{len(finals)} final bases"]
    faults += [f"stacks {b.__name__}" for b in others if b not in DJANGO_ADMINS]
    # Django's own admin goes first, before the final base, never after it.
    if len(finals) == 1 and bases[-1] is not finals[0]:
        faults.append("the final base is not last")
    return faults


@pytest.mark.parametrize(
    "model_admin", [a for _, a in REGISTERED], ids=[_label(i) for i in REGISTERED]
)
def test_every_admin_subclasses_exactly_one_final_base(model_admin):
    assert _composition_faults(type(model_admin)) == []


def test_an_admin_that_stacks_mixins_by_hand_is_caught():
    from apps.access.admin_mixins import ScopedAdminMixin

    class HandStacked(ScopedAdminMixin, ReadOnlyLogAdmin):
        pass

    class TwoBases(SoftDeleteDomainAdmin, ReadOnlyDomainAdmin):
        pass

    class UserAdminLast(SoftDeleteDomainAdmin, UserAdmin):
        pass

    assert _composition_faults(HandStacked) == ["stacks ScopedAdminMixin"]
    assert _composition_faults(TwoBases) == ["2 final bases"]
    assert _composition_faults(UserAdminLast) == ["the final base is not last"]


def test_the_logs_roles_and_transfers_are_read_only_lists():
    assert {m._meta.label for m, _ in READ_ONLY} >= {
        "access.PermissionLog",
        "audit.AuditEntry",
        "audit.ChainArchive",
        "audit.TrailExport",
        "audit.VerificationRun",
        "auth.Group",
        "org.Transfer",
        "security.Lockout",
        "security.LoginEvent",
        "security.SecurityAction",
        "security.UserSession",
    }


@pytest.fixture
def admin_user(make_user):
    return make_user("admin")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model_admin", [a for _, a in READ_ONLY], ids=[_label(i) for i in READ_ONLY]
)
def test_a_read_only_admin_refuses_add_change_and_delete_even_to_a_superuser(
    model_admin, admin_user
):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert admin_user.is_superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model_admin", [a for _, a in READ_ONLY], ids=[_label(i) for i in READ_ONLY]
)
def test_a_read_only_admin_add_page_is_refused(model_admin, admin_user, client):
    opts = model_admin.model._meta
    client.force_login(admin_user)
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_audit_contributes_the_version_pages_to_every_domain_admin():
    from apps.audit.admin_versions import VersionsExtension

    assert [type(e) for e in history_extensions()] == [VersionsExtension]
    domain = [
        a for _, a in REGISTERED if isinstance(a, DomainAdmin) and not isinstance(a, BEAT_ADMINS)
    ]
    assert {a.model._meta.label for a in domain} >= {
        "access.RoleAssignment",
        "org.Department",
        "org.Employee",
        "org.Transfer",
    }
    for model_admin in domain:
        opts = model_admin.model._meta
        assert model_admin.object_history_template == "admin/audit/object_history.html"
        assert reverse(
            f"admin:{opts.app_label}_{opts.model_name}_history_compare", args=["x"]
        ).endswith("/x/history/compare/")


def test_security_contributes_the_device_reset_to_the_employee_list_only():
    from apps.org.models import Department, Employee

    assert [f.__name__ for f in admin_actions_for(Employee)] == ["reset_devices_selected"]
    assert admin_actions_for(Department) == ()


@pytest.mark.django_db
def test_the_contributed_action_comes_after_the_list_own_for_those_allowed(make_user):
    from apps.org.models import Department, Employee

    request = RequestFactory().get("/admin/org/employee/")
    request.user = make_user("security")
    employees = admin.site._registry[Employee]
    assert list(employees.get_actions(request))[-1] == "reset_devices_selected"
    assert "reset_devices_selected" not in admin.site._registry[Department].get_actions(request)
    request.user = make_user("hr")
    assert "reset_devices_selected" not in employees.get_actions(request)


def test_without_a_history_extension_a_domain_admin_keeps_simple_history_pages(monkeypatch):
    from apps.core import admin_extensions
    from apps.org.models import Department

    monkeypatch.setattr(admin_extensions, "_HISTORY", [])
    departments = admin.site._registry[Department]
    assert departments.object_history_template == "simple_history/object_history.html"
    assert departments.object_history_form_template == "simple_history/object_history_form.html"
    assert not any((u.name or "").endswith("_history_compare") for u in departments.get_urls())
