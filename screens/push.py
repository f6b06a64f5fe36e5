"""The Write step's push: the written tree's own ansible/push.yml run with ansible-playbook,
the dry run first (each node's differing files and their diffs, in the Preview's style), then
the push for real with a line per node, updated as Ansible reports."""

from __future__ import annotations

import contextlib
import shlex
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Select, Static

from screens.base import focus_now, guarded
from screens.widgets.buttons import CompactButton
from wizard.plaintext import fold_command

if TYPE_CHECKING:
    from wizard.push import NodeResult, PushResult

PUSH_REFRESH = 0.2
"""Seconds between redraws of the nodes' progress lines while ansible-playbook runs."""


class PushPanel(Vertical):
    """The written tree's push with its own ansible/push.yml: the dry run first, each node's
    differing files and their diffs, then the push for real with a line per node."""

    DEFAULT_CSS = """
    PushPanel { height: auto; margin-top: 1; }
    PushPanel .section { text-style: bold; }
    PushPanel #push-actions { height: 1; margin: 1 0; }
    PushPanel #push-actions CompactButton { margin-right: 2; }
    PushPanel #push-status { height: auto; }
    PushPanel #push-nodes { height: auto; margin-top: 1; }
    PushPanel #push-choice { height: auto; margin-top: 1; }
    PushPanel #push-node { width: 1fr; }
    PushPanel #push-file { width: 2fr; }
    PushPanel #push-diff-box { height: auto; max-height: 16; overflow-x: auto; }
    PushPanel #push-diff-box > Static { width: auto; }
    """

    def __init__(
        self, tree: Path, commands: list[str], note: str = "", dry_run_only: bool = False
    ) -> None:
        super().__init__(id="push")
        self.tree_path = tree
        self.commands = commands[:1] if dry_run_only else commands[:3]
        self.note = note
        """What the push does with nodes patched from the kernel baseline (the prompt mode's
        words, `ansible.baseline_note`)."""
        self.dry_run_only = dry_run_only
        """Every node is merged by hand: the playbook refuses them all, so no real push."""
        self.folded_at = 0
        self.running = False
        self.cancel = threading.Event()
        self.result: PushResult | None = None
        self.dry_run: PushResult | None = None
        self.lines: dict[str, str] = {}
        """Node id -> its progress line, as last drawn."""
        self._pending: dict[str, str] = {}
        self._pending_lock = threading.Lock()
        self._redraw: Timer | None = None
        self.shown_node = ""
        """The node whose changed files the file choice lists."""

    def compose(self) -> Iterable[Widget]:
        yield Static("Push with Ansible", classes="section")
        yield Static(self.commands_text(), id="push-commands", markup=False)
        with Horizontal(id="push-actions"):
            dry = (
                "Dry run with Ansible" if self.dry_run_only else "Push with Ansible (dry run first)"
            )
            yield CompactButton(dry, id="push-dry", compact=True)
            yield CompactButton("Push for real", id="push-real", compact=True)
            yield CompactButton("Stop (Esc)", id="push-stop", compact=True)
        yield Static("", id="push-status", markup=False)
        yield Static("", id="push-nodes", markup=False)
        with Horizontal(id="push-choice"):
            yield Select([], prompt="choose a node", compact=True, id="push-node")
            yield Select([], prompt="choose a file", compact=True, id="push-file")
        yield ScrollableContainer(Static("", id="push-diff"), id="push-diff-box")

    def commands_text(self, width: int = 0) -> str:
        """The panel's lead: what it runs, each command folded at blanks to `width` with a
        shell continuation (wrapped by the screen, a command broke where no shell reads
        it as one), and what it does with nodes merged by hand."""
        cd = f"cd {shlex.quote(str(self.tree_path))}"
        lines = [
            "Runs the tree's ansible/push.yml with ansible-playbook on this machine (SSH to "
            "the nodes), as these do from a shell:"
        ]
        for command in self.commands:
            lines += fold_command(f"{cd} && {command}", width or 10_000, "  ")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def on_resize(self) -> None:
        width = self.content_region.width
        if width and width != self.folded_at:
            self.folded_at = width
            self.query_one("#push-commands", Static).update(self.commands_text(width))

    def on_unmount(self) -> None:
        self.cancel.set()  # the step left or the app quit: ansible-playbook goes too

    def on_mount(self) -> None:
        for widget in ("#push-real", "#push-stop", "#push-choice", "#push-diff-box"):
            self.query_one(widget).display = False
        diff = self.query_one("#push-diff", Static)
        diff.styles.text_wrap = "nowrap"
        diff.styles.text_overflow = "clip"

    # ---- running ------------------------------------------------------------------------

    @guarded
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id not in ("push-dry", "push-real", "push-stop"):
            return
        event.stop()
        if event.button.id == "push-stop":
            self.stop()
        elif not self.running:
            self.start(check=event.button.id == "push-dry")

    def stop(self) -> None:
        if self.running:
            self.cancel.set()
            self.query_one("#push-status", Static).update("Stopping ansible-playbook …")

    def start(self, check: bool) -> None:
        self.running = True
        self.cancel = threading.Event()
        self.lines, self._pending = {}, {}
        for widget in ("#push-choice", "#push-diff-box", "#push-real"):
            self.query_one(widget).display = False
        self.query_one("#push-dry", Button).disabled = True
        stop = self.query_one("#push-stop", Button)
        stop.display = True
        what = "The dry run (changes nothing)" if check else "The push"
        self.query_one("#push-status", Static).update(
            f"{what}: running ansible-playbook … Esc or Stop stops it."
        )
        self.query_one("#push-nodes", Static).update("")
        focus_now(stop)
        self._redraw = self.set_interval(PUSH_REFRESH, self.flush)
        self.run_push(check, self.cancel)

    @work(thread=True, exclusive=True, group="push", exit_on_error=False)
    def run_push(self, check: bool, cancel: threading.Event) -> None:
        from wizard import push
        from wizard.fleet import FleetError

        def line(_text: str, node: NodeResult | None) -> None:
            # Drawn by the timer of `start`: a line per result would flood the app's thread.
            if node is not None:
                with self._pending_lock:
                    self._pending[node.node] = node.summary(check)

        try:
            result = push.run(self.tree_path, check=check, on_line=line, cancel=cancel)
        except FleetError as exc:
            self._call(self.failed, str(exc))
            return
        except Exception as exc:
            self._call(self.failed, f"internal error ({type(exc).__name__}: {exc})")
            return
        self._call(self.finished, result)

    def _call(self, callback: Any, *args: object) -> None:
        """`callback` on the app's thread; nothing once the app has gone."""
        with contextlib.suppress(RuntimeError):
            self.app.call_from_thread(callback, *args)

    def flush(self) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, {}
        if pending:
            self.lines.update(pending)
            self.query_one("#push-nodes", Static).update(
                "\n".join(self.lines[n] for n in sorted(self.lines))
            )

    def ended(self) -> None:
        self.running = False
        if self._redraw is not None:
            self._redraw.stop()
            self._redraw = None
        self.query_one("#push-stop").display = False
        dry = self.query_one("#push-dry", Button)
        dry.disabled = False

    def failed(self, message: str) -> None:
        self.ended()
        self.flush()
        self.query_one("#push-status", Static).update(message)
        focus_now(self.query_one("#push-dry", Button))

    def finished(self, result: PushResult) -> None:
        self.ended()
        self.result = result
        self.lines = {}
        self._pending = {name: node.summary(result.check) for name, node in result.nodes.items()}
        self.flush()
        status = self.query_one("#push-status", Static)
        status.update(self.outcome(result))
        if result.check:
            self.dry_run = result
            real = self.query_one("#push-real", Button)
            real.display = result.ok and not self.dry_run_only
            self.show_changes(result)
            focus_now(real if real.display else self.query_one("#push-dry", Button))
        else:
            focus_now(self.query_one("#push-dry", Button))

    def outcome(self, result: PushResult) -> str:
        """The run in a sentence; each node's line below says the rest."""
        if not result.nodes:
            tail = "\n".join(result.tail[-12:])
            return (
                f"ansible-playbook ended (exit {result.status}) before any node answered:\n{tail}"
            )
        counts: dict[str, int] = {}
        for node in result.nodes.values():
            counts[node.status] = counts.get(node.status, 0) + 1
        changed = {"changed": "would change" if result.check else "changed"}
        said = ", ".join(
            f"{n} node(s) {changed.get(status, status)}" for status, n in sorted(counts.items())
        )
        if not result.ok:
            what = "The dry run" if result.check else "The push"
            return f"{what} failed (exit {result.status}): {said}; each node's line says why."
        if not result.check:
            return f"Pushed: {said}."
        if counts.get("changed"):
            return (
                f"Dry run done, nothing was changed: {said}. Choose a node and a file below to "
                "see what differs, then Push for real."
            )
        return f"Dry run done: {said}; every node has the tree's files."

    # ---- the dry run's diffs ----------------------------------------------------------

    def show_changes(self, result: PushResult) -> None:
        changed = {n: node for n, node in sorted(result.nodes.items()) if node.changed}
        self.query_one("#push-choice").display = bool(changed)
        self.query_one("#push-diff-box").display = bool(changed)
        nodes = self.query_one("#push-node", Select)
        nodes.set_options([(f"{n} ({len(node.changed)})", n) for n, node in changed.items()])
        if changed:
            self.choose_node(next(iter(changed)))

    def changed_files(self, node: str) -> list[str]:
        found = self.dry_run.nodes.get(node) if self.dry_run else None
        return list(found.changed) if found else []

    def choose_node(self, node: str) -> None:
        self.shown_node = node
        self.query_one("#push-node", Select).value = node
        files = self.changed_files(node)
        chooser = self.query_one("#push-file", Select)
        chooser.set_options([(f, str(i)) for i, f in enumerate(files)])
        if files:
            chooser.value = "0"
            self.show_file(node, files[0])

    def show_file(self, node: str, path: str) -> None:
        from screens.preview import coloured_diff

        assert self.dry_run is not None
        change = self.dry_run.nodes[node].changed[path]
        shown: Text
        if change.diff:
            shown = coloured_diff(change.diff, path)
        elif path.endswith(".jar"):
            shown = Text(f"{node}: {path} differs (a jar: its contents are not shown).\n")
        elif change.secret:
            shown = Text(
                f"{node}: {path} differs. It holds passwords, so its contents are never shown "
                f"here; `carbon-wizard collect {self.tree_path}` then `carbon-wizard check "
                f"{self.tree_path} --deployed` show the difference with the passwords masked.\n"
            )
        else:
            shown = Text(f"{node}: {path} differs in its mode or owner, not its contents.\n")
        self.query_one("#push-diff", Static).update(shown)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id not in ("push-node", "push-file"):
            return
        event.stop()
        node = self.query_one("#push-node", Select).value
        if event.value is Select.NULL or node is Select.NULL:
            return
        if event.select.id == "push-node":
            if node != self.shown_node:
                self.choose_node(str(node))
            return
        files = self.changed_files(str(node))
        index = int(str(event.value))
        if index < len(files):
            self.show_file(str(node), files[index])
