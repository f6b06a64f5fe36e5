"""Formatting helpers for the patchers that add or remove whole elements by splicing.

New markup follows the file: its line ends, the indentation of the neighbours it joins, and
its declared encoding (characters the encoding lacks become character references).
"""

from __future__ import annotations

from lxml import etree

from wizard.render.carbonxml import (
    Edit,
    Span,
    SpanMap,
    child_indent,
    line_indent,
    newline_of,
    xml_encoding,
)


class Markup:
    """What a patcher needs to write into one file: encoding, line end, indentation unit."""

    def __init__(self, data: bytes, root: etree._Element) -> None:
        self.data = data
        self.spans = SpanMap(data, root)
        self.encoding = xml_encoding(data)
        self.nl = newline_of(data)
        self.unit = _indent_unit(data, self.spans.root)

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding, errors="xmlcharrefreplace")

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

    def insert_after(self, element: etree._Element, markup: str, blank_line: bool = False) -> Edit:
        """`markup` on its own line(s) after `element`, at `element`'s indentation."""
        span = self.span(element)
        indent = line_indent(self.data, span.start)
        gap = self.nl * (2 if blank_line else 1)
        return Edit(span.end, span.end, self.encode(f"{gap}{indent}{markup}"))

    def insert_last_child(self, parent: etree._Element, markup: str, indent: str) -> Edit:
        """`markup` after the last non-blank content of `parent`, on a line of its own."""
        span = self.span(parent)
        if span.empty_tag:
            own = line_indent(self.data, span.start)
            text = f">{self.nl}{indent}{markup}{self.nl}{own}</{span.name}>"
            return Edit(span.open_end - 2, span.end, self.encode(text))
        inner = self.data[span.open_end : span.close_start]
        content = inner.rstrip()
        at = span.open_end + len(content)
        # The closing tag keeps a line of its own (it gets one when it had none).
        closing = (
            "" if b"\n" in inner[len(content) :] else self.nl + line_indent(self.data, span.start)
        )
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


def _indent_unit(data: bytes, root: Span) -> str:
    """One indentation step of the file: what the root's first child adds (4 spaces when the
    file gives nothing to go by)."""
    inner = child_indent(data, root)
    own = line_indent(data, root.start)
    step = inner[len(own) :] if inner.startswith(own) else inner
    return step if step.strip() == "" and step else "    "
