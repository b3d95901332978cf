"""The system account is known by its flag: nobody signs in as it, nobody becomes it by name."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from apps.audit.models import AuditEntry, with_actor_flag
from apps.core.history import SYSTEM_USERNAME, is_system_account, mark_change, system_actor
from apps.org.models import Employee
from apps.org.services import department_create, employee_create, employee_update

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("apps.org.migrations.0006_employee_is_system")


def test_the_system_account_is_flagged_inactive_and_has_no_usable_password():
    system = system_actor()
    assert system.is_system
    assert not system.is_active
    assert not system.has_usable_password()
    assert system_actor() == system
    assert Employee.objects.filter(is_system=True).count() == 1


def _sign_in(username, password):
    request = RequestFactory().post("/admin/login/")  # django-axes needs the request
    return authenticate(request, username=username, password=password)


def test_nobody_signs_in_as_the_system_account_even_with_a_password_set():
    system = system_actor()
    Employee.objects.filter(pk=system.pk).update(is_active=True, password=make_password("pw-1"))
    assert _sign_in(system.username, "pw-1") is None
    person = employee_create(actor=None, username="person", password="pw-1")
    assert _sign_in("person", "pw-1") == person


def test_a_person_named_system_is_not_the_system_account():
    person = employee_create(actor=None, username=SYSTEM_USERNAME, password="pw-1")
    system = system_actor()
    assert system.pk != person.pk
    assert system.username != SYSTEM_USERNAME
    assert not is_system_account(person)
    # The system passes every rule; the person named "system" holds no right.
    with pytest.raises(ValidationError):
        department_create(actor=person, name="Top", code="TOP")


def test_a_person_renaming_themselves_system_gains_nothing(root_department, make_user):
    hr = make_user("hr")
    system = system_actor()
    Employee.objects.filter(pk=system.pk).update(username="robot")
    person = employee_create(actor=hr, username="p", department=root_department)
    employee_update(employee=person, actor=hr, username=SYSTEM_USERNAME)
    renamed = Employee.objects.get(pk=person.pk)
    assert not is_system_account(renamed)
    assert system_actor().pk == system.pk
    with pytest.raises(ValidationError):
        department_create(actor=renamed, name="Top", code="TOP")


def test_the_migration_flags_the_existing_system_account_once():
    # A database from before the flag: the account named "system", unflagged.
    old = system_actor()
    Employee.objects.update(is_system=False)
    MIGRATION.mark_system_account(apps, None)
    MIGRATION.mark_system_account(apps, None)
    flagged = Employee.objects.get(is_system=True)
    assert flagged.pk == old.pk
    assert not flagged.is_active
    assert not flagged.has_usable_password()


def test_the_trail_shows_the_system_account_as_system_in_the_readers_language(root_department):
    entry = with_actor_flag(AuditEntry.objects.filter(object_id=str(root_department.pk))).get()
    assert entry.actor_id == system_actor().pk
    assert entry.actor_label == "system"
    with translation.override("zh-hans"):
        assert entry.actor_label == "系统"
        assert str(system_actor()) == "系统"


def test_a_person_named_system_shows_in_the_trail_by_their_name(root_department):
    system_actor()
    Employee.objects.filter(is_system=True).update(username="robot")
    person = employee_create(actor=None, username=SYSTEM_USERNAME)
    root_department.description = "Edited"
    mark_change(root_department, actor=person)
    root_department.save()
    entry = with_actor_flag(AuditEntry.objects.filter(actor=person)).get()
    with translation.override("zh-hans"):
        assert entry.actor_label == SYSTEM_USERNAME
