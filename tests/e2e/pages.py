"""Small page helpers shared by the browser flows: the admin's widgets, driven as a person would."""

import re
from urllib.parse import quote_plus

from playwright.sync_api import Locator, Page, expect

PASSWORD = "pw-for-tests-1"  # what the root conftest's make_user sets


def choose_autocomplete(page: Page, field: str, search: str, option: str) -> None:
    """Pick ``option`` in the select2 autocomplete of form field ``field`` after typing ``search``."""
    page.locator(f"#id_{field} + .select2-container .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).click()
    expect(page.locator(f"#select2-id_{field}-container")).to_contain_text(option)


def result_row(page: Page, text: str) -> Locator:
    """The changelist row whose text contains ``text``."""
    return page.locator("#result_list tbody tr").filter(has_text=text)


def search_changelist(page: Page, query: str) -> None:
    page.locator("#searchbar").fill(query)
    page.locator("#searchbar").press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(quote_plus(query))}(&|$)"))


def run_action(page: Page, row: Locator, action: str) -> None:
    """Tick ``row``, choose ``action`` in the action bar and run it."""
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(action)
    page.get_by_role("button", name="Run").click()


def confirm_soft_action(page: Page) -> None:
    page.get_by_test_id("confirm-soft-delete").click()


def error_message(page: Page, text: str) -> Locator:
    """An error box (message or form error) containing ``text``."""
    return page.locator(".errornote", has_text=text)


class ConsoleErrors:
    """Errors the page reported: uncaught exceptions and console.error lines.

    ``errors = ConsoleErrors(page)`` before the flow, ``assert not errors.found, errors``
    after it.
    """

    def __init__(self, page: Page) -> None:
        self.found: list[str] = []
        page.on("pageerror", lambda error: self.found.append(f"pageerror: {error}"))
        page.on("console", self._console)

    def _console(self, message: object) -> None:
        if message.type != "error":  # type: ignore[attr-defined]
            return
        # The browser asks for /favicon.ico by itself; the admin has none.
        if message.location.get("url", "").endswith("/favicon.ico"):  # type: ignore[attr-defined]
            return
        self.found.append(f"console: {message.text}")  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return "\n".join(self.found) or "no console errors"


def in_chinese(page: Page) -> None:
    """Read the next pages in Simplified Chinese (the language cookie the switch sets)."""
    if page.url in ("", "about:blank"):
        page.goto("/admin/login/")
    origin = page.url.split("/admin/", 1)[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": origin}])
