import pytest

from apps.org.models import Department
from apps.org.selectors import (
    department_deactivation_blockers,
    department_subtree,
    department_subtree_headcount,
    departments_with_headcount,
    employees_in_subtree,
)
from apps.org.services import employee_deactivate

pytestmark = pytest.mark.django_db


def test_subtree_contains_descendants_and_self(org):
    codes = set(department_subtree(department=org["eng"]).values_list("code", flat=True))
    assert codes == {"ENG", "WEB", "MOB"}


def test_subtree_can_leave_out_the_department_itself(org):
    subtree = department_subtree(department=org["eng"], include_self=False)
    assert set(subtree.values_list("code", flat=True)) == {"WEB", "MOB"}


def test_subtree_headcount_is_one_query(org, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert department_subtree_headcount(department=org["eng"]) == 3


def test_subtree_headcount_ignores_inactive_employees(org):
    employee_deactivate(employee=org["web"].employees.first(), actor=None)
    assert department_subtree_headcount(department=org["eng"]) == 2
    assert employees_in_subtree(department=org["eng"], active_only=False).count() == 3


def test_headcount_annotations_for_a_whole_list_take_one_query(org, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = {
            d.code: (d.direct_headcount, d.subtree_headcount)
            for d in departments_with_headcount(Department.objects.all())
        }
    assert rows == {
        "BOG": (1, 5),
        "ENG": (1, 3),
        "WEB": (2, 2),
        "MOB": (0, 0),
        "FIN": (1, 1),
    }


def test_blockers_count_active_members_and_children(org):
    assert department_deactivation_blockers(department=org["eng"]) == {
        "employees": 1,
        "children": 1,
    }
