"""The policy registry: one registration per model and per sidebar entry, documented defaults."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.test import RequestFactory

from apps.access.models import PermissionLog, RoleAssignment
from apps.audit.models import AuditEntry
from apps.core.admin_site import navigation
from apps.core.registry import (
    AlreadyRegistered,
    ModelPolicy,
    ProtectedField,
    Registry,
    SidebarEntry,
    active_under,
    fields_answer_register,
    fields_hidden_everywhere,
    is_scoped,
    model_register,
    policies,
    policy_for,
    sidebar_entries,
    sidebar_entry_register,
    sidebar_section_register,
)
from apps.org.models import Department, Employee, Transfer

SALARY = ProtectedField("salary", "org.view_salary", "org.change_salary")


def test_a_registered_policy_is_what_lookups_return():
    registry = Registry()
    policy = model_register(
        Employee,
        scope_paths=("department",),
        protected=(SALARY,),
        move_field="department",
        revert_fields=("position",),
        extra_perms=("org.manage_account",),
        registry=registry,
    )
    assert policy_for(Employee, registry=registry) is policy
    assert policies(registry=registry) == [policy]
    assert policy.protected_names == {"salary"}
    assert policy.protected_field("salary") == SALARY
    assert policy.protected_field("position") is None
    assert policy.field_perms == ("org.view_salary", "org.change_salary")
    assert is_scoped(Employee, registry=registry)


def test_registering_a_model_twice_is_refused_and_keeps_the_first():
    registry = Registry()
    first = model_register(Department, scope_paths=("",), registry=registry)
    with pytest.raises(AlreadyRegistered):
        model_register(Department, scope_paths=("parent",), registry=registry)
    assert policy_for(Department, registry=registry) is first


@pytest.mark.parametrize(
    "policy",
    [
        {"protected": (ProtectedField("wage", "org.view_salary"),)},
        {"move_field": "team"},
        {"revert_fields": ("position", "nickname")},
        {"scope_paths": ("office__department",)},
    ],
)
def test_a_policy_naming_a_field_the_model_lacks_is_refused(policy):
    registry = Registry()
    with pytest.raises(FieldDoesNotExist):
        model_register(Employee, registry=registry, **policy)
    assert policies(registry=registry) == []


def test_an_unregistered_model_reads_as_an_empty_policy():
    policy = policy_for(Group, registry=Registry())
    assert policy == ModelPolicy(model=Group)
    assert policy.scope_paths == ()
    assert policy.protected_names == frozenset()
    assert policy.move_field is None
    assert policy.revert_fields == ()
    assert policy.field_perms == ()
    assert not is_scoped(Group, registry=Registry())


def test_each_app_registers_its_own_models():
    assert policy_for(Department).scope_paths == ("",)
    assert policy_for(Employee).scope_paths == ("department",)
    assert policy_for(Employee).protected == (SALARY,)
    assert policy_for(Transfer).scope_paths == ("from_department", "to_department")
    assert policy_for(RoleAssignment).scope_paths == ("user__department",)
    assert policy_for(AuditEntry).scope_paths == ("department", "department_other")
    assert policy_for(Department).move_field == "parent"
    assert "salary" in policy_for(Employee).revert_fields
    assert "password" not in policy_for(Employee).revert_fields
    assert not is_scoped(PermissionLog)


def test_a_policy_is_frozen():
    with pytest.raises(AttributeError):
        policy_for(Employee).move_field = "position"


def test_sidebar_sections_and_entries_come_in_their_order():
    registry = Registry()
    sidebar_section_register("late", title="Late", order=20, registry=registry)
    sidebar_section_register(
        "early",
        title="Early",
        order=10,
        entries=(SidebarEntry("B", "b", "admin:b", order=2), SidebarEntry("A", "a", "admin:a")),
        registry=registry,
    )
    sidebar_entry_register(
        section="late", entry=SidebarEntry("C", "c", "admin:c"), registry=registry
    )
    sidebar_section_register("empty", title="Empty", order=0, registry=registry)
    listed = [
        (s.key, [e.title for e in entries]) for s, entries in sidebar_entries(registry=registry)
    ]
    assert listed == [("early", ["A", "B"]), ("late", ["C"])]


def test_a_sidebar_section_or_entry_registered_twice_is_refused():
    registry = Registry()
    sidebar_section_register("org", title="Org", order=0, registry=registry)
    with pytest.raises(AlreadyRegistered):
        sidebar_section_register("org", title="Again", order=1, registry=registry)
    sidebar_entry_register(
        section="org", entry=SidebarEntry("A", "a", "admin:a"), registry=registry
    )
    with pytest.raises(AlreadyRegistered):
        sidebar_entry_register(
            section="org", entry=SidebarEntry("A again", "a", "admin:a"), registry=registry
        )


def test_protected_fields_are_hidden_until_access_answers():
    registry = Registry()
    model_register(Employee, protected=(SALARY,), registry=registry)
    assert fields_hidden_everywhere(user=None, model=Employee, registry=registry) == {"salary"}
    fields_answer_register(lambda *, user, model: frozenset(), registry=registry)
    assert fields_hidden_everywhere(user=None, model=Employee, registry=registry) == frozenset()
    with pytest.raises(AlreadyRegistered):
        fields_answer_register(lambda *, user, model: frozenset(), registry=registry)


@pytest.mark.django_db
def test_the_sidebar_is_built_from_the_registered_entries(make_user):
    request = RequestFactory().get("/admin/org/department/chart/")
    request.user = make_user("hr")
    sections = navigation(request)
    assert [str(s["title"]) for s in sections] == [
        "Overview",
        "Organisation",
        "Access",
        "Audit",
    ]  # HR may open nothing under Security or Operations: no heading over nothing
    organisation = {str(item["title"]): item for item in sections[1]["items"]}
    assert list(organisation) == [
        "Departments",
        "Department tree",
        "Employees",
        "Transfers",
        "Announcements",
    ]
    # The chart lives under the department URLs: the department entry stays dark there.
    assert organisation["Departments"]["active"](request) is False
    # Everyone's pages: no permission asked.
    overview = sections[0]["items"]
    assert [str(i["title"]) for i in overview] == [
        "Home",
        "My profile",
        "People directory",
        "Org chart",
        "Notifications",
        "Jobs",
    ]


@pytest.mark.django_db
def test_entries_and_sections_a_person_may_not_open_are_left_out(make_user):
    request = RequestFactory().get("/admin/")
    request.user = make_user("staff")
    sections = {str(s["title"]): s for s in navigation(request)}
    items = {str(i["title"]) for s in sections.values() for i in s["items"]}
    assert "Employees" not in items
    assert "Tasks" not in items
    # No heading over nothing: staff may open nothing under Operations.
    assert "Operations" not in sections
    assert all(section["items"] for section in sections.values())
    request.user = make_user("admin", username="root")
    operations = {str(s["title"]): s for s in navigation(request)}["Operations"]
    assert [str(i["title"]) for i in operations["items"]] == ["Tasks"]


def test_active_under_lights_up_below_the_link_but_not_below_the_exceptions():
    active = active_under(
        "admin:access_roleassignment_changelist",
        except_under=("admin:access_roleassignment_explain",),
    )
    factory = RequestFactory()
    assert active(factory.get("/admin/access/roleassignment/1/change/"))
    assert not active(factory.get("/admin/access/roleassignment/explain/"))
    assert not active(factory.get("/admin/org/employee/"))
