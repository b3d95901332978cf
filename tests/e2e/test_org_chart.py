"""HR looks at the org chart, folds a branch, drills down and exports it."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.org.services import (
    department_create,
    department_deactivate,
    department_update,
    employee_create,
)

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def org(org, root_department):
    """The shared tree (conftest), with Mobile Apps and Design Systems, Ada leading
    Engineering, people in Web and Finance, and an inactive Legacy Ops."""
    eng, web, fin = org["eng"], org["web"], org["fin"]
    department_create(actor=None, name="Mobile Apps", code="MOB", parent=eng)
    department_create(actor=None, name="Design Systems", code="DSY", parent=web)
    lead = employee_create(
        actor=None, username="ada", first_name="Ada", last_name="King", department=eng
    )
    department_update(department=eng, actor=None, manager=lead)
    for i in range(3):
        employee_create(actor=None, username=f"web{i}", department=web)
    employee_create(actor=None, username="fin0", department=fin)
    legacy = department_create(actor=None, name="Legacy Ops", code="LEG", parent=root_department)
    department_deactivate(department=legacy, actor=None)
    return {**org, "legacy": legacy}


def node(page: Page, department):
    return page.locator(f'[data-testid=org-chart-svg] g[data-node-id="{department.pk}"]')


def test_hr_opens_the_chart_folds_a_branch_drills_down_and_exports(
    page: Page, shot, log_in, make_user, org, tmp_path
):
    make_user("hr")
    log_in(page, "hr")

    page.locator("#nav-sidebar-inner").get_by_role("link", name="Org chart").click()
    expect(page).to_have_url(re.compile(r"/admin/org/department/chart/$"))
    svg = page.get_by_test_id("org-chart-svg")
    for name in ["Backoffice Group", "Engineering", "Web Platform", "Mobile Apps", "Finance"]:
        expect(svg).to_contain_text(name)
    expect(svg).not_to_contain_text("Design Systems")  # beyond the default three levels
    expect(node(page, org["eng"])).to_contain_text("Ada King")
    expect(node(page, org["eng"])).to_contain_text("4 people")
    expect(node(page, org["legacy"])).to_have_attribute("data-active", "false")
    expect(node(page, org["legacy"])).to_contain_text("Inactive")
    shot("01-chart")

    # Folding Engineering hides its children; clicking again brings them back.
    node(page, org["eng"]).click()
    expect(node(page, org["eng"])).to_have_attribute("data-collapsed", "true")
    expect(svg).not_to_contain_text("Web Platform")
    expect(svg).not_to_contain_text("Mobile Apps")
    expect(svg).to_contain_text("Finance")
    shot("02-engineering-collapsed")
    node(page, org["eng"]).click()
    expect(svg).to_contain_text("Web Platform")

    # Exports: the serialized SVG, and a PNG drawn from it through a canvas.
    with page.expect_download() as svg_download:
        page.get_by_role("button", name="Export SVG").click()
    path = tmp_path / "chart.svg"
    svg_download.value.save_as(path)
    content = path.read_text(encoding="utf-8")
    assert content.startswith("<svg")
    assert "Web Platform" in content
    assert svg_download.value.suggested_filename == "org-chart.svg"
    with page.expect_download() as png_download:
        page.get_by_role("button", name="Export PNG").click()
    path = tmp_path / "chart.png"
    png_download.value.save_as(path)
    png = path.read_bytes()
    assert png.startswith(PNG_SIGNATURE)
    # Drawn at twice the SVG's size (IHDR width and height follow the signature).
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (
        2 * int(svg.get_attribute("width")),
        2 * int(svg.get_attribute("height")),
    )

    # "+" under Web Platform opens its subtree, three levels from there.
    node(page, org["web"]).locator(".org-chart-more").click()
    expect(page).to_have_url(re.compile(rf"\?root={org['web'].pk}&depth=3$"))
    expect(svg).to_contain_text("Design Systems")
    expect(svg).not_to_contain_text("Finance")
    shot("03-web-subtree")


def test_hr_picks_a_department_and_levels_in_the_picker(page: Page, shot, log_in, make_user, org):
    make_user("hr")
    log_in(page, "hr")
    page.goto("/admin/org/department/")
    page.get_by_test_id("org-chart-link").click()
    expect(page).to_have_url(re.compile(r"/admin/org/department/chart/$"))

    page.locator("#id_root + .select2-container .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Engin")
    page.locator(".select2-results__option", has_text="Engineering (ENG)").click()
    page.locator("#id_depth").select_option("1")
    page.get_by_test_id("chart-show").click()

    expect(page).to_have_url(re.compile(rf"root={org['eng'].pk}&depth=1"))
    svg = page.get_by_test_id("org-chart-svg")
    expect(svg).to_contain_text("Engineering")
    expect(svg).not_to_contain_text("Web Platform")
    expect(node(page, org["eng"]).locator(".org-chart-more")).to_have_count(1)
    shot("01-engineering-one-level")
