"""The protected-field questions: hidden everywhere, hidden on this object, visible where."""

import pytest
from guardian.shortcuts import assign_perm

from apps.access.fields import (
    field_visible_everywhere,
    field_visible_q,
    fields_hidden,
    fields_hidden_as_of,
    fields_locked,
    fields_never_visible,
    rows_with_field_visible,
)
from apps.core.registry import fields_hidden_everywhere
from apps.org.models import Department, Employee


@pytest.fixture
def world(salary_partner):
    return salary_partner


@pytest.mark.parametrize(("persona", "hidden"), [("auditor", {"salary"}), ("hr", set())])
def test_salary_is_hidden_everywhere_without_its_view_permission(make_user, persona, hidden):
    user = make_user(persona)
    assert fields_never_visible(user=user, model=Employee) == hidden
    # The admin's layer asks the same question through the registry.
    assert fields_hidden_everywhere(user=user, model=Employee) == hidden


def test_a_superuser_and_models_without_protected_fields_hide_nothing(make_user):
    assert fields_never_visible(user=make_user("admin"), model=Employee) == frozenset()
    assert fields_never_visible(user=make_user("auditor"), model=Department) == frozenset()


def test_an_inactive_user_sees_no_salary(make_user):
    hr = make_user("hr")
    Employee.objects.filter(pk=hr.pk).update(is_active=False)
    assert fields_never_visible(user=Employee.objects.get(pk=hr.pk), model=Employee) == {"salary"}


def test_a_partial_salary_scope_shows_salaries_inside_it_only(world):
    viewer = world["viewer"]
    assert fields_never_visible(user=viewer, model=Employee) == frozenset()
    assert fields_hidden(user=viewer, obj=world["inside"]) == frozenset()
    assert fields_hidden(user=viewer, obj=world["outside"]) == {"salary"}
    assert fields_hidden(user=viewer, obj=world["eng"]) == frozenset()


def test_the_visibility_filter_keeps_the_rows_whose_salary_the_user_sees(world):
    viewer = world["viewer"]
    rows = rows_with_field_visible(user=viewer, queryset=Employee.objects.all(), field="salary")
    assert world["inside"] in rows
    assert world["outside"] not in rows
    assert not field_visible_everywhere(user=viewer, model=Employee, field="salary")


def test_the_visibility_filter_is_none_for_unprotected_fields_and_organisation_wide_rights(
    world, make_user
):
    hr = make_user("hr")
    assert field_visible_q(user=world["viewer"], model=Employee, field="position") is None
    assert field_visible_q(user=hr, model=Employee, field="salary") is None
    assert field_visible_everywhere(user=hr, model=Employee, field="salary")


def test_no_salary_right_means_an_empty_filter(make_user, world):
    rows = rows_with_field_visible(
        user=make_user("auditor"), queryset=Employee.objects.all(), field="salary"
    )
    assert not rows.exists()


def test_a_salary_one_may_see_but_not_change_is_locked(make_user, world):
    manager = make_user("manager", department=world["fin"])
    assign_perm("org.view_salary", manager, world["outside"])
    manager = Employee.objects.get(pk=manager.pk)
    assert fields_hidden(user=manager, obj=world["outside"]) == frozenset()
    assert fields_locked(user=manager, obj=world["outside"]) == {"salary"}
    assert fields_locked(user=world["viewer"], obj=world["inside"]) == frozenset()
    assert fields_locked(user=world["viewer"], obj=world["outside"]) == {"salary"}


def test_an_old_version_is_judged_by_its_departments_at_the_time(world):
    viewer, outside = world["viewer"], world["outside"]

    def hidden(*departments):
        return fields_hidden_as_of(
            user=viewer, model=Employee, object_id=str(outside.pk), departments=departments
        )

    # Otto was in Engineering then: that version's salary is the viewer's to see.
    assert hidden(world["eng"], None) == frozenset()
    assert hidden(world["fin"], None) == {"salary"}
    assert hidden(world["fin"], world["eng"]) == frozenset()
    assert (
        fields_hidden_as_of(
            user=viewer, model=Department, object_id=str(world["fin"].pk), departments=()
        )
        == frozenset()
    )


def test_a_grant_on_the_object_shows_its_old_versions_too(make_user, world):
    auditor = make_user("auditor")
    assign_perm("org.view_salary", auditor, world["outside"])
    auditor = Employee.objects.get(pk=auditor.pk)
    assert (
        fields_hidden_as_of(
            user=auditor,
            model=Employee,
            object_id=str(world["outside"].pk),
            departments=(world["fin"],),
        )
        == frozenset()
    )


def test_the_answers_need_no_query_once_the_rights_are_read(world, django_assert_num_queries):
    viewer, inside = world["viewer"], world["inside"]
    fields_hidden(user=viewer, obj=inside)  # reads the snapshot and the department
    with django_assert_num_queries(0):
        assert fields_hidden(user=viewer, obj=inside) == frozenset()
        assert fields_never_visible(user=viewer, model=Employee) == frozenset()
        assert (
            fields_hidden_as_of(
                user=viewer, model=Employee, object_id=str(inside.pk), departments=(world["eng"],)
            )
            == frozenset()
        )


def test_models_without_protected_fields_are_answered_without_reading_rights(
    make_user, world, django_assert_num_queries
):
    auditor = Employee.objects.get(pk=make_user("auditor").pk)  # no rights read yet
    with django_assert_num_queries(0):
        assert fields_never_visible(user=auditor, model=Department) == frozenset()
        assert fields_hidden(user=auditor, obj=world["eng"]) == frozenset()
        assert fields_locked(user=auditor, obj=world["eng"]) == frozenset()
