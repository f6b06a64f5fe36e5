"""carbon.xml: the port offset, and the byte-preserving splice helpers the other patchers share.

Stock files are edited by *splicing*: lxml parses the file (namespace-aware, so the right
element is found) and a small lexer maps that element to its byte span in the original file;
only those bytes are replaced. Everything else (CRLF line ends, attribute quoting, character
references, Maven `${...}` placeholders, the XML declaration) stays byte-identical, which a
parse/serialize round trip through lxml cannot promise (it normalises CRLF, for one; the
kernel axis2.xml is a CRLF file).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from wizard.render import xmltools

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
    spans = doc.spans
    text = str(offset).encode("ascii")
    ports = root.find(f"{_Q}Ports")
    if ports is None:
        # No Ports at all: add one as the root's first child, holding only the offset.
        root_span = spans.root
        p = root_span.prefix
        nl = newline_of(stock)
        outer = child_indent(stock, root_span)
        inner = outer + ("\t" if outer.endswith("\t") else "    ")
        block = f"<{p}Ports>{nl}{inner}<{p}Offset>{offset}</{p}Offset>{nl}{outer}</{p}Ports>"
        return insert_first_child(stock, root_span, block)
    offsets = ports.findall(f"{_Q}Offset")
    if not offsets:
        ports_span = spans.span(ports)
        p = ports_span.prefix
        return insert_first_child(stock, ports_span, f"<{p}Offset>{offset}</{p}Offset>")
    # Carbon reads the first Offset; setting every one keeps a stray duplicate from misleading.
    return splice(stock, [spans.span(el).replace_content(text) for el in offsets])


# --------------------------------------------------------------------------------------------
# Byte spans of elements, and splicing. (Candidates for wizard/render/xmltools.py.)
# --------------------------------------------------------------------------------------------

_START_TAG = re.compile(
    rb"""<([^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""", re.DOTALL
)
_END_TAG = re.compile(rb"</([^\s>]+)\s*>")
_SKIP = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))


@dataclass(frozen=True)
class Span:
    """Where one element sits in the file, as byte offsets."""

    name: str
    """Qualified name exactly as written (`password`, `svns:x`)."""
    start: int
    """Offset of the start tag's `<`."""
    open_end: int
    """Just past the start tag's `>`."""
    close_start: int
    """Offset of the end tag's `</` (equals `open_end` for an empty-element tag)."""
    end: int
    """Just past the end tag (equals `open_end` for an empty-element tag)."""

    @property
    def empty_tag(self) -> bool:
        return self.open_end == self.end

    @property
    def prefix(self) -> str:
        """`svns:` for `svns:x`, empty for an unprefixed name (default namespace kept)."""
        return self.name[: self.name.index(":") + 1] if ":" in self.name else ""

    def replace(self, data: bytes) -> Edit:
        """Replace the whole element."""
        return Edit(self.start, self.end, data)

    def replace_content(self, data: bytes) -> Edit:
        """Replace what is between the tags (an empty-element tag is opened up)."""
        if self.empty_tag:
            # open_end - 2 is the "/>" of the empty-element tag; its attributes stay.
            closing = b">" + data + b"</" + self.name.encode("utf-8") + b">"
            return Edit(self.open_end - 2, self.end, closing)
        return Edit(self.open_end, self.close_start, data)


@dataclass(frozen=True)
class Edit:
    """Replace bytes [start, end) of the file with `data`."""

    start: int
    end: int
    data: bytes


def element_spans(data: bytes) -> list[Span]:
    """Every element of a well-formed document, in document (start-tag) order.

    A lexer, not a parser: call it only on bytes lxml has accepted. It skips comments,
    CDATA sections, processing instructions and the DOCTYPE (with its internal subset), and
    reads quoted attribute values whole, so a `>` inside one does not end the tag.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("UTF-16 XML files are not supported; WSO2 ships UTF-8/ISO-8859-1 files")
    spans: list[Span | None] = []
    stack: list[tuple[int, str, int, int]] = []  # (index in spans, name, start, open_end)
    pos = 0
    while True:
        lt = data.find(b"<", pos)
        if lt < 0:
            break
        for opener, closer in _SKIP:
            if data.startswith(opener, lt):
                close = data.find(closer, lt + len(opener))
                if close < 0:
                    raise ValueError(f"unterminated {opener.decode()} at byte {lt}")
                pos = close + len(closer)
                break
        else:
            if data.startswith(b"<!", lt):  # DOCTYPE, possibly with an internal subset
                gt = data.find(b">", lt)
                bracket = data.find(b"[", lt)
                if 0 <= bracket < gt:
                    gt = data.find(b">", data.find(b"]", bracket))
                pos = gt + 1
            elif data.startswith(b"</", lt):
                m = _END_TAG.match(data, lt)
                if m is None or not stack:
                    raise ValueError(f"unexpected end tag at byte {lt}")
                index, name, start, open_end = stack.pop()
                if m.group(1).decode("utf-8") != name:
                    raise ValueError(f"end tag at byte {lt} does not close <{name}>")
                spans[index] = Span(name, start, open_end, lt, m.end())
                pos = m.end()
            else:
                m = _START_TAG.match(data, lt)
                if m is None:
                    raise ValueError(f"cannot read the start tag at byte {lt}")
                name = m.group(1).decode("utf-8")
                if m.group(2):
                    spans.append(Span(name, lt, m.end(), m.end(), m.end()))
                else:
                    stack.append((len(spans), name, lt, m.end()))
                    spans.append(None)
                pos = m.end()
    if stack or any(s is None for s in spans):
        raise ValueError("unclosed element")
    return [s for s in spans if s is not None]


class SpanMap:
    """Maps lxml elements of a parsed document to their byte spans in the same bytes."""

    def __init__(self, data: bytes, root: etree._Element) -> None:
        self._spans = element_spans(data)
        self._elements = list(root.iter(etree.Element))
        if len(self._spans) != len(self._elements):
            # Entity references that expand to elements would shift the two lists apart.
            raise ValueError("cannot map elements to the file's bytes (entities in use?)")
        self._index = {id(e): i for i, e in enumerate(self._elements)}

    def span(self, element: etree._Element) -> Span:
        # The elements list keeps every proxy alive, so id() is stable for this map's life.
        index = self._index.get(id(element))
        if index is None:
            raise ValueError("element is not in this document")
        span = self._spans[index]
        if span.name.rsplit(":", 1)[-1] != etree.QName(element).localname:
            raise ValueError(f"byte span of <{span.name}> does not match the tree")
        return span

    @property
    def root(self) -> Span:
        return self._spans[0]


class Parsed:
    """A stock file's lxml tree and, on first use, its span map. Shared by every node patched
    from the same bytes, so it is only ever read, never changed."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.root = xmltools.parse(data).getroot()
        self._spans: SpanMap | None = None

    @property
    def spans(self) -> SpanMap:
        if self._spans is None:
            self._spans = SpanMap(self.data, self.root)
        return self._spans


@lru_cache(maxsize=64)
def parsed(data: bytes) -> Parsed:
    """`data` parsed and lexed once: the nodes of a cluster patch the same stock bytes, and
    parsing plus lexing them per node was most of the cost of rendering a large estate."""
    return Parsed(data)


def splice(data: bytes, edits: Iterable[Edit]) -> bytes:
    """Apply non-overlapping edits (in any order) to `data`."""
    ordered = sorted(edits, key=lambda e: e.start, reverse=True)
    last = None
    for edit in ordered:
        if last is not None and edit.end > last:
            raise ValueError("overlapping edits")
        last = edit.start
    # One join instead of a copy of the whole file per edit; pieces in file order (edits at
    # one offset end up latest-given first, as applying them back to front would).
    pieces = []
    pos = 0
    for edit in reversed(ordered):
        pieces += (data[pos : edit.start], edit.data)
        pos = edit.end
    pieces.append(data[pos:])
    return b"".join(pieces)


def newline_of(data: bytes) -> str:
    """The file's line end: CRLF when the file uses it, else LF."""
    return "\r\n" if b"\r\n" in data else "\n"


def line_indent(data: bytes, offset: int) -> str:
    """The whitespace between the start of the line holding `offset` and `offset`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    head = data[line_start:offset]
    return head.decode("latin-1") if head.strip() == b"" else ""


def child_indent(data: bytes, parent: Span) -> str:
    """Indentation of `parent`'s children: that of its first child or comment, else one
    step (4 spaces, or a tab where the parent is tab-indented) deeper than the parent."""
    if not parent.empty_tag:
        inner = data[parent.open_end : parent.close_start]
        stripped = inner.lstrip()
        if stripped and b"\n" in inner[: len(inner) - len(stripped)]:
            return line_indent(data, parent.open_end + len(inner) - len(stripped))
    own = line_indent(data, parent.start)
    return own + ("\t" if own.endswith("\t") else "    ")


def insert_first_child(data: bytes, parent: Span, markup: str) -> bytes:
    """`markup` (one element, already formatted) as the first child of `parent`, on its own
    line at the children's indentation; the file's encoding and line ends are kept."""
    nl = newline_of(data)
    indent = child_indent(data, parent)
    own = line_indent(data, parent.start)
    encoding = xml_encoding(data)
    if parent.empty_tag:
        text = f">{nl}{indent}{markup}{nl}{own}</{parent.name}>"
        return splice(data, [Edit(parent.open_end - 2, parent.end, text.encode(encoding))])
    inner = data[parent.open_end : parent.close_start]
    leading = len(inner) - len(inner.lstrip())
    if not inner.strip():
        edit = Edit(
            parent.open_end, parent.close_start, f"{nl}{indent}{markup}{nl}{own}".encode(encoding)
        )
    elif b"\n" in inner[:leading]:
        # Children already sit on their own lines: go in front of the first one.
        at = parent.open_end + leading
        edit = Edit(at, at, f"{markup}{nl}{indent}".encode(encoding))
    else:
        edit = Edit(parent.open_end, parent.open_end, f"{nl}{indent}{markup}".encode(encoding))
    return splice(data, [edit])


_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def xml_encoding(data: bytes) -> str:
    """The encoding the XML declaration names (UTF-8 when there is none)."""
    m = _DECLARED_ENCODING.match(data.lstrip(b"\xef\xbb\xbf"))
    return m.group(1).decode("ascii") if m else "utf-8"
