"""XML as bytes: where elements, comments and attributes sit in a stock file, and the edits
that change only the bytes a patcher means to change.

Stock files are edited by *splicing*: lxml parses the file (namespace-aware, so the right
element is found), a small lexer maps that element to its byte span in the original file, and
only those bytes are replaced. Everything else (CRLF line ends, attribute quoting, character
references, Maven `${...}` placeholders, the XML declaration) stays byte-identical, which a
parse/serialize round trip through lxml cannot promise (it normalises CRLF, for one; the
kernel axis2.xml is a CRLF file). New markup follows the file: its line end, the indentation
of the neighbours it joins, and its declared encoding (characters the encoding lacks become
character references).

What a product's file means (which element, which value) stays in its patcher; this module
knows XML text only. Parsing with lxml and escaping are `wizard.render.xmltools`.

Longer than 400 lines on purpose: the lexer, the span map, the edits and the markup helpers
are one piece (every edit is an offset the lexer found, formatted the way the file is), and
splitting them would only move the imports around.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from wizard.render import xmltools

# --------------------------------------------------------------------------------------------
# Lexing
# --------------------------------------------------------------------------------------------

_NAME = rb"[^\s=/>]+"
_VALUE = rb"""(?:"[^"]*"|'[^']*')"""
# Quoted values are read whole, so a `>` inside one does not end the tag.
_START_TAG = re.compile(rb"<([^\s/>!?]+)(?:\s+" + _NAME + rb"\s*=\s*" + _VALUE + rb")*\s*(/?)>")
_END_TAG = re.compile(rb"</([^\s>]+)\s*>")
_ATTRIBUTE = re.compile(rb"\s+(" + _NAME + rb")\s*=\s*(" + _VALUE + rb")")
_SKIP = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
"""What may hold `<` as text: comments, CDATA sections, processing instructions."""


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
class Attribute:
    """One attribute of a start tag as written; `start`/`end` hold its quoted value."""

    name: str
    start: int
    """Offset of the opening quote."""
    end: int
    """Just past the closing quote."""
    quoted: bytes
    """The value with its quotes, as in the file (not unescaped)."""

    @property
    def quote(self) -> str:
        return chr(self.quoted[0])


def _skipped(data: bytes, lt: int, end: int) -> tuple[bytes, int] | None:
    """(opener, offset past its closer) when a comment, CDATA section or processing
    instruction starts at `lt`; None for anything else."""
    for opener, closer in _SKIP:
        if data.startswith(opener, lt):
            close = data.find(closer, lt + len(opener), end)
            if close < 0:
                raise ValueError(f"unterminated {opener.decode()} at byte {lt}")
            return opener, close + len(closer)
    return None


def element_spans(data: bytes) -> list[Span]:
    """Every element of a well-formed document, in document (start-tag) order.

    A lexer, not a parser: call it only on bytes lxml has accepted. It skips comments,
    CDATA sections, processing instructions and the DOCTYPE (with its internal subset).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("UTF-16 XML files are not supported; WSO2 ships UTF-8/ISO-8859-1 files")
    spans: list[Span | None] = []
    stack: list[tuple[int, str, int, int]] = []  # (index in spans, name, start, open_end)
    pos = 0
    size = len(data)
    while (lt := data.find(b"<", pos)) >= 0:
        # Most `<` open a tag: only `<!` and `<?` are worth a look for what to skip.
        if data.startswith((b"<!", b"<?"), lt):
            skipped = _skipped(data, lt, size)
            if skipped is not None:
                pos = skipped[1]
            else:  # DOCTYPE, possibly with an internal subset
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


def comment_spans(data: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of every comment in data[start:end], in order; CDATA sections and
    processing instructions, which may hold `<!--` as text, are skipped."""
    out = []
    pos = start
    while (lt := data.find(b"<", pos, end)) >= 0:
        skipped = _skipped(data, lt, end)
        if skipped is None:
            pos = lt + 1
            continue
        opener, pos = skipped
        if opener == b"<!--":
            out.append((lt, pos))
    return out


def attributes(data: bytes, span: Span) -> tuple[dict[str, Attribute], int]:
    """The attributes of `span`'s start tag by qualified name (the first of a repeated name),
    and the offset just past the last one: where a new attribute goes."""
    found: dict[str, Attribute] = {}
    after = span.start + len(b"<") + len(span.name.encode("utf-8"))
    for m in _ATTRIBUTE.finditer(data, after, span.open_end):
        name = m.group(1).decode("utf-8")
        if name not in found:
            found[name] = Attribute(name, m.start(2), m.end(2), m.group(2))
        after = m.end()
    return found, after


# --------------------------------------------------------------------------------------------
# Elements of a parsed tree mapped to their bytes
# --------------------------------------------------------------------------------------------


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
    """A stock file's lxml tree and, on first use, its span map and markup helper. Shared by
    every node patched from the same bytes, so it is only ever read, never changed."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.root = xmltools.parse(data).getroot()
        self._spans: SpanMap | None = None
        self._markup: Markup | None = None

    @property
    def spans(self) -> SpanMap:
        if self._spans is None:
            self._spans = SpanMap(self.data, self.root)
        return self._spans

    @property
    def markup(self) -> Markup:
        if self._markup is None:
            self._markup = Markup(self.data, self.root, self.spans)
        return self._markup


@lru_cache(maxsize=64)
def parsed(data: bytes) -> Parsed:
    """`data` parsed and lexed once: the nodes of a cluster patch the same stock bytes, and
    parsing plus lexing them per node was most of the cost of rendering a large estate."""
    return Parsed(data)


# --------------------------------------------------------------------------------------------
# Edits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """Replace bytes [start, end) of the file with `data`."""

    start: int
    end: int
    data: bytes


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
    pieces: list[bytes] = []
    pos = 0
    for edit in reversed(ordered):
        pieces += (data[pos : edit.start], edit.data)
        pos = edit.end
    pieces.append(data[pos:])
    return b"".join(pieces)


# --------------------------------------------------------------------------------------------
# The file's own conventions: encoding, line end, indentation
# --------------------------------------------------------------------------------------------

_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def xml_encoding(data: bytes) -> str:
    """The encoding the XML declaration names (UTF-8 when there is none)."""
    m = _DECLARED_ENCODING.match(data.lstrip(b"\xef\xbb\xbf"))
    return m.group(1).decode("ascii") if m else "utf-8"


def encode(text: str, encoding: str) -> bytes:
    """`text` in `encoding`; characters it lacks become character references."""
    return text.encode(encoding, errors="xmlcharrefreplace")


def newline_of(data: bytes) -> str:
    """The file's line end: CRLF when the file uses it, else LF."""
    return "\r\n" if b"\r\n" in data else "\n"


def line_indent(data: bytes, offset: int) -> str:
    """The whitespace between the start of the line holding `offset` and `offset`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    head = data[line_start:offset]
    return head.decode("latin-1") if head.strip() == b"" else ""


def indent_step(outer: str, inner: str | None = None) -> str:
    """One indentation step: what `inner` adds to `outer`, else 4 spaces (a tab in tab files)."""
    if inner is not None and inner.startswith(outer) and len(inner) > len(outer):
        return inner[len(outer) :]
    return "\t" if outer.endswith("\t") else "    "


def child_indent(data: bytes, parent: Span) -> str:
    """Indentation of `parent`'s children: that of its first child or comment, else one
    step deeper than the parent."""
    if not parent.empty_tag:
        inner = data[parent.open_end : parent.close_start]
        stripped = inner.lstrip()
        if stripped and b"\n" in inner[: len(inner) - len(stripped)]:
            return line_indent(data, parent.open_end + len(inner) - len(stripped))
    own = line_indent(data, parent.start)
    return own + indent_step(own)


def end_of_content(data: bytes, span: Span) -> int:
    """Just past the last non-blank byte inside `span` (before the closing tag's indent)."""
    return span.open_end + len(data[span.open_end : span.close_start].rstrip())


# --------------------------------------------------------------------------------------------
# New markup where it belongs
# --------------------------------------------------------------------------------------------


class Markup:
    """What a patcher needs to write into one file: encoding, line end, indentation unit, and
    the edits that add or remove whole elements."""

    def __init__(self, data: bytes, root: etree._Element, spans: SpanMap | None = None) -> None:
        self.data = data
        self.spans = spans if spans is not None else SpanMap(data, root)
        self.encoding = xml_encoding(data)
        self.nl = newline_of(data)
        self.unit = _file_unit(data, self.spans.root)

    def encode(self, text: str) -> bytes:
        return encode(text, self.encoding)

    def span(self, element: etree._Element) -> Span:
        return self.spans.span(element)

    def indent_of(self, element: etree._Element) -> str:
        return line_indent(self.data, self.span(element).start)

    def children_indent(self, element: etree._Element) -> str:
        return child_indent(self.data, self.span(element))

    def block(self, lines: list[tuple[int, str]], indent: str) -> str:
        """Lines given as (depth, text), joined with the file's line end; the first line
        carries no indentation (it goes where the caller splices it)."""
        out = []
        for i, (depth, text) in enumerate(lines):
            prefix = "" if i == 0 or not text else indent + self.unit * depth
            out.append(prefix + text)
        return self.nl.join(out)

    def insert_before(self, element: etree._Element, markup: str, blank_line: bool = False) -> Edit:
        """`markup` on its own line(s) before `element`, at `element`'s indentation."""
        at = self.span(element).start
        gap = self.nl * (2 if blank_line else 1)
        return Edit(at, at, self.encode(f"{markup}{gap}{line_indent(self.data, at)}"))

    def insert_after(self, element: etree._Element, markup: str, blank_line: bool = False) -> Edit:
        """`markup` on its own line(s) after `element`, at `element`'s indentation."""
        span = self.span(element)
        indent = line_indent(self.data, span.start)
        gap = self.nl * (2 if blank_line else 1)
        return Edit(span.end, span.end, self.encode(f"{gap}{indent}{markup}"))

    def insert_first_child(self, parent: etree._Element, markup: str) -> Edit:
        """`markup` (one element, already formatted) as the first child of `parent`, on its
        own line at the children's indentation."""
        span = self.span(parent)
        nl, indent = self.nl, child_indent(self.data, span)
        inner = self.data[span.open_end : span.close_start]
        if not inner.strip():  # empty: the closing tag gets a line of its own
            own = line_indent(self.data, span.start)
            return span.replace_content(self.encode(f"{nl}{indent}{markup}{nl}{own}"))
        leading = len(inner) - len(inner.lstrip())
        if b"\n" in inner[:leading]:
            # Children already sit on their own lines: go in front of the first one.
            at = span.open_end + leading
            return Edit(at, at, self.encode(f"{markup}{nl}{indent}"))
        return Edit(span.open_end, span.open_end, self.encode(f"{nl}{indent}{markup}"))

    def insert_last_child(self, parent: etree._Element, markup: str, indent: str) -> Edit:
        """`markup` after the last non-blank content of `parent`, on a line of its own."""
        span = self.span(parent)
        own = line_indent(self.data, span.start)
        if span.empty_tag:
            return span.replace_content(self.encode(f"{self.nl}{indent}{markup}{self.nl}{own}"))
        at = end_of_content(self.data, span)
        # The closing tag keeps a line of its own (it gets one when it had none).
        closing = "" if b"\n" in self.data[at : span.close_start] else self.nl + own
        return Edit(at, at, self.encode(f"{self.nl}{indent}{markup}{closing}"))

    def remove(self, element: etree._Element) -> Edit:
        """Remove `element` and the line it stood on, when it stood alone on that line, with
        one blank line before it (so that removing what `insert_after(blank_line=True)` added
        leaves the file as it was)."""
        span = self.span(element)
        start, end = span.start, span.end
        line_start = self.data.rfind(b"\n", 0, start) + 1
        if self.data[line_start:start].strip() == b"":
            start = line_start
            if start > 0:
                previous = self.data.rfind(b"\n", 0, start - 1) + 1
                if self.data[previous:start].strip() == b"" and previous > 0:
                    start = previous
            # Take the line end after the element too, so no blank line is left behind.
            rest = self.data[end:]
            stripped = rest.lstrip(b" \t")
            if stripped.startswith(b"\r\n"):
                end += len(rest) - len(stripped) + 2
            elif stripped.startswith(b"\n"):
                end += len(rest) - len(stripped) + 1
        return Edit(start, end, b"")


def _file_unit(data: bytes, root: Span) -> str:
    """One indentation step of the file: what the root's first child adds (4 spaces when the
    file gives nothing to go by). Unlike `indent_step`, children that do not extend the root's
    own indentation give their whole indentation: the root alone may sit oddly indented."""
    inner = child_indent(data, root)
    own = line_indent(data, root.start)
    step = inner[len(own) :] if inner.startswith(own) else inner
    return step if step.strip() == "" and step else "    "
