import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Avg
from django.test import RequestFactory
from django.utils import timezone

from apps.org import reports
from apps.org.codes import CJK
from apps.org.demo import (
    DEMO_ACCOUNTS,
    DEMO_TRANSFERS,
    LEAVER_DAYS,
    LEAVER_SHARE,
    demo_people_planned,
)
from apps.org.models import Department, Employee, Transfer

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


# --- What the demo organisation looks like -----------------------------------------

README = Path(settings.BASE_DIR) / "README.md"


def _people():
    return Employee.objects.exclude(is_system=True)


def test_every_department_is_run_by_one_of_its_own_active_people():
    call_command("seed_demo", password="pw-demo-5")
    departments = list(Department.objects.select_related("manager"))
    assert len(departments) == 41
    for department in departments:
        assert department.manager is not None, department.code
        assert department.manager.department_id == department.pk, department.code
        assert department.manager.is_active, department.code
    root = Department.objects.get(parent__isnull=True)
    assert root.manager.position == "Chief Executive Officer"


def test_the_seed_makes_the_same_organisation_every_time():
    today = timezone.localdate()
    first, second = demo_people_planned(today), demo_people_planned(today)
    assert [(p.person, p.unit.code, p.position, p.salary, p.left_on) for p in first] == [
        (p.person, p.unit.code, p.position, p.salary, p.left_on) for p in second
    ]
    call_command("seed_demo", password="pw-demo-6")
    assert _people().count() == 306
    assert _people().filter(is_active=True).count() == 282
    assert Transfer.objects.filter(status=Transfer.Status.SCHEDULED).count() == len(DEMO_TRANSFERS)


def test_leavers_are_dated_over_the_last_two_years_so_the_dashboard_shows_turnover():
    call_command("seed_demo", password="pw-demo-7")
    today = timezone.localdate()
    demo = Employee.objects.filter(username__startswith="demo.")
    leavers = demo.filter(is_active=False)
    assert leavers.count() == round(demo.count() * LEAVER_SHARE)
    # The dashboard finds each leave in the history, within the two years.
    assert reports.leavers_count(today=today, days=LEAVER_DAYS + 1) == leavers.count()
    last_year = reports.leavers_count(today=today, days=365)
    assert 0 < last_year < leavers.count()
    for leaver in leavers:
        version = leaver.history.filter(is_active=False).get()
        assert leaver.hire_date < timezone.localtime(version.history_date).date() <= today
    trend = [month["headcount"] for month in reports.headcount_trend(today=today)]
    assert trend[-1] == _people().filter(is_active=True).count()
    assert trend[0] < trend[-1]  # a growing company


def test_hires_spread_over_twelve_years_with_more_recent_ones():
    call_command("seed_demo", password="pw-demo-8")
    today = timezone.localdate()
    demo = Employee.objects.filter(username__startswith="demo.")
    six_years_ago = today - datetime.timedelta(days=6 * 365)
    assert demo.filter(hire_date__lt=today - datetime.timedelta(days=10 * 365)).exists()
    assert not demo.filter(hire_date__lt=today - datetime.timedelta(days=12 * 366)).exists()
    assert (
        demo.filter(hire_date__gte=six_years_ago).count()
        > 2 * demo.filter(hire_date__lt=six_years_ago).count()
    )
    summary = reports.headcount_summary(today=today)
    assert summary["hired_90"] > 0
    # Employee numbers follow the order of hiring.
    dates = list(demo.order_by("employee_id").values_list("hire_date", flat=True))
    assert dates == sorted(dates)


def test_positions_fit_the_department_and_pay_follows_level():
    call_command("seed_demo", password="pw-demo-9")
    demo = Employee.objects.filter(username__startswith="demo.")
    web = set(demo.filter(department__code="WEB").values_list("position", flat=True))
    assert web <= {
        "Frontend Engineer",
        "Senior Frontend Engineer",
        "Staff Frontend Engineer",
        "Principal Engineer",
        "Web Manager",
    }
    assert "Frontend Engineer" in web
    # Chinese-named departments have Chinese titles, and mostly Chinese names.
    in_china = demo.filter(department__code__in=["SHBSC", "HZBSC", "CSB"])
    assert all(CJK.search(position) for position in in_china.values_list("position", flat=True))
    chinese = [e for e in in_china if CJK.search(e.last_name)]
    assert len(chinese) > in_china.count() / 2

    def average(**lookups):
        return demo.filter(**lookups).aggregate(avg=Avg("salary"))["avg"]

    assert average(position="Senior Frontend Engineer") > average(position="Frontend Engineer")
    assert average(department__code="WEB") > average(department__code="ST")
    for department in Department.objects.select_related("manager"):
        members = demo.filter(department=department).exclude(pk=department.manager_id)
        if members.exists() and department.manager.username.startswith("demo."):
            assert department.manager.salary > members.aggregate(avg=Avg("salary"))["avg"]


def test_a_few_transfers_wait_for_their_date():
    call_command("seed_demo", password="pw-demo-10")
    today = timezone.localdate()
    scheduled = Transfer.objects.filter(status=Transfer.Status.SCHEDULED)
    assert scheduled.count() == len(DEMO_TRANSFERS)
    for transfer in scheduled.select_related("employee", "from_department", "to_department"):
        assert transfer.effective_date > today
        assert transfer.employee.department == transfer.from_department
        assert transfer.from_department.parent_id == transfer.to_department.parent_id


def test_the_readme_states_what_the_seed_makes():
    call_command("seed_demo", password="pw-demo-11")
    text = README.read_text(encoding="utf-8")
    stated = re.search(
        r"The demo organisation has (\d+) departments .*? and\s+(\d+) people \((\d+) active,"
        r" (\d+) who left in the last two years\)",
        text,
        re.S,
    )
    assert stated, "the README's sentence about the demo organisation changed"
    departments, people, active, left = map(int, stated.groups())
    assert departments == Department.objects.count()
    assert people == _people().count()
    assert active == _people().filter(is_active=True).count()
    assert left == _people().filter(is_active=False).count()
    # "The employee list shows exactly these people": the system account is left out.
    assert Employee.objects.count() == people + 1
    assert "The employee list shows exactly these people: `system`" in text


def test_the_employee_list_shows_the_readme_s_figures(client):
    """What HR sees on the list: every person, the inactive ones as the leavers."""
    call_command("seed_demo", password="pw-demo-11")
    people = _people()
    for username in ("admin", "hr"):
        client.force_login(Employee.objects.get(username=username))
        listed = client.get("/admin/org/employee/").context["cl"]
        assert listed.result_count == people.count()
        inactive = client.get("/admin/org/employee/", {"is_active__exact": "0"}).context["cl"]
        assert inactive.result_count == people.filter(is_active=False).count()
        assert not any(e.is_system for e in inactive.result_list)
