import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from apps.org.demo import DEMO_ACCOUNTS
from apps.org.models import Department, Employee

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Department.objects.count(),
        Employee.objects.count(),
        Department.history.count(),
        Employee.history.count(),
    )


def _assert_valid_tree():
    """lft/rght numbering is what a full mptt rebuild would produce."""
    before = dict(Department.objects.values_list("pk", "lft"))
    rights = dict(Department.objects.values_list("pk", "rght"))
    levels = dict(Department.objects.values_list("pk", "level"))
    Department.objects.rebuild()
    for pk, lft, rght, level in Department.objects.values_list("pk", "lft", "rght", "level"):
        assert (before[pk], rights[pk], levels[pk]) == (lft, rght, level)


def test_seed_builds_the_demo_organisation_and_is_idempotent():
    call_command("seed_demo", password="pw-demo-1")
    first = _counts()
    call_command("seed_demo", password="pw-demo-1")
    assert _counts() == first
    departments, employees, dept_history, emp_history = first
    assert 35 <= departments <= 45
    assert 300 <= employees <= 320
    assert dept_history >= departments
    assert Employee.objects.filter(department__level=3).exists()
    assert Employee.objects.filter(last_name__regex=r"[\u4e00-\u9fff]").exists()
    _assert_valid_tree()


def test_every_demo_account_logs_in_with_the_given_password():
    call_command("seed_demo", password="pw-demo-2")
    for account in DEMO_ACCOUNTS:
        request = RequestFactory().post("/admin/login/")  # django-axes needs the request
        user = authenticate(request, username=account.username, password="pw-demo-2")
        assert user is not None, account.username
        assert user.is_staff
        assert list(user.groups.values_list("name", flat=True)) == [account.role]


def test_manager_manages_one_subtree():
    call_command("seed_demo", password="pw-demo-3")
    managed = Department.objects.filter(manager__username="manager")
    assert [d.code for d in managed] == ["ENG"]
    assert managed.get().get_descendant_count() > 3


def test_seed_history_names_the_system_actor():
    call_command("seed_demo", password="pw-demo-4")
    record = Employee.history.filter(username__startswith="demo.").first()
    assert record.history_user.is_system
    assert not Employee.objects.get(username="system").is_active


def test_scale_seed_grows_to_the_requested_size_with_a_valid_tree_and_history():
    call_command("seed_demo", password="pw", departments=300, employees=1200)
    assert Department.objects.count() == 300
    # The system account is not a person of the organisation; everyone else counts.
    assert Employee.objects.exclude(username="system").count() == 1200
    assert Employee.history.count() >= 1200
    assert Department.history.count() >= 300
    _assert_valid_tree()
    scale = Employee.objects.filter(username__startswith="scale.").first()
    assert not scale.has_usable_password()


def test_scale_seed_is_idempotent():
    call_command("seed_demo", password="pw", departments=120, employees=500)
    first = _counts()
    call_command("seed_demo", password="pw", departments=120, employees=500)
    assert _counts() == first


@pytest.mark.parametrize(
    "options",
    [{"departments": -1}, {"employees": 10**9}, {"password": ""}],
)
def test_seed_refuses_bad_options(options):
    with pytest.raises(CommandError):
        call_command("seed_demo", **options)
    assert not Department.objects.exists()
