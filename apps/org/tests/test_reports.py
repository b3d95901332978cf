import datetime
from decimal import Decimal

import pytest
import time_machine

from apps.org import reports
from apps.org.dashboard import dashboard_salaries_allowed
from apps.org.services import employee_create, employee_deactivate, employee_restore

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


def _at(day: datetime.date):
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    return time_machine.travel(moment, tick=False)


def _hire(name, department, *, hired, salary=None):
    # Created long before the test's dates, so history runs in order.
    with _at(datetime.date(2019, 1, 1)):
        return employee_create(
            actor=None, username=name, department=department, hire_date=hired, salary=salary
        )


def _leave(employee, on):
    with _at(on):
        employee_deactivate(employee=employee, actor=None)


def _days_ago(n):
    return TODAY - datetime.timedelta(days=n)


def test_summary_counts_active_people_and_recent_hires(tree):
    _hire("a", tree["web"], hired=_days_ago(0))
    _hire("b", tree["web"], hired=_days_ago(29))
    _hire("c", tree["fin"], hired=_days_ago(30))
    _hire("d", tree["fin"], hired=_days_ago(89))
    _hire("e", tree["fin"], hired=_days_ago(90))
    _hire("future", tree["fin"], hired=TODAY + datetime.timedelta(days=3))
    gone = _hire("gone", tree["fin"], hired=_days_ago(5))
    _leave(gone, _days_ago(1))

    summary = reports.headcount_summary(today=TODAY)

    assert summary["active"] == 6
    assert summary["hired_30"] == 2
    assert summary["hired_90"] == 4


def test_average_tenure_is_in_years_over_active_people_with_a_hire_date(tree):
    _hire("one", tree["web"], hired=TODAY.replace(year=2024))
    _hire("three", tree["web"], hired=TODAY.replace(year=2022))
    _hire("undated", tree["web"], hired=None)
    old = _hire("old", tree["web"], hired=TODAY.replace(year=2000))
    _leave(old, _days_ago(400))

    assert reports.headcount_summary(today=TODAY)["tenure_years"] == 2.0


def test_average_tenure_is_none_without_hire_dates(tree):
    _hire("undated", tree["web"], hired=None)
    assert reports.headcount_summary(today=TODAY)["tenure_years"] is None


def test_leavers_come_from_the_deactivation_in_history(tree):
    recent = _hire("recent", tree["web"], hired=_days_ago(900))
    _leave(recent, _days_ago(10))
    edge = _hire("edge", tree["web"], hired=_days_ago(900))
    _leave(edge, _days_ago(89))
    long_ago = _hire("long-ago", tree["web"], hired=_days_ago(900))
    _leave(long_ago, _days_ago(90))
    returned = _hire("returned", tree["web"], hired=_days_ago(900))
    _leave(returned, _days_ago(20))
    with _at(_days_ago(15)):
        employee_restore(employee=returned, actor=None)

    assert reports.leavers_count(today=TODAY, days=90) == 2
    assert reports.leavers_count(today=TODAY, days=30) == 1


def test_a_second_deactivation_counts_from_its_own_date(tree):
    twice = _hire("twice", tree["web"], hired=_days_ago(900))
    _leave(twice, _days_ago(300))
    with _at(_days_ago(200)):
        employee_restore(employee=twice, actor=None)
    _leave(twice, _days_ago(3))

    assert reports.leavers_count(today=TODAY, days=90) == 1


def test_later_edits_of_an_inactive_employee_do_not_move_the_leaving_date(tree):
    from apps.org.services import employee_update

    gone = _hire("gone", tree["web"], hired=_days_ago(900))
    _leave(gone, _days_ago(200))
    with _at(_days_ago(5)):
        employee_update(employee=gone, actor=None, position="Alumnus")

    assert reports.leavers_count(today=TODAY, days=90) == 0


def test_trend_gives_month_end_headcount_for_twelve_months(tree):
    _hire("veteran", tree["web"], hired=datetime.date(2020, 1, 1))
    _hire("undated", tree["web"], hired=None)
    _hire("jan", tree["web"], hired=datetime.date(2025, 1, 31))
    _hire("june", tree["fin"], hired=datetime.date(2025, 6, 1))
    _hire("not-yet", tree["fin"], hired=datetime.date(2025, 6, 20))
    leaver = _hire("leaver", tree["fin"], hired=datetime.date(2024, 8, 10))
    _leave(leaver, datetime.date(2025, 3, 1))

    trend = reports.headcount_trend(today=TODAY)

    assert [row["month"] for row in trend][:2] == [
        datetime.date(2024, 7, 1),
        datetime.date(2024, 8, 1),
    ]
    assert trend[-1]["month"] == datetime.date(2025, 6, 1)
    assert len(trend) == 12
    by_month = {row["month"]: row["headcount"] for row in trend}
    assert by_month[datetime.date(2024, 7, 1)] == 2
    assert by_month[datetime.date(2024, 8, 1)] == 3
    assert by_month[datetime.date(2025, 1, 1)] == 4
    assert by_month[datetime.date(2025, 2, 1)] == 4
    assert by_month[datetime.date(2025, 3, 1)] == 3
    assert by_month[datetime.date(2025, 6, 1)] == 4


def test_trend_crosses_the_new_year():
    months = reports._month_starts(today=datetime.date(2025, 2, 28), months=3)
    assert months == [
        datetime.date(2024, 12, 1),
        datetime.date(2025, 1, 1),
        datetime.date(2025, 2, 1),
    ]


def test_top_level_headcount_counts_whole_subtrees(tree):
    _hire("w", tree["web"], hired=None)
    _hire("m1", tree["mob"], hired=None)
    _hire("m2", tree["mob"], hired=None)
    _hire("e", tree["eng"], hired=None)
    _hire("f", tree["fin"], hired=None)
    gone = _hire("gone", tree["mob"], hired=None)
    _leave(gone, TODAY)

    rows = reports.headcount_by_top_department()

    assert rows == [
        {"pk": tree["eng"].pk, "name": "Engineering", "code": tree["eng"].code, "headcount": 4},
        {"pk": tree["fin"].pk, "name": "Finance", "code": "FIN", "headcount": 1},
    ]


def test_salary_bands_span_each_top_level_subtree(tree):
    _hire("a", tree["eng"], hired=None, salary=Decimal("1000"))
    _hire("b", tree["mob"], hired=None, salary=Decimal("3000"))
    _hire("c", tree["web"], hired=None, salary=Decimal("2500"))
    _hire("unpaid", tree["web"], hired=None)
    gone = _hire("gone", tree["web"], hired=None, salary=Decimal("90000"))
    _leave(gone, TODAY)

    eng, fin = reports.salary_bands_by_top_department()

    assert (eng["min"], eng["avg"], eng["max"]) == (
        Decimal("1000.00"),
        Decimal("2166.67"),
        Decimal("3000.00"),
    )
    assert fin == {
        "pk": tree["fin"].pk,
        "name": "Finance",
        "code": "FIN",
        "min": None,
        "avg": None,
        "max": None,
    }


@pytest.mark.parametrize(
    ("persona", "figures", "salaries"),
    [("hr", True, True), ("auditor", True, False), ("staff", False, False), ("admin", True, True)],
)
def test_who_sees_figures_and_salaries(make_user, persona, figures, salaries):
    user = make_user(persona)
    assert reports.dashboard_figures_allowed(user=user) is figures
    assert dashboard_salaries_allowed(user=user) is salaries
