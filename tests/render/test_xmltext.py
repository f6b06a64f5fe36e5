"""The byte-level XML lexer and splice edits every patcher shares (wizard.render.xmltext)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from wizard.render import xmltools
from wizard.render.xmltext import (
    Edit,
    Markup,
    attributes,
    comment_spans,
    element_spans,
    indent_step,
    splice,
)

# ---- lexing ------------------------------------------------------------------------------

names = st.sampled_from(["a", "b", "svns:x", "Offset", "p-q.r"])
texts = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF), max_size=8)


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    name = draw(names)
    nsmap = {"svns": "urn:x"}
    tag = f"{{urn:x}}{name.split(':')[1]}" if ":" in name else name
    element = etree.Element(tag, nsmap=nsmap) if depth == 0 else etree.Element(tag)
    for attr in draw(st.lists(st.sampled_from(["k", "v", "w"]), unique=True, max_size=2)):
        element.set(attr, draw(texts))  # may hold > < & " and '
    element.text = draw(texts)
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["element", "comment", "pi"]))
            if kind == "element":
                child = draw(documents(depth + 1))
            elif kind == "comment":
                child = etree.Comment(draw(texts).replace("-", "_") or " ")
            else:
                child = etree.ProcessingInstruction("pi", draw(texts).replace("?", "_"))
            child.tail = draw(texts)
            element.append(child)
    return element


def canonical(element: etree._Element) -> bytes:
    # Exclusive C14N: only the namespaces the element really uses are rendered.
    return etree.tostring(element, method="c14n", exclusive=True, with_tail=False)


def as_bytes(root: etree._Element, cdata: bool) -> bytes:
    if cdata:
        root.append(etree.Element("c"))
        root[-1].text = etree.CDATA("x <a> <!-- ]]")
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    # lxml always escapes ">"; stock files often do not, in text and in attributes.
    return data if b"]]&gt;" in data else data.replace(b"&gt;", b">")


@settings(max_examples=150, deadline=None)
@given(documents(), st.booleans())
def test_element_spans_match_lxml(root: etree._Element, cdata: bool) -> None:
    data = as_bytes(root, cdata)
    spans = element_spans(data)
    elements = list(etree.fromstring(data).iter(etree.Element))
    assert [s.name.rsplit(":", 1)[-1] for s in spans] == [
        etree.QName(e).localname for e in elements
    ]
    for span, element in zip(spans, elements, strict=True):
        own = data[span.start : span.end]
        assert own.startswith(b"<") and own.endswith(b">")
        # The span is the element: parsing it alone (namespaces declared) gives it back.
        wrapped = b'<w xmlns:svns="urn:x">' + own + b"</w>"
        again = etree.fromstring(wrapped)[0]
        assert canonical(again) == canonical(element)


@settings(max_examples=100, deadline=None)
@given(documents(), st.booleans())
def test_attributes_match_lxml(root: etree._Element, cdata: bool) -> None:
    data = as_bytes(root, cdata)
    elements = list(etree.fromstring(data).iter(etree.Element))
    for span, element in zip(element_spans(data), elements, strict=True):
        found, after = attributes(data, span)
        # Namespace declarations are attributes as written; lxml keeps them apart.
        written = {n: a for n, a in found.items() if n.split(":")[0] != "xmlns"}
        assert sorted(written) == sorted(element.attrib)
        for name, attribute in written.items():
            assert data[attribute.start : attribute.end] == attribute.quoted
            alone = etree.fromstring(b"<x a=" + attribute.quoted + b"/>")
            assert alone.get("a") == element.get(name)
        # Only blanks (or nothing) between the last attribute and the tag's end.
        assert data[after : span.open_end].strip() in (b">", b"/>")


@settings(max_examples=100, deadline=None)
@given(documents(), st.booleans())
def test_comment_spans_match_lxml(root: etree._Element, cdata: bool) -> None:
    data = as_bytes(root, cdata)
    comments = list(etree.fromstring(data).iter(etree.Comment))
    spans = comment_spans(data, 0, len(data))
    assert [data[s + 4 : e - 3].decode() for s, e in spans] == [c.text for c in comments]


def test_comment_spans_stay_inside_the_range() -> None:
    data = b"<a><!--1--><b><!--2--><?p <!--x-->?></b><!--3--></a>"
    b_start, b_end = data.index(b"<b>"), data.index(b"</b>")
    assert [data[s:e] for s, e in comment_spans(data, b_start, b_end)] == [b"<!--2-->"]


def test_a_gt_inside_an_attribute_value_does_not_end_the_tag() -> None:
    data = b"<a x='1>2' y=\"3\"><b/></a>"
    a, b = element_spans(data)
    assert (a.name, data[a.start : a.open_end]) == ("a", b"<a x='1>2' y=\"3\">")
    found, after = attributes(data, a)
    assert found["x"].quote == "'" and found["y"].quoted == b'"3"'
    assert data[after] == ord(">") and b.empty_tag


# ---- edits ---------------------------------------------------------------------------------


def test_splice_applies_edits_in_any_order_and_refuses_overlaps() -> None:
    data = b"0123456789"
    out = splice(data, [Edit(8, 9, b"X"), Edit(1, 3, b""), Edit(5, 5, b"+")])
    assert out == b"034+567X9"
    with pytest.raises(ValueError, match="overlapping"):
        splice(data, [Edit(1, 4, b""), Edit(3, 5, b"")])


def test_indent_step() -> None:
    assert indent_step("  ", "     ") == "   "
    assert indent_step("\t") == "\t"
    assert indent_step("  ", "  ") == "    "


def markup(data: bytes) -> tuple[Markup, etree._Element]:
    root = xmltools.parse(data).getroot()
    return Markup(data, root), root


CRLF_TABS = (
    b'<?xml version="1.0" encoding="ISO-8859-1"?>\r\n'
    b"<r>\r\n\t<a>\r\n\t\t<b/>\r\n\t</a>\r\n\t<e/>\r\n</r>\r\n"
)


def test_markup_follows_the_file() -> None:
    m, root = markup(CRLF_TABS)
    a, e = root.find("a"), root.find("e")
    assert (m.nl, m.unit, m.encoding) == ("\r\n", "\t", "ISO-8859-1")
    assert m.encode("\u20ac") == b"&#8364;"
    out = splice(CRLF_TABS, [m.insert_before(a, "<n/>"), m.insert_first_child(a, "<f/>")])
    assert b"<r>\r\n\t<n/>\r\n\t<a>\r\n\t\t<f/>\r\n\t\t<b/>" in out
    out = splice(CRLF_TABS, [m.insert_last_child(e, "<g/>", "\t\t")])
    assert b"\t<e>\r\n\t\t<g/>\r\n\t</e>\r\n</r>" in out
    # Removing what insert_after(blank_line=True) added gives the file back.
    added = splice(
        CRLF_TABS,
        [m.insert_after(a, m.block([(0, "<z>"), (1, "<y/>"), (0, "</z>")], "\t"), blank_line=True)],
    )
    assert b"\t</a>\r\n\r\n\t<z>\r\n\t\t<y/>\r\n\t</z>\r\n\t<e/>" in added
    m2, root2 = markup(added)
    assert splice(added, [m2.remove(root2.find("z"))]) == CRLF_TABS


def test_insert_first_child_into_an_empty_element() -> None:
    data = b"<r>\n  <p/>\n  <q>  </q>\n</r>\n"
    m, root = markup(data)
    out = splice(data, [m.insert_first_child(root.find("p"), "<x/>")])
    assert out == b"<r>\n  <p>\n      <x/>\n  </p>\n  <q>  </q>\n</r>\n"
    out = splice(data, [m.insert_first_child(root.find("q"), "<x/>")])
    assert out == b"<r>\n  <p/>\n  <q>\n      <x/>\n  </q>\n</r>\n"
