"""`Shared`: what the nodes of one tree have in common, worked out once (the checker's
caches, keyed by file content).

They are kept because they pay for themselves. `generate` at 1 000 nodes on /dev/shm
(median of 9 runs interleaved, as in `fastpath`) took 992 ms with them; with each turned off
alone, 1 241 ms parsing every file (`parse`), 1 412 ms running every node's checks of shared
files (`run`), 2 326 ms reading every fact again (`fact`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar, cast

from lxml import etree

from wizard.rules.fastpath import Bases, Variant
from wizard.rules.findings import Finding, Report
from wizard.rules.reading import parse_xml

if TYPE_CHECKING:
    from wizard.rules.facts import NodeFiles

T = TypeVar("T")


class Shared:
    """What the nodes of one tree have in common, worked out once.

    The nodes of a product cluster carry byte-identical registry.xml, user-mgt.xml and
    datasources files, so each distinct content is parsed once, the facts read from it are
    read once, and the checks that read only such files run once per distinct input. Parsed
    trees are shared between nodes and so are only ever read.
    """

    # A parsed tree takes ~10 times its file's size; the distinct files of one cluster fit.
    PARSED_KEPT = 16

    def __init__(self) -> None:
        self._parsed: OrderedDict[bytes, tuple[etree._Element | None, str | None]] = OrderedDict()
        self._facts: dict[tuple[object, ...], object] = {}
        self._interned: dict[object, object] = {}
        self._findings: dict[tuple[object, ...], tuple[str, list[Finding]] | None] = {}
        self._bases = Bases()

    def parse(self, content: bytes) -> tuple[etree._Element | None, str | None]:
        found = self._parsed.get(content)
        if found is None:
            found = self._parsed[content] = parse_xml(content)
            if len(self._parsed) > self.PARSED_KEPT:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(content)
        return found

    def intern(self, value: T) -> T:
        """One shared copy of an equal (hashable) value, e.g. a cluster's member list."""
        shared = self._interned.setdefault(value, value)
        # Equal values of other types (1 and True) are not one value.
        return shared if isinstance(shared, type(value)) else value

    def fact(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        if key not in self._facts:
            self._facts[key] = compute()
        # Each key is computed by one function, so what is kept under it is that function's T;
        # a dict of every kind of fact cannot say so itself.
        return cast("T", self._facts[key])

    def run(
        self,
        key: tuple[object, ...],
        node: NodeFiles,
        out: Report,
        checks: Sequence[Callable[[NodeFiles, Report], None]],
    ) -> None:
        """`checks` on `node`, or, when a node with the same `key` (every input the checks
        read but the node id) was checked already, its findings under this node's id."""
        known = self._findings.get(key, _UNSEEN)
        if isinstance(known, tuple):
            out.findings += [replace(f, node=node.id) for f in known[1]]
            return
        mine = Report()
        for check in checks:
            check(node, mine)
        out.findings += mine.findings
        if known is _UNSEEN:
            # A finding that names the node outside its `node` field cannot be relabelled.
            reusable = all(
                f.node == node.id and node.id not in f"{f.file}\0{f.element}\0{f.message}"
                for f in mine.findings
            )
            self._findings[key] = (node.id, mine.findings) if reusable else None

    def add_base(self, path: str, content: bytes, root: etree._Element) -> None:
        """`content` (parsed as `root`) is one that later files at `path` may be variants of."""
        self._bases.add(path, content, root)

    def variant(self, path: str, content: bytes) -> Variant | None:
        """`content` as a known file at `path` with one leaf element's text changed, when
        it is one (see `fastpath`)."""
        if content in self._parsed:
            return None  # parsed already: nothing to save
        return self._bases.variant(path, content)


_UNSEEN = object()
