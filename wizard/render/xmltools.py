"""Parsing stock XML safely, and escaping text for new markup.

Stock files come from an operator's distribution, so the parser never fetches anything,
never expands external entities, and keeps comments and processing instructions (the
patchers map elements back to the file's bytes, which needs the full tree). Those bytes,
and the edits spliced into them, are `wizard.render.xmltext`.
"""

from __future__ import annotations

from lxml import etree


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        remove_comments=False,
        remove_pis=False,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )


def parse(data: bytes) -> etree._ElementTree:
    """`data` as an lxml tree; raises ValueError with lxml's reason on malformed XML."""
    try:
        return etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from exc


def text(value: str) -> str:
    """`value` as element text: `&`, `<` and `>` escaped, exactly once."""
    # What xml.sax.saxutils.escape does; that module loads urllib.request (and ssl) with it.
    return value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def attribute(value: str) -> str:
    """`value` inside a double-quoted attribute."""
    return text(value).replace('"', "&quot;")


def element_text(element: etree._Element | None) -> str | None:
    """The element's text content (children's text included), or None when absent."""
    if element is None:
        return None
    # lxml gives str; its stubs also allow bytes.
    return "".join(t for t in element.itertext() if isinstance(t, str))
