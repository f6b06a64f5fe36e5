"""Product files that name what the plan decides: identity.xml, consent-mgt-config.xml,
api-manager.xml, and carbon.xml / catalina-server.xml behind a load balancer.

Each edit sets one element's text (or one attribute) found by its path of local names below
the root; every other byte of the stock file stays (see `wizard.render.xmltext`). A path
the stock file lacks is an error that names it, unless the edit may create the element.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from wizard.render import xmltools
from wizard.render.xmltext import (
    Edit,
    Span,
    attributes,
    encode,
    newline_of,
    parsed,
    splice,
    xml_encoding,
)
from wizard.wiring import ElementEdit, FileEdits

_STEP = re.compile(r"^(?P<name>[A-Za-z_][\w.-]*)(?:\[@(?P<attr>[\w.-]+)='(?P<value>[^']*)'\])?$")


def patch_product_file(stock: bytes, edits: FileEdits) -> bytes:
    """`stock` with every edit of `edits` applied; raises ValueError naming a missing path."""
    return _patch(stock, edits.edits)


@lru_cache(maxsize=256)
def _patch(stock: bytes, edits: tuple[ElementEdit, ...]) -> bytes:
    # Created elements change the byte offsets of everything after them: one edit at a time
    # keeps each span map true to the bytes it was made from (files hold a handful of edits).
    data = stock
    for edit in edits:
        data = _apply(data, edit)
    return data


def _apply(data: bytes, edit: ElementEdit) -> bytes:
    doc = parsed(data)
    *parents, last = edit.path.split("/")
    found = _find(doc.root, edit.path.split("/"))
    if not found:
        if not edit.create or edit.attribute is not None:
            raise ValueError(f"it has no {edit.path}; the plan sets it to {edit.value!r}")
        holders = _find(doc.root, parents) if parents else [doc.root]
        if not holders:
            raise ValueError(f"it has no {'/'.join(parents)} to hold {last}")
        p = doc.spans.span(holders[0]).prefix
        markup = f"<{p}{last}>{xmltools.text(edit.value)}</{p}{last}>"
        return splice(data, [doc.markup.insert_first_child(holders[0], markup)])
    encoding = xml_encoding(data)
    if edit.attribute is None:
        value = encode(xmltools.text(edit.value), encoding)
        return splice(data, [doc.spans.span(el).replace_content(value) for el in found])
    value = encode(xmltools.attribute(edit.value), encoding)
    spans = [doc.spans.span(el) for el in found]
    return splice(data, [_set_attribute(data, span, edit.attribute, value) for span in spans])


def _find(root: etree._Element, steps: list[str]) -> list[etree._Element]:
    """Elements at `steps` below `root`, by local name (files with a default namespace too)."""
    current = [root]
    for step in steps:
        m = _STEP.match(step)
        if m is None:
            raise ValueError(f"bad element path step {step!r}")
        found = []
        for parent in current:
            for child in parent:
                if not isinstance(child.tag, str) or etree.QName(child).localname != m["name"]:
                    continue
                if m["attr"] is not None and child.get(m["attr"]) != m["value"]:
                    continue
                found.append(child)
        current = found
    return current


def _set_attribute(data: bytes, span: Span, name: str, value: bytes) -> Edit:
    """Replace the attribute's quoted value in the start tag, or add it after the last one."""
    found, at = attributes(data, span)
    attribute = found.get(name)
    if attribute is not None:
        return Edit(attribute.start, attribute.end, b'"' + value + b'"')
    new = name.encode() + b'="' + value + b'"'
    lines = data[span.start : span.open_end].splitlines()
    if len(lines) == 1:
        return Edit(at, at, b" " + new)
    # Attributes one per line (catalina-server.xml's connectors): a line of its own, indented
    # like the last attribute.
    indent = lines[-1][: len(lines[-1]) - len(lines[-1].lstrip())]
    return Edit(at, at, newline_of(data).encode() + indent + new)
