"""The department tree API (apps.org.tree), and the rule that only it names the tree columns."""

import re
from pathlib import Path

import pytest

from apps.org.models import Department, Employee
from apps.org.services import employee_create
from apps.org.tree import (
    DepartmentQuerySet,
    Subtree,
    SubtreeTally,
    department_contains,
    department_descendant_count,
    department_has_descendants,
    node_fields,
    subtree_contains,
    subtree_graft_positions,
    subtree_of,
    subtree_q,
    subtree_tops_q,
    subtrees_topmost,
)

APPS = Path(__file__).resolve().parents[2]
TREE_MODULE = APPS / "org" / "tree.py"
TREE_COLUMN = re.compile(r"tree_id|lft|rght")

# Lines outside the tree module that must name the columns, each with its reason.
ALLOWED = {
    ("org/models.py", "lft = models.PositiveIntegerField(editable=False)"): (
        "declared on the model: simple-history builds its model before mptt adds them"
    ),
    ("org/models.py", "rght = models.PositiveIntegerField(editable=False)"): "as lft",
    ("org/models.py", "tree_id = models.PositiveIntegerField(editable=False)"): "as lft",
    (
        "org/models.py",
        'indexes = [models.Index(fields=["tree_id", "lft"], name="org_dept_tree_lft_idx")]',
    ): "mptt adds this index at run time without a migration: it must be declared",
}


def _code_files() -> list[Path]:
    return [
        path
        for path in sorted(APPS.rglob("*.py"))
        if path != TREE_MODULE and not {"migrations", "tests"} & set(path.parts)
    ]


def test_only_the_tree_module_names_the_tree_columns():
    found = [
        f"{path.relative_to(APPS)}:{number}: {line.strip()}"
        for path in _code_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if TREE_COLUMN.search(line)
        and (path.relative_to(APPS).as_posix(), line.strip()) not in ALLOWED
    ]
    assert found == [], "use apps.org.tree instead of the tree columns:\n" + "\n".join(found)


def test_every_allowed_line_is_still_there():
    present = {
        (path.relative_to(APPS).as_posix(), line.strip())
        for path in _code_files()
        for line in path.read_text().splitlines()
    }
    assert set(ALLOWED) <= present


def test_the_guard_sees_the_code_it_guards():
    names = {path.relative_to(APPS).as_posix() for path in _code_files()}
    assert {"access/scope.py", "access/selectors.py", "org/chart.py", "org/demo.py"} <= names
    assert "org/tree.py" not in names


# --- Values, no database -------------------------------------------------------------


def test_a_subtree_contains_its_top_and_its_range_only():
    top = Subtree(1, 10, 20)
    inside = Department(tree_id=1, lft=11, rght=12)
    assert top.contains(Department(tree_id=1, lft=10, rght=20))
    assert top.contains(inside)
    assert not top.contains(Department(tree_id=1, lft=10, rght=20), include_self=False)
    assert not top.contains(Department(tree_id=1, lft=21, rght=22))
    assert not top.contains(Department(tree_id=2, lft=11, rght=12))


def test_topmost_subtrees_drop_the_nested_ones_and_duplicates():
    subtrees = [Subtree(1, 2, 9), Subtree(1, 1, 20), Subtree(2, 3, 4), Subtree(2, 3, 4)]
    assert subtrees_topmost(subtrees) == (Subtree(1, 1, 20), Subtree(2, 3, 4))


def test_descendants_are_counted_from_the_range():
    assert department_descendant_count(Department(tree_id=1, lft=1, rght=8)) == 3
    assert department_has_descendants(Department(tree_id=1, lft=1, rght=4))
    assert not department_has_descendants(Department(tree_id=1, lft=2, rght=3))


@pytest.mark.django_db
def test_no_subtree_gives_a_filter_that_matches_nothing_without_a_query(
    tree, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert list(Department.objects.filter(subtree_q([]))) == []
        assert list(Department.objects.filter(subtree_tops_q([]))) == []


def test_node_fields_name_the_columns_through_a_prefix():
    assert node_fields(prefix="department") == (
        "department__tree_id",
        "department__lft",
        "department__rght",
    )
    assert node_fields(level=True)[-1] == "level"


def test_the_department_manager_keeps_mptt_and_adds_the_tree_api():
    from mptt.managers import TreeManager

    assert isinstance(Department.objects, TreeManager)
    assert isinstance(Department.objects.all(), DepartmentQuerySet)
    assert Department._tree_manager.tree_model is Department


# --- Against the database ----------------------------------------------------------


@pytest.mark.django_db
def test_subtree_is_one_range_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        codes = set(Department.objects.subtree(tree["eng"]).values_list("code", flat=True))
    assert codes == {"ENG", "WEB", "MOB"}
    sql = captured[0]["sql"]
    assert '"tree_id" = ' in sql
    assert '"lft" >= ' in sql
    assert '"lft" <= ' in sql


@pytest.mark.django_db
def test_subtree_q_reaches_departments_through_a_relation(tree):
    for username, department in (("w", tree["web"]), ("f", tree["fin"]), ("m", tree["mob"])):
        employee_create(actor=None, username=username, department=department)
    inside = Employee.objects.filter(
        subtree_q([subtree_of(tree["web"]), subtree_of(tree["fin"])], prefix="department")
    )
    assert set(inside.values_list("username", flat=True)) == {"w", "f", "m"}
    only_web = Employee.objects.filter(subtree_q([subtree_of(tree["web"])], prefix="department"))
    assert set(only_web.values_list("username", flat=True)) == {"w", "m"}


@pytest.mark.django_db
def test_ancestors_come_root_first_without_the_department(tree):
    above = Department.objects.ancestors_of([tree["mob"]])
    assert list(above.values_list("code", flat=True)) == ["BOG", "ENG", "WEB"]


@pytest.mark.django_db
def test_containing_includes_the_department_itself(tree):
    holders = Department.objects.containing(tree["web"])
    assert list(holders.values_list("code", flat=True)) == ["BOG", "ENG", "WEB"]


@pytest.mark.django_db
def test_tops_of_nested_subtrees_are_only_the_outer_tops(tree):
    subtrees = [subtree_of(tree["web"]), subtree_of(tree["eng"]), subtree_of(tree["fin"])]
    tops = Department.objects.tops_of(subtrees).tree_ordered()
    assert list(tops.values_list("code", flat=True)) == ["ENG", "FIN"]


@pytest.mark.django_db
def test_containment_follows_the_tree_after_a_move(tree):
    from apps.org.services import department_move

    assert department_contains(ancestor=tree["eng"], department=tree["mob"])
    assert department_contains(ancestor=tree["eng"], department=tree["eng"])
    assert not department_contains(ancestor=tree["eng"], department=tree["eng"], include_self=False)
    department_move(department=tree["web"], parent=tree["fin"], actor=None)
    eng, fin, mob = (Department.objects.get(pk=tree[k].pk) for k in ("eng", "fin", "mob"))
    assert not department_contains(ancestor=eng, department=mob)
    assert subtree_contains([subtree_of(fin)], mob)


@pytest.mark.django_db
def test_subtrees_by_pk_reads_every_range_in_one_query(tree, django_assert_num_queries):
    wanted = [tree["eng"].pk, tree["fin"].pk]
    with django_assert_num_queries(1):
        found = Department.objects.filter(pk__in=wanted).subtrees_by_pk()
    eng = Department.objects.get(pk=tree["eng"].pk)
    assert found[str(eng.pk)] == subtree_of(eng)
    assert set(found) == {str(pk) for pk in wanted}


@pytest.mark.django_db
def test_a_tally_sums_any_subtree_from_one_grouped_count(tree):
    from django.db.models import Count

    for i, department in enumerate([tree["web"], tree["web"], tree["mob"], tree["fin"]]):
        employee_create(actor=None, username=f"t{i}", department=department)
    rows = (
        Employee.objects.filter(department__isnull=False)
        .order_by()
        .values("department_id", *node_fields(prefix="department"))
        .annotate(n=Count("*"))
    )
    tally = SubtreeTally(list(rows), prefix="department", count="n")
    fresh = {k: Department.objects.get(pk=d.pk) for k, d in tree.items()}
    assert tally.total(fresh["eng"]) == 3
    assert tally.total(fresh["mob"]) == 1
    assert tally.total(fresh["bog"]) == 4
    assert tally.total(Department(tree_id=999, lft=1, rght=2)) == 0


@pytest.mark.django_db
def test_a_grafted_subtree_numbers_the_tree_as_mptt_would(tree):
    """Alpha (3 nodes) goes first under BOG: the numbers equal a full mptt rebuild's."""
    bog = Department.objects.get(pk=tree["bog"].pk)
    positions = subtree_graft_positions(parent=bog, name="Alpha", parents=[None, 0, 0])
    rows: list[Department] = []
    for index, (name, code) in enumerate(
        (("Alpha", "ALP"), ("Alpha One", "ALO"), ("Alpha Two", "ALT"))
    ):
        parent = bog if index == 0 else rows[0]
        rows.append(Department(name=name, code=code, parent=parent, **positions[index]))
    Department.objects.bulk_create(rows)
    fields = ("pk", *node_fields(level=True))
    grafted = set(Department.objects.values_list(*fields))
    Department.objects.rebuild()
    assert grafted == set(Department.objects.values_list(*fields))
    assert list(Department.objects.filter(parent=bog).values_list("code", flat=True)) == [
        "ALP",
        "ENG",
        "FIN",
    ]
