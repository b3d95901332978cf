"""History, compare and the trail's field filter: field names and values as people read them."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from apps.audit.selectors import TrailFilterForm
from apps.core.history_changes import EMPTY, field_label, plain_text, value_text
from apps.org.models import Department, Employee
from apps.org.services import department_create, department_update, employee_create, employee_update

pytestmark = pytest.mark.django_db


def _changes(html: str) -> list[tuple[str, str, str, str]]:
    """(field, label, old, new) of each change the history page lists."""
    found = re.findall(
        r'data-testid="history-change" data-field="([^"]+)">\s*<strong[^>]*>([^<]*):</strong>'
        r'.*?<span data-side="old"[^>]*>([^<]*)</span>.*?<span data-side="new"[^>]*>([^<]*)</span>',
        html,
        re.S,
    )
    return [(name, label, old.strip(), new.strip()) for name, label, old, new in found]


def test_an_empty_old_value_reads_as_a_dash_not_a_deleted_object(client, make_user, eng):
    boss = employee_create(actor=None, username="boss", first_name="Bo", department=eng)
    department_update(department=eng, actor=None, manager=boss)
    client.force_login(make_user("hr"))
    html = client.get(reverse("admin:org_department_history", args=[eng.pk])).content.decode()
    assert "pk=None" not in html
    assert "Deleted" not in html
    manager = [c for c in _changes(html) if c[0] == "manager"]
    assert manager == [("manager", "Manager", EMPTY, str(boss))]


def test_the_history_names_fields_by_their_translated_names(client, make_user, eng):
    department_update(department=eng, actor=None, name="Eng")
    client.force_login(make_user("hr"))
    url = reverse("admin:org_department_history", args=[eng.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    labels = {name: label for name, label, _old, _new in _changes(html)}
    assert labels["name"] == "名称"


def test_the_history_writes_a_salary_as_money_for_hr_only(client, make_user, eng):
    person = employee_create(actor=None, username="pat", department=eng)
    employee_update(employee=person, actor=None, salary=Decimal("12345.5"), position="Lead")
    url = reverse("admin:org_employee_history", args=[person.pk])
    client.force_login(make_user("hr"))
    changes = {c[0]: c for c in _changes(client.get(url).content.decode())}
    assert changes["salary"][2:] == (EMPTY, "¥12,345.50")
    assert changes["position"][2:] == (EMPTY, "Lead")
    client.force_login(make_user("auditor"))
    changes = {c[0]: c for c in _changes(client.get(url).content.decode())}
    assert "salary" not in changes
    assert changes["position"][2:] == (EMPTY, "Lead")


def test_a_manager_scoped_salary_reader_sees_no_salary_elsewhere_in_history(
    client, make_user, eng, fin, roles
):
    from apps.access.roles import HR
    from apps.access.services import assignment_create

    person = employee_create(actor=None, username="pat", department=fin)
    employee_update(employee=person, actor=None, salary=Decimal("100"), position="Lead")
    auditor = make_user("auditor")
    assignment_create(actor=None, user=auditor, role=roles[HR], department=eng, reason="ENG")
    client.force_login(auditor)
    html = client.get(reverse("admin:org_employee_history", args=[person.pk])).content.decode()
    names = [c[0] for c in _changes(html)]
    assert "position" in names
    assert "salary" not in names


def test_compare_writes_dates_and_empty_values_in_the_product_formats(client, make_user, eng):
    person = employee_create(actor=None, username="pat", department=eng)
    employee_update(employee=person, actor=None, hire_date=datetime.date(2026, 3, 4))
    first, second = person.history.order_by("history_id").values_list("history_id", flat=True)
    client.force_login(make_user("hr"))
    url = reverse("admin:org_employee_history_compare", args=[person.pk])
    html = client.get(
        url, {"a": first, "b": second}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    row = re.search(r'data-field="hire_date">(.*?)</tr>', html, re.S).group(1)
    assert "入职日期" in row
    assert "2026年3月4日" in row
    assert EMPTY in row


def test_values_read_in_the_readers_formats():
    moment = datetime.datetime(2026, 12, 2, 10, 28, 5, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert plain_text(moment).endswith(":28:05")
        assert plain_text(None) == EMPTY
        assert plain_text("") == EMPTY
        assert plain_text(True) == "Yes"
    with translation.override("zh-hans"):
        assert plain_text(datetime.date(2026, 12, 2)) == "2026年12月2日"
        assert value_text(Employee._meta.get_field("salary"), Decimal("1234567")) == (
            "¥1,234,567.00"
        )
    assert value_text(Department._meta.get_field("manager"), None) == EMPTY


def test_a_removed_field_reads_as_its_name():
    assert field_label(Employee, "no_such_field") == "no_such_field"
    assert field_label(Department, "parent") == "Parent department"


def test_the_trail_field_filter_shows_the_verbose_name_alone(make_user):
    admin = make_user("admin")
    with translation.override("zh-hans"):
        choices = dict(TrailFilterForm(user=admin).fields["field"].choices)
        assert str(choices["parent"]) == "上级部门"
    assert "id" not in choices


def test_two_fields_with_one_label_are_told_apart(make_user, root_department):
    department_create(actor=None, name="Xa", code="XA", parent=root_department)
    form = TrailFilterForm(user=make_user("admin"))
    labels = [str(label) for _name, label in form.fields["field"].choices]
    assert len(labels) == len(set(labels))
