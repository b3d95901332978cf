"""Every admin list refuses lookups its filters do not offer, and any path to a salary."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from unfold.decorators import display

from apps.org.admin import TransferAdmin
from apps.org.models import Employee, Transfer
from apps.org.services import employee_create

pytestmark = pytest.mark.django_db

# The trail's list is its own page (a form of known fields), not Django's changelist.
OWN_PAGES = {"audit.auditentry"}
# Lists that someone may read only with a right the auditor lacks.
PERSONA = {"security.lockout": "security"}


def _changelists() -> list[tuple[type, str]]:
    return sorted(
        (
            (model, f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            for model in admin.site._registry
            if model._meta.label_lower not in OWN_PAGES
        ),
        key=lambda pair: pair[1],
    )


def _salary_paths() -> list[tuple[str, str]]:
    """(list url name, lookup) for every relation of every list that reaches Employee."""
    paths = [("admin:org_employee_changelist", "salary__gt")]
    for model, url in _changelists():
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model is Employee:
                paths.append((url, f"{field.name}__salary__gt"))
    return paths


SALARY_PATHS = _salary_paths()


def test_the_salary_paths_cover_the_lists_that_show_people():
    lists = {url for url, _ in SALARY_PATHS}
    for name in [
        "org_transfer",
        "org_department",
        "access_roleassignment",
        "access_permissionlog",
        "auth_group",
        "security_loginevent",
        "security_securityaction",
        "security_usersession",
        "audit_trailexport",
    ]:
        assert f"admin:{name}_changelist" in lists


@pytest.fixture
def people(root_department):
    return employee_create(
        actor=None, username="earner", department=root_department, salary=Decimal("150000")
    )


def _login(client, make_user, persona):
    client.force_login(make_user(persona))
    return client


@pytest.mark.parametrize(("url", "lookup"), SALARY_PATHS)
def test_a_lookup_through_a_relation_to_a_salary_is_a_400_for_the_auditor(
    client, make_user, people, url, lookup
):
    client = _login(client, make_user, "auditor")
    assert client.get(reverse(url)).status_code == 200
    assert client.get(reverse(url), {lookup: "100000"}).status_code == 400


@pytest.mark.parametrize(
    ("persona", "url", "lookup"),
    [
        ("manager", "admin:org_transfer_changelist", "employee__salary__gt"),
        ("manager", "admin:org_department_changelist", "manager__salary__gte"),
        ("manager", "admin:org_department_changelist", "employees__salary__lt"),
        ("security", "admin:access_roleassignment_changelist", "user__salary__lte"),
        ("security", "admin:security_loginevent_changelist", "user__salary__range"),
        ("security", "admin:security_usersession_changelist", "user__salary__isnull"),
        ("security", "admin:security_securityaction_changelist", "actor__salary__in"),
        ("security", "admin:auth_group_changelist", "user__salary__gt"),
    ],
)
def test_a_lookup_through_a_relation_to_a_salary_is_a_400_for_other_roles(
    client, make_user, people, persona, url, lookup
):
    client = _login(client, make_user, persona)
    assert client.get(reverse(url)).status_code == 200
    assert client.get(reverse(url), {lookup: "1"}).status_code == 400


@pytest.mark.parametrize("persona", ["admin", "hr"])
@pytest.mark.parametrize(
    ("url", "lookup"),
    [
        ("admin:org_transfer_changelist", "employee__salary__gt"),
        ("admin:access_roleassignment_changelist", "user__salary__gt"),
        ("admin:org_department_changelist", "employees__salary__gt"),
        ("admin:org_transfer_changelist", "reason__icontains"),
        ("admin:access_roleassignment_changelist", "user__username__startswith"),
        ("admin:access_permissionlog_changelist", "target__startswith"),
    ],
)
def test_a_lookup_no_filter_offers_is_a_400_even_for_those_who_see_salaries(
    client, make_user, people, persona, url, lookup
):
    client = _login(client, make_user, persona)
    assert client.get(reverse(url), {lookup: "1"}).status_code == 400


@pytest.mark.parametrize(("model", "url"), _changelists())
def test_every_offered_filter_parameter_is_accepted(client, make_user, rf, model, url):
    persona = PERSONA.get(model._meta.label_lower, "admin")
    user = make_user(persona)
    client.force_login(user)
    request = rf.get(reverse(url))
    request.user = user
    specs = admin.site._registry[model].get_changelist_instance(request).filter_specs
    params = {param for spec in specs for param in spec.expected_parameters() if param}
    assert params or not admin.site._registry[model].get_list_filter(request)
    for param in sorted(params):
        # An empty value: no filter refuses it as a lookup (some answer "?e=1").
        assert client.get(reverse(url), {param: ""}).status_code in (200, 302), param


def test_the_trail_takes_only_its_own_filters(client, make_user, people):
    client = _login(client, make_user, "auditor")
    url = reverse("admin:audit_auditentry_changelist")
    plain = client.get(url)
    probed = client.get(url, {"actor__salary__gt": "100000"})
    assert probed.status_code == 200
    assert len(probed.context["rows"]) == len(plain.context["rows"])


class SalaryEverywhereTransferAdmin(TransferAdmin):
    """A misconfigured list: a column, filter, search field and ordering on a salary."""

    list_display = ("employee", "employee__salary", "pay")
    list_filter = ("status", "employee__salary")
    search_fields = ("employee__first_name", "employee__salary")
    ordering = ("-employee__salary", "effective_date")

    @display(description="pay", ordering="employee__salary")
    def pay(self, obj: Transfer) -> str:
        return "?"


def _request(rf, user, **params):
    request = rf.get("/admin/org/transfer/", params)
    request.user = user
    return request


@pytest.mark.parametrize("persona", ["manager", "auditor"])
def test_a_list_configured_with_a_salary_leaves_it_out_for_those_who_may_not_see_it(
    rf, make_user, persona
):
    model_admin = SalaryEverywhereTransferAdmin(Transfer, admin.site)
    request = _request(rf, make_user(persona))
    assert "employee__salary" not in model_admin.get_list_display(request)
    assert "employee__salary" not in model_admin.get_list_filter(request)
    assert "employee__salary" not in model_admin.get_search_fields(request)
    assert list(model_admin.get_ordering(request)) == ["effective_date"]


def test_a_list_configured_with_a_salary_keeps_it_for_hr(rf, make_user):
    model_admin = SalaryEverywhereTransferAdmin(Transfer, admin.site)
    request = _request(rf, make_user("hr"))
    assert "employee__salary" in model_admin.get_list_display(request)
    assert "employee__salary" in model_admin.get_list_filter(request)
    assert "employee__salary" in model_admin.get_search_fields(request)


def test_a_column_ordered_by_a_salary_sorts_nothing_for_the_auditor(rf, make_user):
    model_admin = SalaryEverywhereTransferAdmin(Transfer, admin.site)
    user = make_user("auditor")
    columns = list(model_admin.get_list_display(_request(rf, user)))
    index = ["action_checkbox", *columns].index("pay")
    changelist = model_admin.get_changelist_instance(_request(rf, user, o=f"-{index}"))
    assert isinstance(changelist, ChangeList)
    assert not any("salary" in str(o) for o in changelist.queryset.query.order_by)
