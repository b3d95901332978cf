"""``{% unfold_fragment %}``: unfold's template of the same name, rendered once per key.

Only for the templates in ``templates/unfold/`` that override one of unfold's
with this single tag; ``apps.core.unfold_rows`` (overrides 6 and 7) says which and keys
them.
"""

from typing import Any

from django import template
from django.template.base import Parser, Token

from apps.core import unfold_rows

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, name: str) -> None:
        self.name = name
        self._original: Any = None

    def original(self, context: Any) -> Any:
        """unfold's template: the next one of this name after the one holding this tag."""
        if self._original is None:
            engine = context.template.engine
            self._original, _ = engine.find_template(self.name, skip=[self.origin])
        return self._original

    def render(self, context: Any) -> str:
        return unfold_rows.fragment_render(
            self.name, context, lambda: self.original(context).render(context)
        )


@register.tag
def unfold_fragment(parser: Parser, token: Token) -> FragmentNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('{% unfold_fragment "unfold/…/name.html" %}')
    name = bits[1][1:-1]
    if name not in unfold_rows.FRAGMENT_KEYS:
        raise template.TemplateSyntaxError(f"{name} has no fragment key in apps.core.unfold_rows")
    return FragmentNode(name)
