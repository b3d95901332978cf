"""HR looks at the org chart, folds a branch, drills down and exports it."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.org.models import Department
from apps.org.services import (
    department_create,
    department_deactivate,
    department_update,
    employee_create,
)
from tests.e2e.pages import ConsoleErrors, in_chinese

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
    # The export is the whole chart at full size, whatever the zoom on screen.
    size = re.search(r'<svg[^>]* width="(\d+)" height="(\d+)"', content)
    assert size, content[:300]
    assert (width, height) == (2 * int(size.group(1)), 2 * int(size.group(2)))

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


@pytest.fixture
def wide(org):
    """Twenty-four teams under Finance, some with long names: wider than any screen."""
    for i in range(24):
        department_create(
            actor=None,
            name=f"Accounts Receivable and Collections Team {i}" if i % 3 == 0 else f"Team {i}",
            code="T" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] * 2,
            parent=org["fin"],
        )
    return org


def _box(page: Page, department) -> dict:
    box = node(page, department).locator(".org-chart-frame").bounding_box()
    assert box is not None
    return box


def _inside(box: dict, area: dict) -> bool:
    return (
        box["x"] >= area["x"] - 1
        and box["y"] >= area["y"] - 1
        and box["x"] + box["width"] <= area["x"] + area["width"] + 1
        and box["y"] + box["height"] <= area["y"] + area["height"] + 1
    )


def _world(page: Page) -> str:
    return page.locator("[data-testid=org-chart-svg] [data-world]").get_attribute("transform")


def test_the_chart_opens_fitted_and_zooms_pans_and_finds(page: Page, shot, log_in, make_user, wide):
    make_user("hr")
    log_in(page, "hr")
    page.goto("/admin/org/department/chart/")
    chart = page.get_by_test_id("org-chart")
    expect(chart).to_have_attribute("data-ready", "true")
    area = chart.bounding_box()
    assert area is not None
    # The top department is on screen, whole, however wide the chart is.
    assert _inside(_box(page, wide["bog"]), area), (_box(page, wide["bog"]), area)
    # Long names wrap onto a second line instead of being cut.
    long_name = page.locator("[data-testid=org-chart-svg] .org-chart-name", has_text="Accounts")
    expect(long_name.first.locator("tspan")).to_have_count(2)
    shot("01-fitted")

    level = page.get_by_test_id("chart-zoom-level")
    before = float(chart.get_attribute("data-zoom"))
    page.get_by_test_id("chart-zoom-in").click()
    assert float(chart.get_attribute("data-zoom")) == pytest.approx(before * 1.25, rel=0.01)
    page.get_by_test_id("chart-zoom-out").click()
    page.get_by_test_id("chart-zoom-out").click()
    assert float(chart.get_attribute("data-zoom")) < before
    expect(level).to_have_text(re.compile(r"^\d+%$"))

    # The wheel zooms about the pointer.
    zoom = float(chart.get_attribute("data-zoom"))
    page.mouse.move(area["x"] + area["width"] / 2, area["y"] + 100)
    page.mouse.wheel(0, -300)
    expect(chart).not_to_have_attribute("data-zoom", f"{zoom:.3f}")
    assert float(chart.get_attribute("data-zoom")) > zoom

    # Dragging pans, and does not fold the box it starts on.
    top = _box(page, wide["bog"])
    page.mouse.move(top["x"] + 20, top["y"] + 20)
    page.mouse.down()
    page.mouse.move(top["x"] + 120, top["y"] + 80, steps=8)
    page.mouse.up()
    moved = _box(page, wide["bog"])
    assert moved["x"] == pytest.approx(top["x"] + 100, abs=2)
    assert moved["y"] == pytest.approx(top["y"] + 60, abs=2)
    expect(node(page, wide["bog"])).to_have_attribute("data-collapsed", "false")

    page.get_by_test_id("chart-fit").click()
    assert _inside(_box(page, wide["bog"]), chart.bounding_box())

    # Search: the match is brought to the middle of the chart and highlighted.
    page.get_by_test_id("chart-search").fill("Team 22")
    page.get_by_test_id("chart-search-result").filter(has_text="Team 22").click()
    team = Department.objects.get(name="Team 22")
    expect(chart).to_have_attribute("data-highlighted", str(team.pk))
    found = _box(page, team)
    assert _inside(found, chart.bounding_box())
    centre = chart.bounding_box()
    assert abs(found["x"] + found["width"] / 2 - (centre["x"] + centre["width"] / 2)) < 4
    expect(node(page, team).locator(".org-chart-frame")).to_have_attribute("stroke-width", "3")
    shot("02-found")


def test_a_folded_match_is_unfolded_to_show_it(page: Page, log_in, make_user, org):
    make_user("hr")
    log_in(page, "hr")
    page.goto("/admin/org/department/chart/")
    node(page, org["eng"]).click()
    expect(node(page, org["eng"])).to_have_attribute("data-collapsed", "true")
    page.get_by_test_id("chart-search").fill("WEB")
    page.get_by_test_id("chart-search").press("Enter")
    expect(node(page, org["web"])).to_be_visible()
    expect(node(page, org["eng"])).to_have_attribute("data-collapsed", "false")


def test_the_people_view_shows_each_manager_and_their_reports(
    page: Page, shot, log_in, make_user, org
):
    make_user("hr")
    grace = employee_create(
        actor=None,
        username="grace",
        first_name="Grace",
        last_name="Hopper",
        position="Head of web",
        department=org["web"],
    )
    department_update(department=org["web"], actor=None, manager=grace)
    log_in(page, "hr")
    page.goto("/admin/org/department/chart/")
    page.get_by_test_id("chart-view-people").click()
    expect(page).to_have_url(re.compile(r"view=people"))
    svg = page.get_by_test_id("org-chart-svg")
    expect(node(page, org["eng"])).to_contain_text("Ada King")
    expect(node(page, org["web"])).to_contain_text("Grace Hopper")
    # Grace is Ada's report (she heads a sub-department); Web's people are Grace's.
    web_people = svg.locator(f'g.org-chart-member[data-node-id^="{org["web"].pk}:"]')
    expect(web_people).to_have_count(3)
    expect(svg.locator(f'g[data-node-id="{org["bog"].pk}"]')).to_contain_text("No manager to show")
    chart = page.get_by_test_id("org-chart")
    assert _inside(_box(page, org["bog"]), chart.bounding_box())
    shot("01-people")

    page.get_by_test_id("chart-search").fill("Grace")
    page.get_by_test_id("chart-search-result").first.click()
    expect(chart).to_have_attribute("data-highlighted", str(org["web"].pk))
    shot("02-people-found")


def test_the_chart_in_chinese(page: Page, shot, log_in, make_user, wide):
    make_user("hr")
    department_create(
        actor=None, name="财务共享服务中心应收账款与催收管理部", code="CWGX", parent=wide["eng"]
    )
    log_in(page, "hr")
    in_chinese(page)
    page.goto("/admin/org/department/chart/")
    expect(page.get_by_test_id("org-chart")).to_have_attribute("data-ready", "true")
    cjk = page.locator("[data-testid=org-chart-svg] .org-chart-name", has_text="财务共享")
    expect(cjk.locator("tspan")).to_have_count(2)
    shot("01-chart-zh")
    page.get_by_test_id("chart-view-people").click()
    expect(page.get_by_test_id("org-chart")).to_have_attribute("data-ready", "true")
    shot("02-people-zh")


@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
def test_staff_pick_a_department_in_the_picker_and_the_chart_redraws(
    page: Page, shot, log_in, make_user, org, chinese
):
    """Staff may not list departments, yet see the chart: the picker answers them too."""
    make_user("staff")
    log_in(page, "staff")
    if chinese:
        in_chinese(page)
    errors = ConsoleErrors(page)
    lang = "zh" if chinese else "en"
    page.goto("/admin/org/department/chart/")
    expect(page.get_by_test_id("org-chart")).to_have_attribute("data-ready", "true")

    page.locator("#id_root + .select2-container .select2-selection").click()
    options = page.locator(".select2-results__option")
    # Every active department the chart shows, never the inactive one.
    expect(options.filter(has_text="Finance (FIN)")).to_have_count(1)
    expect(options.filter(has_text="Legacy Ops")).to_have_count(0)
    page.locator(".select2-container--open .select2-search__field").fill("web")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("Web Platform (WEB)")
    shot(f"01-staff-picker-open-{lang}")
    options.first.click()
    expect(page.locator("#select2-id_root-container")).to_contain_text("Web Platform (WEB)")
    page.get_by_test_id("chart-show").click()

    expect(page).to_have_url(re.compile(rf"root={org['web'].pk}"))
    expect(page.get_by_test_id("org-chart")).to_have_attribute("data-ready", "true")
    svg = page.get_by_test_id("org-chart-svg")
    expect(svg).to_contain_text("Web Platform")
    expect(svg).to_contain_text("Design Systems")
    expect(svg).not_to_contain_text("Finance")
    expect(page.locator("#select2-id_root-container")).to_contain_text("Web Platform (WEB)")
    shot(f"02-staff-chart-redrawn-{lang}")
    assert not errors.found, errors
