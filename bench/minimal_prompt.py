"""The prompt-mode baseline: a bare questionary question, nothing else imported."""

from __future__ import annotations

import questionary

READY = "minimal prompt ready?"

if __name__ == "__main__":
    questionary.select(READY, choices=["yes", "no"]).ask()
