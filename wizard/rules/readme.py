"""Rule 39: the tree's README.md gives the steps in the order the operator works.

What to read first comes before the steps; the steps are numbered 1, 2, 3, ... and go
databases, tables, driver, files, first start, verification. A README edited by hand (or left
from an older tree) that sends an operator to start nodes before their files are in place is
a finding. So is a command that copies a node's file the tree does not hold (`scp
nodes/apim-1/repository/conf/api-manager.xml` from a tree patched from the kernel
baseline, which has none): run in order, it fails. A tree without README.md, or whose
README has no "Next steps", is judged by the other rules alone.
"""

from __future__ import annotations

import re
from collections.abc import Container

from wizard.rules.findings import Finding

README = "README.md"
_STEP = re.compile(r"^### (\d+)\. (.*)$", re.MULTILINE)
_NODE_FILE = re.compile(r"(?<![\w/.<>-])nodes/[\w.-]+/[^\s`'\"<>]+\.\w+")
"""A node's file named in a command: `nodes/<id>/<path under PRODUCT_HOME>`."""
# Each step, found by a word of its title, in the order it must come.
_ORDER = (
    ("databases", "Create the databases"),
    ("tables", "WSO2 tables"),
    ("driver", "JDBC driver"),
    ("files", "files"),
    ("first start", "Start the nodes"),
    ("verification", "Verify"),
)


def check(readme: bytes | None, tree: Container[str] = ()) -> list[Finding]:
    """`tree`: the tree's paths, for the files the README's commands copy."""
    if readme is None:
        return []
    text = readme.decode("utf-8", "replace")
    out: list[Finding] = []

    def add(element: str, message: str) -> None:
        out.append(Finding(39, "", README, element, message))

    first, steps = text.find("## Read before you start"), text.find("## Next steps")
    if steps < 0:
        return out  # no steps to put in order (not a README this tool wrote)
    if first > steps:
        add(
            "## Read before you start",
            "'Read before you start' comes after the steps; what to know must come first",
        )
    found = _STEP.findall(text, steps)
    numbers = [int(n) for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        add("### steps", f"the steps are numbered {numbers}, not 1, 2, 3, ...")
    titles = [t for _, t in found]
    at: list[tuple[str, int]] = []
    for what, word in _ORDER:
        index = next((i for i, t in enumerate(titles) if word in t), None)
        if index is None:
            add(f"### {word}", f"no step for the {what}; regenerate the tree")
            continue
        if at and index < at[-1][1]:
            add(
                f"### {titles[index]}",
                f"the {what} step comes before the {at[-1][0]} step; the steps must go "
                "databases, tables, driver, files, first start, verification",
            )
        at.append((what, index))
    if tree:
        for named in sorted(set(_NODE_FILE.findall(text, steps))):
            if named not in tree:
                add(
                    named,
                    f"a step copies {named}, which the tree does not hold; regenerate the "
                    "tree (or drop the command)",
                )
    return out
