"""The wizard on a large topology, for the responsiveness benchmark (run inside tmux).

`python -m bench.tui_probe nodes N LOG`: the Nodes step with N nodes, the cursor at the end
of the first node's id, "ready" written to LOG once it is drawn.
`python -m bench.tui_probe preview N LOG`: starts the wizard as an operator does, and
`BEFORE_PREVIEW` seconds after its first frame (an operator does not ask for the preview
sooner) opens the Preview step; writes to LOG the seconds from asking for it to the picture
and findings being drawn, then quits.
`python -m bench.tui_probe steps N LOG`: the Start step of N nodes over `STEP_PRODUCTS`
products (complete answers, so Next goes on), "ready" written to LOG once it is drawn; the
benchmark presses Ctrl+N and reads the terminal.
"""

from __future__ import annotations

import copy
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

from textual import events
from textual.widgets import Input

import screens.app
from bench.topology import estate
from screens.app import WizardApp, build_app
from screens.checks import Preview
from screens.preview import PreviewPane

STEP_PRODUCTS = 2
"""A plan of API Manager and Identity Server: the step-change row's topology."""
BEFORE_PREVIEW = 1.5
"""Seconds from the first frame to asking for the preview: what the app does in the
background after its first frame is done by then, as it is for an operator."""


class ProbeApp(WizardApp):
    """The wizard as `build_app` makes it, opened at the step being measured."""

    CSS_PATH = str(Path(screens.app.__file__).with_name("app.tcss"))

    def __init__(self, app: WizardApp, mode: str, log: Path) -> None:
        super().__init__(app.state)
        self.mode = mode
        self.probe_log = log

    async def on_mount(self, event: events.Mount) -> None:  # type: ignore[override]
        if self.mode == "preview":
            self.when_drawn(lambda: self.set_timer(BEFORE_PREVIEW, self.open_preview))
            return  # the wizard's own on_mount runs next, as for an operator
        event.prevent_default()  # the wizard's own on_mount would open the Start step
        if self.mode == "steps":
            await self.show_step("start")
            # As the wizard's own on_mount does: the modules of the later steps are imported
            # in the background once the first frame is out (an operator reads Start first).
            self.when_drawn(self.start_preload)
            self.when_drawn(lambda: self.probe_log.write_text("ready\n"))
        if self.mode == "nodes":
            await self.show_step("nodes")
            for field in self.query(Input):
                field.cursor_blink = False  # a blink is a paint no key asked for
            first = self.query_one("BoundInput.node-id", Input)
            first.focus()
            first.cursor_position = len(first.value)
            self.call_after_refresh(self.probe_log.write_text, "ready\n")

    async def open_preview(self) -> None:
        started = time.perf_counter()
        shown = PreviewPane.show_result

        def show_result(pane: PreviewPane, result: Preview) -> None:
            shown(pane, result)

            def drawn() -> None:
                self.probe_log.write_text(f"{time.perf_counter() - started}\n")
                self.exit()

            self.call_after_refresh(drawn)

        PreviewPane.show_result = show_result  # type: ignore[method-assign]
        await self.show_step("preview")


def main(mode: str, nodes: int, log: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="carbon-wizard-probe-") as home:
        root = Path(home)
        app = build_app(
            preset_dirs=[], sessions_dir=root / "sessions", env=dict(os.environ), cwd=root
        )
        products = STEP_PRODUCTS if mode == "steps" else 10
        app.state.load(copy.deepcopy(estate(nodes, products)), "bench")
        # As run_app does: what is imported by now is frozen out of every full collection.
        gc.freeze()
        ProbeApp(app, mode, log).run()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
