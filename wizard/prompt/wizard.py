"""The prompt mode's wizard: every step's questions, walked in order."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from wizard.prompt.database import DatabaseStep
from wizard.prompt.layout import LayoutStep
from wizard.prompt.nodes import NodesStep
from wizard.prompt.products import ProductsStep
from wizard.prompt.reask import Reasking
from wizard.prompt.review import ReviewSteps
from wizard.prompt.start import StartStep


class PromptWizard(
    StartStep, ProductsStep, NodesStep, DatabaseStep, LayoutStep, ReviewSteps, Reasking
):
    def __init__(
        self,
        *,
        env: Mapping[str, str],
        sessions_dir: Path,
        preset_dirs: Sequence[Path],
        io: tuple[Any, Any],
    ) -> None:
        super().__init__(env=env, sessions_dir=sessions_dir, preset_dirs=preset_dirs, io=io)

    def run(self, *, start_session: str | None, preset: str | None) -> None:
        """Ask every step from where the session is, until the tree is written."""
        current: str | None = self.start(start_session, preset)
        for note in self.draft.normalize():
            self.say(f"note: {note}")
        runners: dict[str, Callable[[], str | None]] = {
            "products": self.step_products,
            "nodes": self.step_nodes,
            "database": self.step_database,
            "layout": self.step_layout,
            "preview": self.step_preview,
            "write": self.step_write,
        }
        while current is not None:
            assert self.session is not None
            self.session.step = current
            self.save()
            current = runners.get(current, self.step_products)()
