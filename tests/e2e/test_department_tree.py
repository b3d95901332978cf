"""HR plans department moves on the tree page, previews them and saves them with a reason."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.org.models import Department
from apps.org.services import department_create, department_update, employee_create
from tests.e2e.pages import in_chinese

pytestmark = pytest.mark.browser


@pytest.fixture
def org(org):
    """The shared tree (conftest), with Design Systems under Web, Ada leading Engineering and
    three people in Web."""
    department_create(actor=None, name="Design Systems", code="DSY", parent=org["web"])
    lead = employee_create(
        actor=None, username="ada", first_name="Ada", last_name="King", department=org["eng"]
    )
    department_update(department=org["eng"], actor=None, manager=lead)
    for i in range(3):
        employee_create(actor=None, username=f"web{i}", department=org["web"])
    return org


def node(page: Page, department):
    return page.get_by_test_id("dept-tree").locator(f'li.dept-node[data-id="{department.pk}"]')


def row(page: Page, department):
    return node(page, department).locator("> .dept-node-row")


def expand(page: Page, department) -> None:
    row(page, department).get_by_test_id("tree-toggle").click()
    expect(row(page, department).get_by_test_id("tree-toggle")).to_have_attribute(
        "aria-expanded", "true"
    )


def drag(page: Page, source, target) -> None:
    """Drag by the row with real mouse moves: SortableJS runs in fallback (mouse) mode."""
    start = row(page, source).locator(".dept-name").bounding_box()
    end = row(page, target).locator(".dept-name").bounding_box()
    page.mouse.move(start["x"] + 5, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 15, start["y"] + start["height"] / 2 + 5, steps=5)
    page.mouse.move(end["x"] + 10, end["y"] + end["height"] / 2, steps=15)
    expect(node(page, target)).to_have_class(re.compile("dept-drop-hover"))
    page.mouse.up()


def open_tree(page: Page, log_in, org) -> None:
    log_in(page, "hr")
    page.locator("#nav-sidebar-inner").get_by_role("link", name="Department tree").click()
    expect(page).to_have_url(re.compile(r"/admin/org/department/tree/$"))
    expect(node(page, org["bog"])).to_be_visible()
    expand(page, org["bog"])
    expect(node(page, org["eng"])).to_be_visible()


def test_hr_drags_a_department_previews_and_saves_with_a_reason(
    page: Page, shot, log_in, make_user, org
):
    make_user("hr")
    open_tree(page, log_in, org)
    expand(page, org["eng"])
    expect(row(page, org["web"])).to_contain_text("3 people")
    shot("01-tree")

    drag(page, org["web"], org["fin"])
    pending = page.get_by_test_id("tree-pending-move")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("Web Platform → under Finance")
    expect(node(page, org["fin"]).locator(f'li[data-id="{org["web"].pk}"]')).to_be_visible()

    # Undo puts it back; dragging again re-plans it.
    pending.get_by_test_id("tree-undo").click()
    expect(pending).to_have_count(0)
    expect(node(page, org["eng"]).locator(f'li[data-id="{org["web"].pk}"]')).to_be_visible()
    drag(page, org["web"], org["fin"])
    expect(pending).to_have_count(1)

    page.get_by_test_id("tree-preview").click()
    result = page.get_by_test_id("tree-preview-move")
    expect(result).to_contain_text("2 departments · 3 employees")
    expect(result).to_contain_text("From: Backoffice Group › Engineering")
    expect(result).to_contain_text("To: Backoffice Group › Finance")
    expect(result).to_contain_text("Managers losing these people: Ada King")
    shot("02-preview")

    page.get_by_test_id("tree-reason").fill("Web joins Finance for the billing work")
    page.get_by_test_id("tree-save").click()
    expect(page.get_by_test_id("tree-success")).to_be_visible()
    expect(page.get_by_test_id("tree-pending-move")).to_have_count(0)
    # After the reload the moved department is opened up to and highlighted in its new place.
    moved = node(page, org["fin"]).locator(f'li[data-id="{org["web"].pk}"]')
    expect(moved).to_be_visible()
    expect(moved).to_have_class(re.compile("is-moved"))
    expect(row(page, org["fin"]).get_by_test_id("tree-toggle")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(page.locator("#dept-tree")).to_have_attribute("class", re.compile("dept-tree"))
    expect(page.locator("#dept-tree-page")).to_have_attribute("data-ready", "true")
    shot("03-saved-highlighted")
    assert Department.objects.get(pk=org["web"].pk).parent_id == org["fin"].pk

    page.goto(f"/admin/org/department/{org['web'].pk}/history/")
    expect(page.locator("#content")).to_contain_text("Web joins Finance for the billing work")


def test_a_drop_onto_a_descendant_is_refused_at_preview(page: Page, shot, log_in, make_user, org):
    make_user("hr")
    open_tree(page, log_in, org)
    expand(page, org["eng"])
    drag(page, org["eng"], org["web"])
    expect(page.get_by_test_id("tree-pending-move")).to_contain_text("Engineering → under Web")
    page.get_by_test_id("tree-preview").click()
    error = page.get_by_test_id("tree-error")
    expect(error).to_contain_text("cannot be moved under itself or one of its own sub-departments")
    expect(page.get_by_test_id("tree-reload")).to_be_hidden()
    shot("01-refusal")


def test_save_refuses_when_the_tree_changed_meanwhile(page: Page, shot, log_in, make_user, org):
    make_user("hr")
    open_tree(page, log_in, org)
    # Without a mouse: "Move to…" and a search for the new parent.
    row(page, org["eng"]).get_by_test_id("tree-move-to").click()
    page.get_by_test_id("tree-move-search").fill("Fina")
    page.get_by_test_id("tree-move-results").get_by_test_id("tree-move-target").filter(
        has_text="Finance"
    ).click()
    expect(page.get_by_test_id("tree-pending-move")).to_contain_text("Engineering → under Finance")
    page.get_by_test_id("tree-preview").click()
    expect(page.get_by_test_id("tree-preview-move")).to_contain_text("3 departments · 4 employees")

    department_create(actor=None, name="Legal", code="LEG", parent=org["bog"])
    page.get_by_test_id("tree-reason").fill("Reorg")
    page.get_by_test_id("tree-save").click()
    expect(page.get_by_test_id("tree-error")).to_contain_text(
        "The organisation changed since you loaded this page"
    )
    expect(page.get_by_test_id("tree-reload")).to_be_visible()
    shot("01-tree-changed")
    assert Department.objects.get(pk=org["eng"].pk).parent_id == org["bog"].pk

    page.get_by_test_id("tree-reload").click()
    expand(page, org["bog"])
    expect(page.get_by_test_id("dept-tree")).to_contain_text("Legal")


def test_search_expands_the_path_and_highlights_the_match(page: Page, log_in, make_user, org):
    make_user("hr")
    log_in(page, "hr")
    page.goto("/admin/org/department/")
    page.get_by_test_id("department-tree-link").click()
    expect(node(page, org["bog"])).to_be_visible()
    page.get_by_test_id("tree-search").fill("DSY")
    page.get_by_test_id("tree-search-result").filter(has_text="Design Systems").click()
    dsy = page.locator("li.dept-node.is-highlighted")
    expect(dsy).to_contain_text("Design Systems")
    expect(dsy).to_be_visible()


def test_keyboard_only_move_under_a_chinese_named_department(
    page: Page, shot, log_in, make_user, org
):
    """No mouse: Enter on the buttons, typing in the dialog, Tab to the result, Enter."""
    make_user("hr")
    shared = department_create(actor=None, name="财务共享中心", code="CWGX", parent=org["fin"])
    log_in(page, "hr")
    page.goto("/admin/org/department/tree/")
    expect(node(page, org["bog"])).to_be_visible()
    row(page, org["bog"]).get_by_test_id("tree-toggle").focus()
    page.keyboard.press("Enter")
    expect(node(page, org["eng"])).to_be_visible()

    move_to = row(page, org["eng"]).get_by_role("button", name="Move to… Engineering")
    move_to.focus()
    page.keyboard.press("Enter")
    search = page.get_by_test_id("tree-move-search")
    expect(search).to_be_focused()
    page.keyboard.type("财")  # one CJK character is a whole query
    result = page.get_by_test_id("tree-move-results").locator(
        f'[data-testid="tree-move-target"][data-id="{shared.pk}"]'
    )
    expect(result).to_have_text("财务共享中心CWGX")
    expect(page.get_by_test_id("tree-move-target")).to_have_count(1)  # a search hides the top
    page.keyboard.press("Tab")
    expect(result).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("tree-pending-move")).to_contain_text(
        "Engineering → under 财务共享中心"
    )

    page.get_by_test_id("tree-preview").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("tree-preview-move")).to_contain_text("Finance › 财务共享中心")
    shot("01-keyboard-preview-cjk")
    page.get_by_test_id("tree-reason").focus()
    page.keyboard.type("Shared services take over engineering budgets")
    page.get_by_test_id("tree-save").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("tree-success")).to_be_visible()
    assert Department.objects.get(pk=org["eng"].pk).parent_id == shared.pk


def test_move_to_is_a_centred_dialog_offering_only_real_moves(
    page: Page, shot, log_in, make_user, org
):
    make_user("hr")
    open_tree(page, log_in, org)
    expand(page, org["eng"])
    row(page, org["eng"]).get_by_test_id("tree-move-to").click()
    dialog = page.get_by_test_id("tree-move-dialog")
    expect(dialog).to_be_visible()
    targets = dialog.get_by_test_id("tree-move-target")
    # Not its parent (the group), not itself, Web Platform or Design Systems below it.
    expect(targets).to_have_count(2)
    expect(targets.nth(0)).to_have_text("The top of the organisation")
    expect(targets.nth(1)).to_contain_text("Finance")
    box = dialog.bounding_box()
    viewport = page.viewport_size
    assert box is not None
    assert viewport is not None
    # Centred in the window, clear of the sidebar's corner.
    assert abs(box["x"] + box["width"] / 2 - viewport["width"] / 2) < 4, box
    assert abs(box["y"] + box["height"] / 2 - viewport["height"] / 2) < 4, box
    assert box["x"] > 300, box
    shot("01-move-dialog")

    page.get_by_test_id("tree-move-search").fill("Web")
    expect(dialog.get_by_text("No department to move it to.")).to_be_visible()
    page.get_by_test_id("tree-move-close").click()
    expect(dialog).to_be_hidden()

    # Web Platform's choices: the top, the group and Finance; Engineering is its parent.
    row(page, org["web"]).get_by_test_id("tree-move-to").click()
    expect(targets).to_have_count(3)
    expect(dialog).not_to_contain_text("Engineering")
    targets.filter(has_text="Finance").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("tree-pending-move")).to_contain_text("Web Platform → under Finance")


def test_department_names_link_to_the_department(page: Page, log_in, make_user, org):
    make_user("hr")
    open_tree(page, log_in, org)
    row(page, org["eng"]).get_by_test_id("tree-name").click()
    expect(page).to_have_url(re.compile(rf"/admin/org/department/{org['eng'].pk}/change/$"))


def test_the_move_dialog_in_chinese(page: Page, shot, log_in, make_user, org):
    make_user("hr")
    log_in(page, "hr")
    in_chinese(page)
    page.goto("/admin/org/department/tree/")
    expect(node(page, org["bog"])).to_be_visible()
    expand(page, org["bog"])
    row(page, org["eng"]).get_by_test_id("tree-move-to").click()
    dialog = page.get_by_test_id("tree-move-dialog")
    expect(dialog.get_by_test_id("tree-move-target")).to_have_count(2)
    shot("01-move-dialog-zh")
    dialog.get_by_test_id("tree-move-target").filter(has_text=org["fin"].name).click()
    expect(page.get_by_test_id("tree-pending-move")).to_have_count(1)
    page.get_by_test_id("tree-preview").click()
    expect(page.get_by_test_id("tree-preview-move")).to_be_visible()
    page.get_by_test_id("tree-reason").fill("财务重组")
    page.get_by_test_id("tree-save").click()
    moved = node(page, org["fin"]).locator(f'li[data-id="{org["eng"].pk}"]')
    expect(moved).to_have_class(re.compile("is-moved"))
    shot("02-saved-zh")
