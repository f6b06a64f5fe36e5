"""carbon.xml: the port offset (`Server/Ports/Offset`), spliced into the stock file.

Only the offset's bytes change; see `wizard.render.xmltext` for how splicing keeps the rest.
"""

from __future__ import annotations

from functools import lru_cache

from wizard.render.xmltext import indent_step, parsed, splice

CARBON_NS = "http://wso2.org/projects/carbon/carbon.xml"
"""carbon.xml's root `Server` is in this default namespace."""

_Q = f"{{{CARBON_NS}}}"


def patch_carbon(stock: bytes, offset: int) -> bytes:
    """`stock` carbon.xml with `Server/Ports/Offset` set to `offset`; nothing else changes.

    A missing `Offset` (or `Ports`) is created in place, indented like its neighbours.
    """
    return _patch_carbon(stock, offset)


@lru_cache(maxsize=256)
def _patch_carbon(stock: bytes, offset: int) -> bytes:
    # Nodes on their own hosts share offsets: one copy of each distinct file, not one per node.
    if offset < 0:
        raise ValueError(f"port offset must be >= 0, not {offset}")
    doc = parsed(stock)
    root = doc.root
    if root.tag != f"{_Q}Server":
        raise ValueError(
            f"not a carbon.xml: root is {root.tag}, expected Server in namespace {CARBON_NS}"
        )
    m = doc.markup
    ports = root.find(f"{_Q}Ports")
    if ports is None:
        # No Ports at all: add one as the root's first child, holding only the offset.
        p = doc.spans.root.prefix
        outer = m.children_indent(root)
        inner = outer + indent_step(outer)
        nl = m.nl
        block = f"<{p}Ports>{nl}{inner}<{p}Offset>{offset}</{p}Offset>{nl}{outer}</{p}Ports>"
        return splice(stock, [m.insert_first_child(root, block)])
    offsets = ports.findall(f"{_Q}Offset")
    if not offsets:
        p = m.span(ports).prefix
        return splice(stock, [m.insert_first_child(ports, f"<{p}Offset>{offset}</{p}Offset>")])
    # Carbon reads the first Offset; setting every one keeps a stray duplicate from misleading.
    text = str(offset).encode("ascii")
    return splice(stock, [m.span(el).replace_content(text) for el in offsets])
