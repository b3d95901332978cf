import pytest

from apps.org.chart import org_chart
from apps.org.services import (
    department_create,
    department_deactivate,
    department_update,
    employee_create,
    employee_deactivate,
)
from apps.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org):
    """The shared tree with people (conftest), plus one inactive person in WEB."""
    gone = employee_create(actor=None, username="gone", department=org["web"])
    employee_deactivate(employee=gone, actor=None)
    return org


def _by_code(nodes):
    found = {}
    for node in nodes:
        found[node["code"]] = node
        found.update(_by_code(node["children"]))
    return found


def test_nests_departments_under_their_parents_in_tree_order(org):
    (bog,) = org_chart(root=None, depth=6)
    assert bog["code"] == "BOG"
    assert [c["code"] for c in bog["children"]] == ["ENG", "FIN"]
    eng = bog["children"][0]
    assert [c["code"] for c in eng["children"]] == ["WEB"]
    assert [c["code"] for c in eng["children"][0]["children"]] == ["MOB"]
    assert bog["id"] == str(org["bog"].pk)


def test_cuts_at_depth_and_flags_nodes_with_hidden_children(org):
    nodes = _by_code(org_chart(root=None, depth=2))
    assert set(nodes) == {"BOG", "ENG", "FIN"}
    assert nodes["ENG"]["children"] == []
    assert nodes["ENG"]["has_more"] is True
    assert nodes["FIN"]["has_more"] is False
    assert nodes["BOG"]["has_more"] is False


def test_a_root_picks_its_subtree_and_depth_counts_from_it(org):
    (eng,) = org_chart(root=org["eng"], depth=2)
    assert eng["code"] == "ENG"
    assert [c["code"] for c in eng["children"]] == ["WEB"]
    assert eng["children"][0]["has_more"] is True
    assert eng["children"][0]["children"] == []


def test_depth_one_draws_only_the_top(org):
    (bog,) = org_chart(root=None, depth=1)
    assert bog["children"] == []
    assert bog["has_more"] is True


def test_headcounts_count_active_people_in_the_subtree_and_directly(org):
    nodes = _by_code(org_chart(root=None, depth=6))
    assert (nodes["BOG"]["headcount"], nodes["BOG"]["direct"]) == (5, 1)
    assert (nodes["ENG"]["headcount"], nodes["ENG"]["direct"]) == (3, 1)
    assert (nodes["WEB"]["headcount"], nodes["WEB"]["direct"]) == (2, 2)
    assert (nodes["MOB"]["headcount"], nodes["MOB"]["direct"]) == (0, 0)
    assert (nodes["FIN"]["headcount"], nodes["FIN"]["direct"]) == (1, 1)


def test_headcount_at_the_cut_includes_people_below_it(org):
    employee_create(actor=None, username="deep", department=org["mob"])
    nodes = _by_code(org_chart(root=org["eng"], depth=1))
    assert nodes["ENG"]["headcount"] == 4
    assert nodes["ENG"]["direct"] == 1


def test_inactive_departments_are_included_but_flagged(org):
    department_deactivate(department=org["mob"], actor=None)
    nodes = _by_code(org_chart(root=None, depth=6))
    assert nodes["MOB"]["is_active"] is False
    assert nodes["WEB"]["is_active"] is True


def test_shows_the_manager_by_full_name_or_none(org):
    boss = employee_create(
        actor=None, username="boss", first_name="Ada", last_name="King", department=org["eng"]
    )
    department_update(department=org["eng"], actor=None, manager=boss)
    nodes = _by_code(org_chart(root=None, depth=6))
    assert nodes["ENG"]["manager"] == "Ada King"
    assert nodes["FIN"]["manager"] is None


def test_every_root_department_is_drawn_without_a_root(org):
    other = department_create(actor=None, name="Holding", code="HOLD")
    codes = [n["code"] for n in org_chart(root=None, depth=3)]
    assert set(codes) == {"BOG", "HOLD"}
    assert other.level == 0


def _grow(parent, *, prefix, width):
    for i in range(width):
        child = department_create(
            actor=None, name=f"{prefix} {i}", code=f"{prefix}{chr(65 + i)}", parent=parent
        )
        EmployeeFactory.create_batch(2, department=child)
        boss = EmployeeFactory(department=child)
        department_update(department=child, actor=None, manager=boss)
        department_create(
            actor=None, name=f"{prefix} {i} sub", code=f"{prefix}{chr(65 + i)}S", parent=child
        )


@pytest.mark.parametrize("width", [2, 12])
def test_takes_two_queries_whatever_the_size(root_department, width, django_assert_num_queries):
    _grow(root_department, prefix="DX", width=width)
    with django_assert_num_queries(2):
        (bog,) = org_chart(root=None, depth=3)
    assert len(bog["children"]) == width
    assert bog["headcount"] == 3 * width
    with django_assert_num_queries(2):
        org_chart(root=root_department, depth=2)
