"""The axis2.xml fast path: a node's axis2.xml that equals another node's but for the text
of one clustering parameter is not parsed again.

Why it is kept: a cluster's nodes each write a 30 KB axis2.xml that differs from the others'
only in the node's own localMemberHost, so a 1 000-node tree has ~1 000 distinct axis2.xml
files, and parsing each (and reading its member list again) was the checker's largest cost.
Measured the way bench/ times `generate` (a child process, 1 000 nodes, output on /dev/shm,
9 runs interleaved with the other variants after a warm-up): 992 ms with it (min-max
958-1 034), 1 419 ms with every axis2.xml parsed (1 387-1 452), so it saves 30 % of
`generate`, past the 10 % it must earn to be kept. An earlier set of 9: 1 083 against 1 591 ms.

`tests/rules/test_rules_variants.py` compares the findings with those of parsing every file for
~25 kinds of edit (comments, a DOCTYPE, a second clustering element, CR, '&', ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from lxml import etree

from wizard import xpath

# Text that means the same to every parser and in every ASCII-compatible encoding: no markup
# or reference characters, no CR (parsers turn it into LF), nothing outside printable ASCII.
_PLAIN_TEXT = re.compile(rb"[\t\n !-%'-;=?-~]*")
# What holds no element however it reads: comments, CDATA sections, processing instructions.
_NOT_ELEMENTS = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
_PARAMETER_TAG = re.compile(rb"""<parameter(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*>""")
_ASCII_COMPATIBLE = re.compile(r"utf-8|us-ascii|ascii|iso-8859-\d+|latin-?1|windows-125\d", re.I)


class Base:
    """A parsed axis2.xml that the same file of other nodes may differ from in one place.

    A cluster's nodes write one axis2.xml each, alike but for the node's own member host:
    a thousand distinct files of 30 KB. When a file equals a parsed one but for the text of
    one clustering parameter (both texts plain, see `_PLAIN_TEXT`), it is well-formed, and
    its tree is that one with the text changed; the bytes are compared, so nothing is taken
    on trust.
    """

    def __init__(self, content: bytes, root: etree._Element) -> None:
        self.content = content
        self.root = root
        self._start = 0
        self._at: dict[int, etree._Element | None] = {}

    @cached_property
    def parameters(self) -> tuple[tuple[etree._Element, str, str], ...]:
        """(element, name, text) of each parameter `clustering_of` reads."""
        clustering = self.root.find("clustering") if self.root.tag == "axisconfig" else None
        if clustering is None:
            return ()
        return tuple(
            (p, p.get("name") or "", p.text or "") for p in clustering.iterchildren("parameter")
        )

    @cached_property
    def _by_ordinal(self) -> dict[int, etree._Element]:
        """The parameters by their place among the file's elements (0 for the root); empty
        when the file's markup cannot be counted from its bytes (see `_countable`)."""
        if not _countable(self.content, self.root):
            return {}
        place = "count(preceding::*) + count(ancestor::*)"
        return {int(xpath.number(p, place)): p for p, _, _ in self.parameters if len(p) == 0}

    def parameter_at(self, start: int) -> etree._Element | None:
        """The clustering parameter whose start tag ends at byte `start`, if one does."""
        if start not in self._at:
            self._at[start] = self._parameter_at(start)
        return self._at[start]

    def _parameter_at(self, start: int) -> etree._Element | None:
        by_ordinal = self._by_ordinal
        if not by_ordinal:
            return None
        head = _NOT_ELEMENTS.sub(b"", self.content[:start])
        if b"<!" in head or b"<?" in head:
            return None  # `start` is inside a comment, CDATA section or instruction
        tag = head[head.rfind(b"<") :]
        if not _PARAMETER_TAG.fullmatch(tag):
            return None
        # Every '<' left is an element's start or end tag ('<' cannot be in a value).
        return by_ordinal.get(head.count(b"<") - head.count(b"</") - 1)

    def variant(self, content: bytes) -> Variant | None:
        a, b = self.content, content
        # Where the last variant's text began first: a cluster's nodes differ in one place.
        hint = self._start
        if 0 < hint <= len(b) and a[:hint] == b[:hint]:
            found = self._text_changed(b, hint)
            if found is not None:
                return found
        # From the first byte that differs back to the last '>' before it.
        start = a.rfind(b">", 0, _common_prefix(a, b)) + 1
        found = self._text_changed(b, start) if start != hint else None
        if found is not None:
            self._start = start
        return found

    def _text_changed(self, content: bytes, start: int) -> Variant | None:
        """`content` as this file with the text of the parameter at `start` changed, given
        that the two are equal up to `start`."""
        a, b = self.content, content
        end_a, end_b = a.find(b"<", start), b.find(b"<", start)
        # Equal up to `start` and from the next '<' on: only the text between may differ.
        if start == 0 or end_a < 0 or end_b < 0 or a[end_a:] != b[end_b:]:
            return None
        old, new = a[start:end_a], b[start:end_b]
        if not (a.startswith(b"</", end_a) and _PLAIN_TEXT.fullmatch(old)):
            return None
        if not _PLAIN_TEXT.fullmatch(new):
            return None
        element = self.parameter_at(start)
        if element is None or (element.text or "") != old.decode("ascii"):
            return None
        return Variant(self, element, new.decode("ascii"))


@dataclass(frozen=True)
class Variant:
    base: Base
    element: etree._Element
    """The clustering parameter of the base's tree whose text differs."""
    text: str
    """Its text in this file."""


def _countable(data: bytes, root: etree._Element) -> bool:
    """Whether each start tag in `data` is one element of `root`'s tree: an encoding in which
    bytes below 128 are ASCII, no DOCTYPE (its entities could stand for elements), and as
    many start tags as lxml found elements."""
    encoding = root.getroottree().docinfo.encoding or "utf-8"
    if not _ASCII_COMPATIBLE.fullmatch(encoding):
        return False
    markup = _NOT_ELEMENTS.sub(b"", data)
    if b"<!" in markup or b"<?" in markup:
        return False
    return markup.count(b"<") - markup.count(b"</") == int(xpath.number(root, "count(//*)"))


def _common_prefix(a: bytes, b: bytes) -> int:
    """How many leading bytes `a` and `b` share (a binary search of slice comparisons)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


class Bases:
    """The parsed axis2.xml files of one tree that later files may be variants of, by path;
    the most recently useful first."""

    # Enough for the clusters whose nodes come interleaved in a tree's node order.
    KEPT = 8

    def __init__(self) -> None:
        self._by_path: dict[str, list[Base]] = {}

    def add(self, path: str, content: bytes, root: etree._Element) -> None:
        """`content` (parsed as `root`) is one that later files at `path` may be variants of."""
        bases = self._by_path.setdefault(path, [])
        if not any(b.content is content for b in bases):
            bases.insert(0, Base(content, root))
            del bases[self.KEPT :]

    def variant(self, path: str, content: bytes) -> Variant | None:
        """`content` as a known file at `path` with one clustering parameter's text
        changed, when it is one; the most recently useful base is tried first."""
        bases = self._by_path.get(path, [])
        for i, base in enumerate(bases):
            found = base.variant(content)
            if found is not None:
                bases.insert(0, bases.pop(i))
                return found
        return None
