"""Push a written tree to its nodes with its own ansible/push.yml, from the front ends: the dry
run (`--check --diff`: what each node has that differs from the tree, changing nothing), then
the push; ansible-playbook's output streamed line by line and read into what each node got.

The run goes through `wizard.fleet.run_playbook`, as `collect` does: bounded in time, stopped
on request, and a missing ansible-playbook is the sentence saying how to install it.

Nothing here prints or keeps a secret: the inventory holds none, and the files that hold a
password are `diff: false` there, so Ansible names them as differing and never prints their
contents; a diff is kept only as Ansible printed it.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wizard.fleet import DEFAULT_TIMEOUT, ansible_playbook, run_playbook, tree_playbook
from wizard.render.ansible import INVENTORY, PUSH

DRY_RUN = ("--check", "--diff")
ENVIRONMENT = {
    # The output is read: Ansible's own line format, without colours, whatever the
    # operator's ansible.cfg says.
    "ANSIBLE_STDOUT_CALLBACK": "default",
    "ANSIBLE_CALLBACK_RESULT_FORMAT": "json",
    "ANSIBLE_DISPLAY_OK_HOSTS": "true",
    "ANSIBLE_CHECK_MODE_MARKERS": "false",
    "ANSIBLE_NOCOLOR": "1",
    "ANSIBLE_FORCE_COLOR": "0",
    "PYTHONUNBUFFERED": "1",
}
TAIL = 40
"""Lines of output kept to show when a run fails before any node answers."""

_TASK = re.compile(r"^TASK \[(?P<task>.*)\] \**$")
_RECAP_BANNER = re.compile(r"^PLAY RECAP \**$")
_RESULT = re.compile(
    r"^(?P<state>ok|changed|skipping|failed|fatal): \[(?P<host>[^\]\s]+)(?: -> [^\]]*)?\]"
    r"(?::? (?P<kind>FAILED!|UNREACHABLE!))?(?: (?:=> )?\(item=(?P<item>.*?)\))?"
    r"(?: => (?P<rest>.*))?$"
)
_RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+"
    r"unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)(?:\s+skipped=(?P<skipped>\d+))?"
)
_DIFF_BEFORE = re.compile(r"^--- before(?::.*)?$")
_DIFF_AFTER = re.compile(r"^\+\+\+ after: (?P<path>.+)$")
_DIFF_LINE = re.compile(r"^(?:[-+ ]|@@|\\ No newline)")
_UNDIFFED = re.compile(r'\{path: (?:!unsafe )?("(?:[^"\\]|\\.)*"), mode: "[0-7]+", diff: false\}')


@dataclass
class FileChange:
    path: str
    """Under PRODUCT_HOME (= under the node's folder of the tree)."""
    diff: str = ""
    """The diff as Ansible printed it (what the node has -> what the tree has); empty when
    it printed none: a file that holds passwords (`diff: false`), a jar, or a file whose
    contents are the same and whose mode or owner differ."""
    secret: bool = False
    """The inventory marks it `diff: false`: it holds a password."""


@dataclass(frozen=True)
class Recap:
    ok: int
    changed: int
    unreachable: int
    failed: int
    skipped: int = 0

    def __str__(self) -> str:
        return (
            f"ok={self.ok} changed={self.changed} unreachable={self.unreachable} "
            f"failed={self.failed}"
        )


@dataclass
class NodeResult:
    node: str
    changed: dict[str, FileChange] = field(default_factory=dict)
    """The node's files that differ (the dry run) or were replaced (the push), by path."""
    unchanged: list[str] = field(default_factory=list)
    task: str = ""
    """The task Ansible last reported for it."""
    failures: list[str] = field(default_factory=list)
    """Ansible's message for each task that failed on it (or "unreachable: ...")."""
    recap: Recap | None = None

    @property
    def status(self) -> str:
        """running, ok, changed, failed or unreachable; from the recap once it is there."""
        if self.recap is not None:
            if self.recap.unreachable:
                return "unreachable"
            if self.recap.failed:
                return "failed"
            return "changed" if self.recap.changed or self.changed else "ok"
        return "failed" if self.failures else "running"

    def summary(self, check: bool) -> str:
        """One line: where it is, and what changed (would change, for the dry run)."""
        changed, same = len(self.changed), len(self.unchanged)
        files = f"{changed} file(s) {'differ' if check else 'replaced'}, {same} as in the tree"
        if self.recap is None:
            doing = f" · {self.task}" if self.task else ""
            return f"{self.node}: running{doing} · {files}"
        word = {"changed": "would change" if check else "changed"}.get(self.status, self.status)
        text = f"{self.node}: {word} · {files} · {self.recap}"
        if self.failures:
            text += f" · {self.failures[-1]}"
        return text


class PushOutput:
    """ansible-playbook's output of push.yml, read line by line into a result per node."""

    def __init__(self, tree: Path | None = None, undiffed: Iterable[str] = ()) -> None:
        self.nodes: dict[str, NodeResult] = {}
        self.tail: list[str] = []
        self._prefixes = _node_prefixes(tree) if tree is not None else []
        self._undiffed = set(undiffed)
        self._task = ""
        self._in_recap = False
        self._diff: list[str] | None = None
        """The diff block being read: Ansible prints it whole, just before the item's line."""

    def node(self, name: str) -> NodeResult:
        found = self.nodes.get(name)
        if found is None:
            found = self.nodes[name] = NodeResult(name)
        return found

    def feed(self, line: str) -> NodeResult | None:
        """Read one line (without its end); the node it told something about, if any."""
        self.tail = [*self.tail[-(TAIL - 1) :], line]
        if self._diff is not None:
            if len(self._diff) == 1:
                if _DIFF_AFTER.match(line):
                    self._diff.append(line)
                    return None
                self._diff = None  # not a file's diff after all
            elif _DIFF_LINE.match(line):
                self._diff.append(line)
                return None
            else:
                block, self._diff = self._diff, None
                touched = self._add_diff(block)
                if not line.strip():
                    return touched
        if _DIFF_BEFORE.match(line):
            self._diff = [line]
            return None
        if match := _TASK.match(line):
            self._task, self._in_recap = match["task"], False
            return None
        if _RECAP_BANNER.match(line):
            self._in_recap = True
            return None
        if self._in_recap and (match := _RECAP.match(line)):
            node = self.node(match["host"])
            node.recap = Recap(
                ok=int(match["ok"]),
                changed=int(match["changed"]),
                unreachable=int(match["unreachable"]),
                failed=int(match["failed"]),
                skipped=int(match["skipped"] or 0),
            )
            return node
        if match := _RESULT.match(line):
            return self._result(match)
        return None

    def finish(self) -> None:
        """The end of the output: a diff block still open is complete."""
        if self._diff is not None:
            block, self._diff = self._diff, None
            self._add_diff(block)

    def _result(self, match: re.Match[str]) -> NodeResult:
        node = self.node(match["host"])
        node.task = self._task
        state, item = match["state"], match["item"]
        if state in ("failed", "fatal"):
            where = f"{self._task}" + (f" ({item})" if item else "")
            kind = "unreachable" if match["kind"] == "UNREACHABLE!" else "failed"
            node.failures.append(f"{kind}: {where}: {_message(match['rest'])}")
        elif item is not None and state in ("ok", "changed"):
            if state == "changed":
                node.changed.setdefault(item, FileChange(item, secret=item in self._undiffed))
            elif item not in node.unchanged:
                node.unchanged.append(item)
        return node

    def _add_diff(self, block: list[str]) -> NodeResult | None:
        if len(block) < 2 or not (after := _DIFF_AFTER.match(block[1])):
            return None
        found = self._file_of(after["path"])
        if found is None:
            return None
        node = self.node(found[0])
        change = node.changed.setdefault(found[1], FileChange(found[1]))
        change.diff = "\n".join(block) + "\n"
        return node

    def _file_of(self, source: str) -> tuple[str, str] | None:
        """(node, path) of a file of the tree's `nodes/<node>/<path>`, as the diff names it."""
        for prefix in self._prefixes:
            if source.startswith(prefix):
                node, _, path = source[len(prefix) :].partition("/")
                return (node, path) if path else None
        # Without the tree: the first `/nodes/<node>/` of a node seen so far, else the last.
        parts = source.split("/nodes/")
        for i in range(1, len(parts)):
            node, _, path = "/nodes/".join(parts[i:]).partition("/")
            if node in self.nodes and path:
                return node, path
        node, _, path = parts[-1].partition("/") if len(parts) > 1 else ("", "", "")
        return (node, path) if node and path else None


@dataclass
class PushResult:
    check: bool
    """True for the dry run."""
    status: int
    """ansible-playbook's exit status: 0 when every node went through."""
    nodes: dict[str, NodeResult]
    tail: list[str]
    """The last lines of the output: what to show when it failed before any node answered."""
    command: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == 0 and all(n.status in ("ok", "changed") for n in self.nodes.values())


def read(
    lines: Iterable[str], tree: Path | None = None, undiffed: Iterable[str] = ()
) -> dict[str, NodeResult]:
    """A whole recorded output, read as `run` reads it while it comes."""
    output = PushOutput(tree, undiffed)
    for line in lines:
        output.feed(line.rstrip("\r\n"))
    output.finish()
    return output.nodes


def undiffed_paths(tree: Path) -> set[str]:
    """The files the tree's inventory marks `diff: false` (they hold a password)."""
    try:
        text = (Path(tree) / INVENTORY).read_text(encoding="utf-8")
    except OSError:
        return set()
    return {json.loads(quoted) for quoted in _UNDIFFED.findall(text)}


def run(
    tree: Path,
    *,
    check: bool,
    on_line: Callable[[str, NodeResult | None], object] | None = None,
    ansible_args: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    cancel: threading.Event | None = None,
) -> PushResult:
    """Run the tree's push playbook, as the dry run (`check`) or for real; each line of its
    output goes to `on_line` with the node it told about. Raises FleetError when the tree has
    no ansible/, when ansible-playbook is missing (saying how to install it), when it cannot
    be started, or when it was stopped (`cancel`, the timeout); a run that fails on nodes
    returns, its result saying which and why."""
    tree, inventory, playbook = tree_playbook(tree, PUSH)
    command = [
        ansible_playbook(),
        "-i",
        str(inventory),
        *ansible_args,
        *(DRY_RUN if check else ()),
        str(playbook),
    ]
    output = PushOutput(tree, undiffed_paths(tree))

    def line(text: str) -> None:
        touched = output.feed(text)
        if on_line is not None:
            on_line(text, touched)

    stopped = (
        "the dry run changed nothing"
        if check
        else "the nodes it reached may have some of their new files (the dry run shows which)"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT}
    status = run_playbook(
        command,
        cwd=tree,
        timeout=timeout,
        stopped=stopped,
        on_line=line,
        cancel=cancel,
        env={**environment, **ENVIRONMENT},
    )
    output.finish()
    return PushResult(check, status, output.nodes, output.tail, command)


def _node_prefixes(tree: Path) -> list[str]:
    """How a diff may name the tree's nodes/ folder: as given, and with links resolved."""
    given = os.path.abspath(tree)
    forms = [given, os.path.realpath(given)]
    return [f"{form.rstrip('/')}/nodes/" for form in dict.fromkeys(forms)]


def _message(rest: str | None) -> str:
    """Ansible's `msg` from a failure's result (the whole result when it has none)."""
    if not rest:
        return "(no message)"
    try:
        result = json.loads(rest)
    except ValueError:
        return rest.strip()
    if isinstance(result, dict):
        msg = result.get("msg") or result.get("stderr") or result.get("reason")
        return " ".join(str(msg).split()) if msg else "(no message)"
    return rest.strip()[:500]
