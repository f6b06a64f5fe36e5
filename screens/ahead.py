"""The panes of the steps, and a step change that shows a pane mounted ahead.

Mounting a step's form (composing and styling ~60 widgets, more for Database) was half of a
step change. The next step's pane is mounted hidden once the step on show is drawn, for the
answers as they are; Next shows it if they have not changed since (an edit mounts it again
once typing pauses), else a pane is mounted as before. With it: no garbage collection from
Ctrl+N to the work after the new frame. Measured (Ctrl+N to the new frame, 10 nodes, 0.3 s
on each step, tmux): bench/README.md, "The next step mounted ahead".
"""

from __future__ import annotations

import asyncio
import gc
import importlib
from dataclasses import dataclass

from textual.timer import Timer

from screens.base import StepPane
from screens.compat import ExitErrorsApp
from screens.state import WizardState
from wizard import steps

# Each step's pane is imported when it is first shown: the later steps pull in the model,
# the renderer and a Markdown parser, which the first screen does not need.
PANES: dict[str, tuple[str, str]] = {
    "start": ("screens.start", "StartPane"),
    "products": ("screens.products", "ProductsPane"),
    "nodes": ("screens.nodes", "NodesPane"),
    "database": ("screens.database", "DatabasePane"),
    "layout": ("screens.layout", "LayoutPane"),
    "preview": ("screens.preview", "PreviewPane"),
    "write": ("screens.write", "WritePane"),
}

PREPARED = ("products", "nodes", "layout", "database", "preview")
"""The steps mounted ahead, hidden, while the operator reads the step before them."""
PREPARE_DELAY = 0.4
"""Seconds of quiet after an edit's check before the next step is mounted again for it:
the mount holds the keys for its length (~100 ms for Database), so not within a pause in
typing."""
GC_PAUSE_LIMIT = 2.0
"""Seconds at most the garbage collector waits for a step's first frame."""


def pane_class(step_id: str) -> type[StepPane]:
    module, name = PANES[step_id]
    pane: type[StepPane] = getattr(importlib.import_module(module), name)
    return pane


@dataclass
class _Prepared:
    """The next step's pane, mounted hidden, for one revision of the answers."""

    pane: StepPane
    revision: int

    def fits(self, step_id: str, revision: int) -> bool:
        return self.pane.step_id == step_id and self.revision == revision


class PanesApp(ExitErrorsApp[int]):
    """The app's step panes: the one on show, the next one mounted ahead, and the garbage
    collector's pause over a change between them. `WizardApp` moves between the steps."""

    state: WizardState
    current: str
    """The step on show."""

    def __init__(self) -> None:
        super().__init__()
        self._prepared: _Prepared | None = None
        self._prepare_timer: Timer | None = None
        self._gc_paused = False
        self.steps_lock = asyncio.Lock()
        """Held by a step change and by the mounting of the next step: each reads and
        changes which panes are mounted, and the two overlapping left a pane with the id
        of another."""

    @property
    def pane(self) -> StepPane:
        """The step on show (a step left, or the next one prepared, may be mounted too)."""
        shown = next((p for p in self.panes() if p.step_id == self.current), None)
        return shown if shown is not None else self.query_one(StepPane)

    def panes(self) -> list[StepPane]:
        """Every step pane mounted: children of the wizard's screen. (A query walked every
        widget of every pane, ~5 ms of a step change with the Database step mounted.)"""
        if not self.screen_stack:
            return []
        return list(self.screen_stack[0].query_children(StepPane))

    # ---- the garbage collector ----------------------------------------------------------

    def pause_gc(self) -> None:
        """No garbage collection from a step change to the new step's frame and the work
        that follows it.

        Every widget ever mounted is in the collector's oldest generation, and a full
        collection that fell in a step change took 30-90 ms of it (Next to Nodes or to
        Database, 10 nodes, in-process): it runs once the step is on the terminal instead.
        A frame that never comes (the step left at once for another) resumes it on a timer.
        """
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True
            self.set_timer(GC_PAUSE_LIMIT, self.resume_gc)

    def resume_gc(self) -> None:
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()

    def on_unmount(self) -> None:
        # Ended in a step change (Ctrl+C, a test's end): the process may go on without us.
        self.resume_gc()

    # ---- the next step, mounted while the operator reads this one -----------------------

    async def take_prepared(self, step_id: str, focus_path: str) -> StepPane | None:
        """The next step's pane mounted ahead, if it is `step_id`'s for these answers (and
        the step is not opened at a field, which needs the whole form); else None, and the
        pane mounted ahead is gone. Called with `steps_lock` held."""
        if self._prepare_timer is not None:
            self._prepare_timer.stop()
            self._prepare_timer = None
        prepared, self._prepared = self._prepared, None
        if prepared is None:
            return None
        pane = prepared.pane
        if prepared.fits(step_id, self.state.revision) and not focus_path and pane.is_attached:
            return pane
        await pane.discard()
        return None

    def prepare_soon(self) -> None:
        if self._prepare_timer is not None:
            self._prepare_timer.stop()
        self._prepare_timer = self.set_timer(PREPARE_DELAY, self.prepare)

    async def prepare(self) -> None:
        """Mount the next step's pane, hidden, unless the one mounted is for these answers."""
        self._prepare_timer = None
        async with self.steps_lock:  # Next pressed meanwhile waits for it (~50-100 ms)
            await self._prepare_next()

    async def _prepare_next(self) -> None:
        following = steps.next_step(self.current) if self.current != "write" else ""
        if following not in PREPARED or not self.screen_stack or self._exit:
            return  # nothing to prepare, or the app is ending
        main = self.screen_stack[0]
        if self.screen is not main:  # a dialog is open: once it is closed
            self.prepare_soon()
            return
        prepared = self._prepared
        if prepared is not None:
            if prepared.fits(following, self.state.revision):
                return
            self._prepared = None
            await prepared.pane.discard()
        if any(p.step_id == following for p in self.panes()):  # the step left, still there
            self.prepare_soon()
            return
        pane = pane_class(following)(self.state)
        pane.display = False
        await main.mount(pane, after=self.pane)
        self._prepared = _Prepared(pane, self.state.revision)
