"""`carbon-wizard`, the console script: the commands of `wizard.cli`, given the full-screen
wizard to start when no command is named.

The UI depends on the core and never the other way round: this launcher, in screens/, hands
the app to the CLI. Textual is imported only when the app starts, so `generate`, `check` and
the prompt mode never pay for it.
"""

from __future__ import annotations

from typing import Any

from wizard import cli


def main() -> int:
    return cli.main(launch_app=_run_app)


def _run_app(**kwargs: Any) -> int:
    from screens.app import run_app

    return run_app(**kwargs)
