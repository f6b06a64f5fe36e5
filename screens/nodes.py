"""Step 3: per product, its nodes (id, host, port offset), and the cluster options.

Each product's nodes are rows of a table, and one editor row under it edits the highlighted
node. A table draws only the rows in view, so an estate of hundreds of nodes costs a few
widgets per product instead of four per node: with a form row per node, 500 nodes were
9400 widgets, and every key press re-laid them all out (more than half a second).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Static

from screens.base import AnswersChanged, FormPane, focus_now, guarded, select_all
from screens.widgets.bound import BoundCheckbox, BoundInput, OrderedInput, shown
from screens.widgets.buttons import CompactButton
from screens.widgets.field import Field
from wizard import steps
from wizard.catalog import PRODUCTS
from wizard.fields import check_host
from wizard.problems import Problem
from wizard.questions import ADD_HOSTS, CLUSTERING, NODE_OFFSET, PORT_OFFSETS
from wizard.steps import split_path

COLUMNS = (("id", "id", 12), ("host", "host", 17), ("offset", "offset", 6))
"""(answer key, heading, width) of the columns an operator edits; a problem column follows,
which at 80 columns keeps 10 of its own: its heading and the field at fault read whole."""
EDITED = tuple(key for key, _, _ in COLUMNS)
EDITOR_CAPTION = "Edit the picked node (Up/Down picks another):"


def node_of(path: str) -> tuple[int, int] | None:
    """(product, node) positions of a path at or under one node, else None."""
    parts = split_path(path)
    if len(parts) >= 4 and parts[0] == "products" and parts[2] == "nodes":
        pi, ni = parts[1], parts[3]
        if isinstance(pi, int) and isinstance(ni, int):
            return pi, ni
    return None


class NodeTable(DataTable[Text]):
    """One product's nodes; the highlighted row is the one the editor below edits."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("delete", "drop", "Remove node", show=False)]

    class Drop(Message):
        """Delete was pressed on a row."""

        def __init__(self, table: NodeTable, row: int) -> None:
            super().__init__()
            self.table = table
            self.row = row

    def __init__(self, pi: int, nodes: list[dict[str, Any]], selected: int) -> None:
        super().__init__(
            id=f"nodes-{pi}", classes="node-table", cursor_type="row", zebra_stripes=True
        )
        self.pi = pi
        for key, heading, width in COLUMNS:
            self.add_column(heading, width=width, key=key)
        self.add_column("problem", key="problem")
        for ni, node in enumerate(nodes):
            self.add_row(*_cells(node), Text(""), key=str(ni))
        self.display = bool(nodes)
        self.selected = selected

    def on_mount(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.selected, animate=False)

    def action_drop(self) -> None:
        if self.row_count:
            self.post_message(self.Drop(self, self.cursor_row))


def _cells(node: dict[str, Any]) -> list[Text]:
    return [_cell(key, node.get(key)) for key in EDITED]


def _cell(key: str, value: Any) -> Text:
    if key == "offset" and value is None:
        return Text("0", style="dim")  # the model's default, as the editor's placeholder
    return Text(shown(value))


class NodesPane(FormPane):
    # The editor's boxes sit under the table's columns (a cell is padded by one each side).
    DEFAULT_CSS = """
    NodesPane .node-table { height: auto; max-height: 12; overflow-x: hidden; }
    NodesPane .editor-caption { color: $text-muted; text-style: italic; }
    NodesPane .node-editor { margin-bottom: 1; }
    NodesPane .node-editor > Horizontal { padding-left: 1; }
    NodesPane .node-id { width: 12; margin-right: 2; }
    NodesPane .node-host { width: 17; margin-right: 2; }
    NodesPane .node-offset { width: 6; margin-right: 2; }
    NodesPane .pattern { width: 1fr; margin-right: 1; }
    NodesPane .add-hosts { width: auto; min-width: 5; }
    NodesPane .checks { height: auto; }
    """

    step_id = "nodes"
    # The first product's nodes fill 80x24; the other products and the cluster options
    # follow that frame.
    first_items = 1
    keys_help = (
        "Each product's nodes are listed in a table: Up and Down pick a node, and the row "
        "under the table edits it (Tab to it, or Enter): its id (the folder in the tree), "
        "host and port offset. Delete (or the ✕ button) removes the picked node. To add "
        "several, type hosts as a list (a, b) or a pattern like 10.0.1.{11..13} and press "
        "Add: ids and free offsets are filled in. Clashing ports and duplicate ids are shown "
        "in the table's problem column, and in full under the editor; so is a preset's "
        "answer still to confirm (? host), which Enter in its box confirms."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.selected: dict[int, int] = {}
        """Per product position, the node its editor edits; kept across a rebuild."""
        self.stale_cells: set[str] = set()
        """Answer paths typed since their table cell was last drawn."""

    def body(self) -> Iterable[Widget]:
        self.stale_cells.clear()  # the tables are drawn from the answers
        for pi, product in enumerate(self.state.products()):
            yield self.product_nodes(pi, product)
        cluster = self.state.answers.get("cluster")
        cluster = cluster if isinstance(cluster, dict) else {}
        yield Field(
            "Cluster",
            Vertical(
                BoundCheckbox(
                    "cluster.clustering",
                    CLUSTERING.label,
                    bool(cluster.get("clustering", True)),
                    True,
                ),
                BoundCheckbox(
                    "cluster.port_offsets",
                    PORT_OFFSETS.label,
                    bool(cluster.get("port_offsets", True)),
                    True,
                ),
                classes="checks",
            ),
            paths=["cluster"],
        )

    def nodes(self, pi: int) -> list[dict[str, Any]]:
        found = self.state.products()[pi].get("nodes")
        return [n if isinstance(n, dict) else {} for n in found] if isinstance(found, list) else []

    def product_nodes(self, pi: int, product: dict[str, Any]) -> Widget:
        base = f"products[{pi}]"
        known = PRODUCTS.get(str(product.get("id")))
        label = known.label if known else str(product.get("id", "?"))
        nodes = self.nodes(pi)
        ni = min(self.selected.get(pi, 0), max(len(nodes) - 1, 0))
        self.selected[pi] = ni
        node = nodes[ni] if nodes else {}
        path = f"{base}.nodes[{ni}]"
        editor = Field(
            "",
            BoundInput(f"{path}.id", node.get("id"), classes="node-id"),
            BoundInput(f"{path}.host", node.get("host"), classes="node-host"),
            BoundInput(
                f"{path}.offset",
                node.get("offset"),
                kind="int",
                placeholder=NODE_OFFSET.example,
                classes="node-offset",
            ),
            CompactButton("✕", id=f"drop-{pi}", compact=True, classes="remove", tooltip="Remove"),
            paths=[path],
            id=f"editor-{pi}",
            classes="node-editor",
        )
        editor.display = bool(nodes)
        adder = Field(
            ADD_HOSTS.label,
            # Not bound to an answer: the pattern becomes nodes when Add is pressed.
            OrderedInput(
                placeholder=ADD_HOSTS.example,
                id=f"pattern-{pi}",
                classes="pattern",
                compact=True,
                select_on_focus=False,
            ),
            # As wide as its word: Button's 16 columns left the pattern box 13 at 80x24,
            # and its example read "10.0.1.{11..1".
            CompactButton("Add", id=f"add-{pi}", compact=True, classes="add-hosts"),
            paths=[f"{base}.nodes"],
            hint=None,
            id=f"adder-{pi}",
        )
        # Said above the editor, whose boxes under the table's columns looked like a second
        # copy of the picked node's row.
        caption = Static(EDITOR_CAPTION, id=f"caption-{pi}", classes="editor-caption")
        caption.display = bool(nodes)
        card = Vertical(NodeTable(pi, nodes, ni), caption, editor, adder, classes="card")
        # In the border rather than in widgets of their own: each widget costs every layout.
        card.border_title = Text(f"{label} {product.get('version', '')}", style="bold")
        card.border_subtitle = _count(len(nodes))
        return card

    # ---- the editor follows the highlighted row -----------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, NodeTable):
            event.stop()
            # A highlight queued before a later cursor move (keys in a burst, the move to
            # the picked row on mount) must not pull the cursor back to its row.
            if event.cursor_row == event.data_table.cursor_row:
                self.select(event.data_table.pi, event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if isinstance(event.data_table, NodeTable):
            event.stop()
            focus_now(self.query_one(f"#editor-{event.data_table.pi} .node-id", BoundInput))

    def select(self, pi: int, ni: int) -> None:
        """Point product `pi`'s editor at node `ni` and show that node's messages there."""
        nodes = self.nodes(pi)
        if not 0 <= ni < len(nodes):
            return
        editor = self.query_one(f"#editor-{pi}", Field)
        path = f"products[{pi}].nodes[{ni}]"
        if self.selected.get(pi) == ni and editor.paths == (path,):
            return
        self.selected[pi] = ni
        editor.paths = (path,)
        for control in editor.query(BoundInput):
            key = control.path.rsplit(".", 1)[1]
            control.path = f"{path}.{key}"
            # Loading a node is not typing: no Changed, so nothing is written back.
            with control.prevent(Input.Changed):
                control.value = shown(nodes[ni].get(key))
                control.cursor_position = len(control.value)
        table = self.query_one(f"#nodes-{pi}", NodeTable)
        if table.cursor_row != ni:
            table.move_cursor(row=ni, animate=False)
        self.refresh_problems()

    def answered(self, path: str, value: Any) -> None:
        # The row follows the editor when the answers are checked: redrawing the table on
        # every key would delay the key's own echo (~10 ms a table).
        if node_of(path) is not None and path.rsplit(".", 1)[1] in EDITED:
            self.stale_cells.add(path)

    def refresh_cells(self) -> None:
        for path in sorted(self.stale_cells):
            where = node_of(path)
            key = path.rsplit(".", 1)[1]
            # Read again: a node removed meanwhile moved the rows up.
            if where is not None and where[1] < len(self.nodes(where[0])):
                table = self.query_one(f"#nodes-{where[0]}", NodeTable)
                table.update_cell(str(where[1]), key, _cell(key, self.state.get(path)))
        self.stale_cells.clear()

    def on_key(self, event: events.Key) -> None:
        # Up and Down in the editor move to the node above or below, in the same column.
        focused = self.screen.focused
        if event.key not in ("up", "down") or not isinstance(focused, BoundInput):
            return
        where = node_of(focused.path)
        if where is None or focused.id:
            return
        event.stop()
        pi, ni = where
        ni += 1 if event.key == "down" else -1
        if 0 <= ni < len(self.nodes(pi)):
            self.focus_path(f"products[{pi}].nodes[{ni}].{focused.path.rsplit('.', 1)[1]}")

    # ---- problems: the picked node's at the editor, every node's in its row -------------

    def refresh_problems(self) -> None:
        self.refresh_cells()
        problems = self.problems()
        per_row: dict[tuple[int, int], list[Problem]] = {}
        elsewhere = []
        for problem in problems:
            where = node_of(problem.path)
            if where is not None:
                per_row.setdefault(where, []).append(problem)
            if where is None or self.selected.get(where[0]) == where[1]:
                elsewhere.append(problem)
        self.show_problems(elsewhere)
        confirming: dict[tuple[int, int] | None, list[str]] = {}
        for path in self.state.pending():
            confirming.setdefault(node_of(path), []).append(path.rsplit(".", 1)[-1])
        for table in self.query(NodeTable):
            for ni in range(table.row_count):
                found = per_row.get((table.pi, ni), [])
                mark = _mark(table.pi, ni, found, confirming.get((table.pi, ni), []))
                if table.get_cell(str(ni), "problem") != mark:
                    table.update_cell(str(ni), "problem", mark, update_width=True)

    def _visible(self, target: Field) -> bool:
        # The picked node's messages are shown in full under the editor whether or not its
        # boxes were typed in: its row already shows the first of them, and a clash made
        # by editing another node (or an empty offset box, the default) kept them hidden.
        return target.has_class("node-editor") or super()._visible(target)

    def focus_path(self, path: str) -> None:
        where = node_of(path)
        if where is None or where[1] >= len(self.nodes(where[0])):
            super().focus_path(path)
            return
        pi, ni = where
        self.select(pi, ni)
        editor = self.query_one(f"#editor-{pi}", Field)
        parts = split_path(path)
        key = parts[4] if len(parts) > 4 else ""
        controls = list(editor.query(BoundInput))
        target = next((c for c in controls if c.path.endswith(f".{key}")), controls[0])
        focus_now(select_all(target))
        self.scroll_to_widget(editor)

    # ---- adding and removing nodes ------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        # Textual runs StepPane's handler too (it calls each class's in turn), which
        # stores what bound boxes hold; editing a pattern only clears its message.
        if event.input.id and event.input.id.startswith("pattern-"):
            event.stop()
            self.query_one(f"#adder-{event.input.id.removeprefix('pattern-')}", Field).show([])

    @guarded
    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id and event.input.id.startswith("pattern-"):
            event.stop()
            await self.add_from_pattern(int(event.input.id.removeprefix("pattern-")))

    @guarded
    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("add-"):
            event.stop()
            await self.add_from_pattern(int(button.removeprefix("add-")))
        elif button.startswith("drop-"):
            event.stop()
            pi = int(button.removeprefix("drop-"))
            await self.drop(pi, self.selected.get(pi, 0), f"drop-{pi}")

    @guarded
    async def on_node_table_drop(self, event: NodeTable.Drop) -> None:
        event.stop()
        await self.drop(event.table.pi, event.row, f"nodes-{event.table.pi}")

    async def drop(self, pi: int, ni: int, focus_id: str) -> None:
        if not 0 <= ni < len(self.nodes(pi)):
            return
        self.state.remove_node(pi, ni)
        self.state.touched.add(f"products[{pi}].nodes")
        left = len(self.nodes(pi))
        self.selected[pi] = min(ni, max(left - 1, 0))
        await self.rebuild(focus_id if left else f"pattern-{pi}")

    async def add_from_pattern(self, pi: int) -> None:
        pattern = self.query_one(f"#pattern-{pi}", Input).value
        adder = self.query_one(f"#adder-{pi}", Field)
        try:
            hosts = steps.expand_hosts(pattern)
            for host in hosts:
                check_host(host)
        except ValueError as exc:
            adder.show([str(exc)])
            return
        before = len(self.nodes(pi))
        self.state.add_nodes(pi, hosts, self.state.node_key(pi))
        self.state.touched.add(f"products[{pi}].nodes")
        self.selected[pi] = before  # the first new node, ready to edit
        await self.rebuild(f"pattern-{pi}")

    async def rebuild(self, focus_id: str) -> None:
        await self.recompose()
        self.refresh_problems()
        self.post_message(AnswersChanged())
        focus_now(self.query_one(f"#{focus_id}"))


def _count(n: int) -> str:
    return "no nodes yet" if n == 0 else f"{n} node{'s' if n != 1 else ''}"


def _mark(pi: int, ni: int, problems: list[Problem], confirming: list[str]) -> Text:
    if not problems:
        # The sidebar's ? for the row's answers still to confirm, as ✗ marks one at fault
        # (8 cells at 80 columns); the editor says how.
        return Text(f"? {','.join(confirming)}", style="bold") if confirming else Text("")
    node = f"products[{pi}].nodes[{ni}]"
    first = problems[0]
    rest = first.path[len(node) :].lstrip(".")
    text = f"✗ {rest}: {first.message}" if rest else f"✗ {first.message}"
    if len(problems) > 1:
        text += f" (+{len(problems) - 1})"
    return Text(text, style="bold red")
