"""No inline style on our pages: what the Content-Security-Policy's style-src relies on.

The browser crawl (tests/e2e/test_csp.py) sees every violation on the pages it visits;
these checks keep the pieces the policy was built from in step with unfold's and ours.
"""

import base64
import hashlib
import re
from pathlib import Path

import unfold
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from unfold.settings import CONFIG_DEFAULTS
from unfold.sites import UnfoldAdminSite
from unfold.utils import convert_color

from apps.org.admin import TREE_INDENT_STEPS

ROOT = Path(settings.BASE_DIR)
ADMIN_CSS = (ROOT / "static/core/admin.css").read_text()
UNFOLD_TEMPLATES = Path(unfold.__file__).parent / "templates"
# A style attribute in markup, or a <style> element (our stylesheets are files).
INLINE_STYLE = re.compile(r"""\sstyle\s*=\s*["']|<style[\s>]""")


def _declarations(css: str) -> dict[str, str]:
    root = re.search(r":root\s*\{([^}]*)\}", css)
    assert root, "admin.css has no :root block"
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", root.group(1)))


def test_our_templates_and_python_render_no_inline_style():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for pattern in ("templates/**/*.html", "apps/**/*.py", "apps/**/*.html")
        for path in ROOT.glob(pattern)
        if "/tests/" not in str(path) and "/migrations/" not in str(path)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if INLINE_STYLE.search(line)
    ]
    assert offenders == []


def test_the_stylesheet_holds_unfold_s_default_palette_which_unfold_no_longer_prints():
    expected = {
        f"--color-{name}-{weight}": convert_color(value)
        for name, weights in CONFIG_DEFAULTS["COLORS"].items()
        for weight, value in weights.items()
    }

    assert _declarations(ADMIN_CSS) == expected
    request = RequestFactory().get("/admin/")
    request.user = AnonymousUser()
    assert UnfoldAdminSite().each_context(request)["colors"] == {}


def test_the_style_hash_in_the_policy_is_the_one_of_unfold_s_changelist_style():
    template = (UNFOLD_TEMPLATES / "admin/change_list.html").read_text()
    blocks = re.findall(r"<style>(.*?)</style>", template, re.S)
    digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
    source = f"'sha256-{digest}'"

    assert len(blocks) == 1
    assert source == settings.CSP_CHANGELIST_STYLE_HASH
    assert (
        settings.CSP_CHANGELIST_STYLE_HASH
        in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    )


def test_unfold_prints_no_other_style_element_than_the_two_handled():
    with_style = sorted(
        str(path.relative_to(UNFOLD_TEMPLATES))
        for path in UNFOLD_TEMPLATES.rglob("*.html")
        if "<style" in path.read_text()
    )

    assert with_style == ["admin/change_list.html", "unfold/layouts/skeleton.html"]


def test_every_indentation_step_of_the_department_list_has_a_class():
    steps = {int(n) for n in re.findall(r"\.bo-indent-(\d+)\s*\{", ADMIN_CSS)}

    assert steps == set(range(1, TREE_INDENT_STEPS + 1))
