"""A manager sees their subtree only; HR hands out a time-bound role and finds it in the log."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.access.models import RoleAssignment
from apps.org.services import employee_create

pytestmark = pytest.mark.browser


@pytest.fixture
def org(org):
    """The shared tree (conftest), with Ines in Web and Otto in Finance."""
    people = {
        "inside": employee_create(
            actor=None,
            username="ines",
            first_name="Ines",
            last_name="Inside",
            department=org["web"],
        ),
        "outside": employee_create(
            actor=None,
            username="otto",
            first_name="Otto",
            last_name="Outside",
            department=org["fin"],
        ),
    }
    return {**org, **people}


def test_a_manager_sees_only_their_subtree_and_guessing_an_outside_url_is_a_404(
    page: Page, shot, log_in, make_user, org
):
    make_user("manager", department=org["eng"])
    log_in(page, "manager")

    page.goto("/admin/org/employee/")
    results = page.locator("#result_list")
    expect(results).to_contain_text("Ines Inside")
    expect(results).not_to_contain_text("Otto Outside")
    expect(page.locator("#content")).not_to_contain_text("Finance")
    shot("01-employee-list")

    page.goto("/admin/org/department/tree/")
    tree = page.get_by_test_id("dept-tree")
    expect(tree).to_contain_text("Engineering")  # the top of their scope is the root here
    expect(tree).not_to_contain_text("Backoffice Group")
    expect(tree).not_to_contain_text("Finance")
    shot("02-tree")

    response = page.goto(f"/admin/org/employee/{org['outside'].pk}/change/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Otto")
    response = page.goto(f"/admin/org/department/{org['fin'].pk}/change/")
    assert response is not None
    assert response.status == 404


def test_hr_assigns_a_role_with_an_end_date_and_sees_it_in_the_log(
    page: Page, shot, log_in, make_user, org
):
    make_user("hr")
    log_in(page, "hr")
    page.goto("/admin/access/roleassignment/add/")

    page.locator("#id_user").locator("..").get_by_role("combobox").click()
    page.locator(".select2-search__field").fill("ines")
    page.locator(".select2-results__option").filter(has_text="ines").click()
    page.locator("#id_role").select_option(label="Manager")
    page.locator("#id_department").locator("..").get_by_role("combobox").click()
    page.locator(".select2-search__field").fill("Web")
    page.locator(".select2-results__option").filter(has_text="Web Platform").click()
    until = timezone.localtime() + datetime.timedelta(days=30)
    page.locator("#id_valid_until_0").fill(until.strftime("%Y-%m-%d"))
    page.locator("#id_valid_until_1").fill("18:00:00")
    page.locator("#id_reason").fill("Acting lead while Ada is on leave")
    shot("01-assign-form")
    page.get_by_role("button", name=re.compile(r"^Save$")).click()

    expect(page.locator("body")).to_contain_text("was added successfully")
    assignment = RoleAssignment.objects.get(user=org["inside"])
    assert assignment.department == org["web"]
    assert timezone.localtime(assignment.valid_until).date() == until.date()

    page.goto("/admin/access/permissionlog/")
    log = page.locator("#result_list")
    expect(log).to_contain_text("granted")
    expect(log).to_contain_text("Ines Inside")
    shot("02-permission-log")


def test_a_manager_s_org_chart_starts_at_their_department(page: Page, shot, log_in, make_user, org):
    make_user("manager", department=org["eng"])
    log_in(page, "manager")
    page.goto("/admin/org/department/chart/")
    chart = page.get_by_test_id("org-chart")
    expect(chart).to_contain_text("Web Platform")
    expect(chart).not_to_contain_text("Finance")
    expect(page.locator("body")).not_to_contain_text("Backoffice Group")
    shot("01-org-chart")
    response = page.goto(f"/admin/org/department/chart/?root={org['fin'].pk}")
    assert response is not None
    assert response.status == 404


def test_an_administrator_grants_one_outside_record_to_a_manager(
    page: Page, shot, log_in, new_page, make_user, org
):
    make_user("admin")
    make_user("manager", department=org["eng"])
    log_in(page, "admin")
    page.goto(f"/admin/org/employee/{org['outside'].pk}/permissions/")
    page.locator("input[name=user]").fill("manager")
    page.locator("button[name=submit_manage_user]").click()
    expect(page).to_have_url(re.compile(r"/permissions/user-manage/"))
    # Django's two-list picker: a double click moves an option to the chosen list.
    page.locator("#id_permissions_from option", has_text="Can view employee").dblclick()
    expect(page.locator("#id_permissions_to")).to_contain_text("Can view employee")
    shot("01-object-permission")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("body")).to_contain_text("Permissions saved.")

    manager_page = new_page()
    log_in(manager_page, "manager")
    manager_page.goto("/admin/org/employee/")
    expect(manager_page.locator("#result_list")).to_contain_text("Otto Outside")
    manager_page.goto("/admin/access/permissionlog/")
    assert manager_page.locator("#result_list").count() == 0  # the log is not theirs to read
