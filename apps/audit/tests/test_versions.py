"""Comparing two versions of one object: fields, labels, long text, protected fields."""

from decimal import Decimal

import pytest

from apps.audit import versions
from apps.org.models import Department, Employee
from apps.org.services import department_create, department_update, employee_create, employee_update


@pytest.fixture
def dept(root_department):
    return department_create(actor=None, name="Engineering", code="ENG", parent=root_department)


def _rows(obj):
    """The history rows of ``obj``, oldest first."""
    return list(type(obj).history.filter(id=obj.pk).order_by("history_date", "history_id"))


def test_line_diff_marks_removed_and_added_lines():
    old, new = versions.line_diff("one\ntwo\nthree", "one\n2\nthree\nfour")
    assert [(line.kind, line.text) for line in old] == [
        ("same", "one"),
        ("removed", "two"),
        ("same", "three"),
    ]
    assert [(line.kind, line.text) for line in new] == [
        ("same", "one"),
        ("added", "2"),
        ("same", "three"),
        ("added", "four"),
    ]


def test_line_diff_of_empty_old_text_adds_every_line():
    old, new = versions.line_diff("", "a\nb")
    assert old == ()
    assert [line.kind for line in new] == ["added", "added"]


def test_is_long_means_over_80_characters_or_several_lines():
    assert not versions.is_long("x" * 80)
    assert versions.is_long("x" * 81)
    assert versions.is_long("a\nb")


@pytest.mark.django_db
def test_compare_marks_changed_fields_and_keeps_unchanged_ones(dept):
    department_update(department=dept, actor=None, name="Engineering & Data")
    first, second = _rows(dept)
    comparison = versions.versions_compare(Department, first, second)
    changed = {f.name: f for f in comparison.changed}
    assert set(changed) == {"name"}
    assert changed["name"].old == "Engineering"
    assert changed["name"].new == "Engineering & Data"
    assert changed["name"].label == "Name"
    unchanged = {f.name for f in comparison.unchanged}
    assert {"code", "parent", "manager", "description", "is_active"} <= unchanged
    assert "id" not in unchanged


@pytest.mark.django_db
def test_compare_puts_the_older_version_first_whatever_the_order(dept):
    department_update(department=dept, actor=None, code="ENGD")
    first, second = _rows(dept)
    comparison = versions.versions_compare(Department, second, first)
    assert comparison.old.history_id == first.history_id
    assert comparison.new.history_id == second.history_id
    assert comparison.changed[0].old == "ENG"
    assert comparison.changed[0].new == "ENGD"


@pytest.mark.django_db
def test_headers_carry_actor_action_and_reason_from_the_audit_entry(dept, make_user):
    hr = make_user("hr")
    department_update(department=dept, actor=hr, reason="Renamed per memo", name="Eng")
    first, second = _rows(dept)
    comparison = versions.versions_compare(Department, first, second)
    assert comparison.new.actor == "hr"
    assert comparison.new.action == "changed"
    assert comparison.new.reason == "Renamed per memo"
    assert comparison.old.action == "created"


@pytest.mark.django_db
def test_foreign_keys_show_as_their_names(dept, root_department):
    other = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    boss = employee_create(actor=None, username="boss", first_name="Bo", last_name="Ss")
    department_update(department=dept, actor=None, manager=boss)
    department_update(department=dept, actor=None, parent=other)
    rows = _rows(dept)
    comparison = versions.versions_compare(Department, rows[0], rows[-1])
    changed = {f.name: f for f in comparison.changed}
    assert changed["manager"].old == versions.EMPTY
    assert changed["manager"].new == str(boss)
    assert changed["parent"].old == str(root_department)
    assert changed["parent"].new == str(other)


@pytest.mark.django_db
def test_foreign_key_labels_take_one_query_per_related_model(
    dept, root_department, django_assert_num_queries
):
    other = department_create(actor=None, name="Finance", code="FIN", parent=root_department)
    boss = employee_create(actor=None, username="boss")
    department_update(department=dept, actor=None, manager=boss)
    department_update(department=dept, actor=None, parent=other)
    rows = _rows(dept)
    fields = versions.compared_fields(Department)
    # parent (Department) and manager (Employee): two models, two queries.
    with django_assert_num_queries(2):
        labels = versions.foreign_labels(fields, [rows[0], rows[-1]])
    assert labels[(Department, other.pk)] == str(other)
    assert labels[(Employee, boss.pk)] == str(boss)


@pytest.mark.django_db
def test_long_text_is_diffed_by_line(dept):
    department_update(department=dept, actor=None, description="Builds things.\nRuns things.")
    department_update(department=dept, actor=None, description="Builds things.\nOwns things.")
    rows = _rows(dept)
    comparison = versions.versions_compare(Department, rows[-2], rows[-1])
    (description,) = comparison.changed
    assert description.is_long
    assert [(line.kind, line.text) for line in description.old_lines] == [
        ("same", "Builds things."),
        ("removed", "Runs things."),
    ]
    assert [(line.kind, line.text) for line in description.new_lines] == [
        ("same", "Builds things."),
        ("added", "Owns things."),
    ]


@pytest.mark.django_db
def test_short_text_is_compared_whole(dept):
    department_update(department=dept, actor=None, description="Short.")
    rows = _rows(dept)
    (description,) = versions.versions_compare(Department, rows[0], rows[1]).changed
    assert not description.is_long


@pytest.mark.django_db
def test_hidden_fields_are_left_out_entirely(root_department):
    person = employee_create(
        actor=None, username="pat", department=root_department, salary=Decimal("1000")
    )
    employee_update(employee=person, actor=None, salary=Decimal("2000"), position="Lead")
    first, second = _rows(person)
    comparison = versions.versions_compare(Employee, first, second, hidden={"salary"})
    names = {f.name for f in comparison.fields}
    assert "salary" not in names
    assert {f.name for f in comparison.changed} == {"position"}


@pytest.mark.django_db
def test_booleans_and_dates_read_as_people_read_them(root_department):
    person = employee_create(actor=None, username="pat", department=root_department)
    employee_update(employee=person, actor=None, hire_date="2024-03-01")
    first, second = _rows(person)
    fields = {f.name: f for f in versions.versions_compare(Employee, first, second).fields}
    assert fields["is_active"].old == "Yes"
    assert fields["hire_date"].old == versions.EMPTY
    assert "2024" in fields["hire_date"].new
