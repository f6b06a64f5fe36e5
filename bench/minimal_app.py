"""The start-up baseline: the smallest Textual app that draws a screen of text."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static

READY = "minimal app ready"


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(READY)
        yield Footer()


if __name__ == "__main__":
    Minimal().run()
