"""lxml's XPath results, narrowed to what the caller asked for.

`xpath()` returns whatever the expression evaluates to: a node-set (a list of elements,
strings or tuples), a number, a string or a boolean. The paths the wizard evaluates select
elements, or count them; these say so once, and fail loudly if an expression ever does not.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree


def elements(
    node: etree._Element | etree._ElementTree,
    path: str,
    namespaces: Mapping[str, str] | None = None,
) -> list[etree._Element]:
    """The elements `path` selects from `node`, in document order."""
    found = node.xpath(path, namespaces=namespaces)
    if isinstance(found, list):
        selected = [item for item in found if isinstance(item, etree._Element)]
        if len(selected) == len(found):
            return selected
    raise TypeError(f"XPath {path!r} selects something other than elements")


def number(node: etree._Element, expression: str) -> float:
    """What a numeric `expression` (e.g. `count(//*)`) evaluates to from `node`."""
    found = node.xpath(expression)
    if isinstance(found, float):
        return found
    raise TypeError(f"XPath {expression!r} is not a number")
