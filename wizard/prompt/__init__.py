"""The prompt mode (`carbon-wizard --plain`): the wizard's steps as plain questions.

The one package in wizard/ that imports questionary; a module per step over the shared
draft (`wizard.draft`), questions (`wizard.questions`) and workflow (`wizard.workflow`):

    asking    one question, a line said, the session, a step's problems settled
    start     new plan, preset or saved session        products  products and user store
    nodes     nodes and cluster options                database  server and databases
    layout    registry layout and config partitions    review    preview, then write
    reask     a problem's field asked again            wizard    the steps walked in order
    plaintext choices, the README and commands at the terminal's width

After each step the answers are validated by the same model as the full-screen app's,
showing only the problems that step can fix and asking those fields again; the session is
saved after every step.

`run_prompt` is the edge: it turns Ctrl-C, a missing terminal and known errors into one
sentence and an exit code. Everything below it calls `.unsafe_ask()` so Ctrl-C reaches it.
Only questionary is imported at module level; the core (pydantic, lxml) loads on first use.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wizard import sessions
from wizard.prompt.wizard import PromptWizard

EXIT_OK = 0
EXIT_FAILED = 2
EXIT_INTERRUPTED = 130

NO_TERMINAL = (
    "carbon-wizard: no terminal to ask questions on; write an answers file and run "
    "carbon-wizard generate --answers FILE --out DIR"
)


def run_prompt(
    *,
    env: Mapping[str, str],
    sessions_dir: Path,
    preset_dirs: Sequence[Path],
    start_session: str | None = None,
    preset: str | None = None,
    input: Any = None,
    output: Any = None,
) -> int:
    """Run the prompt mode; returns the process exit code. Never shows a traceback for
    what the operator can cause: Ctrl-C keeps the session and says how to resume."""
    if input is None and not _stdin_is_terminal():
        print(NO_TERMINAL, file=sys.stderr)
        return EXIT_FAILED
    wizard = PromptWizard(
        env=env, sessions_dir=Path(sessions_dir), preset_dirs=preset_dirs, io=(input, output)
    )
    from wizard.problems import AnswersError

    # A dropped SSH connection hangs the terminal up: end as Ctrl-C does, the session saved
    # and its lock released, instead of being killed with the lock left behind.
    hung_up = _on_hang_up(wizard)
    try:
        wizard.run(start_session=start_session, preset=preset)
        return EXIT_OK
    except KeyboardInterrupt:
        saved = wizard.save_quietly()
        # After a hang-up there is no terminal to print to.
        with contextlib.suppress(OSError):
            print("", flush=True)
            print(wizard.resume_hint() if saved else "interrupted; nothing was saved", flush=True)
        return EXIT_INTERRUPTED
    except EOFError:
        print(NO_TERMINAL, file=sys.stderr)
        if wizard.save_quietly():
            print(wizard.resume_hint(), file=sys.stderr)
        return EXIT_FAILED
    except AnswersError as exc:
        print(exc.report(), file=sys.stderr)
        if wizard.save_quietly():
            print(wizard.resume_hint(), file=sys.stderr)
        return EXIT_FAILED
    except sessions.SessionError as exc:
        print(f"carbon-wizard: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        # OutputError lives with the writer, which is imported only when a tree is written.
        output_mod = sys.modules.get("wizard.output")
        if output_mod is not None and isinstance(exc, output_mod.OutputError):
            print(f"carbon-wizard: {exc}", file=sys.stderr)
            if wizard.save_quietly():
                print(wizard.resume_hint(), file=sys.stderr)
            return EXIT_FAILED
        wizard.save_quietly()
        raise
    finally:
        wizard.release()
        _restore(hung_up)


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


HANG_UP_GRACE = 5.0
"""Seconds a hang-up gives the interrupt to end the run before the watchdog does."""


def _on_hang_up(wizard: PromptWizard) -> Any:
    """Treat SIGHUP as Ctrl-C while the questions run; the previous handler, to restore.

    The interrupt can be lost inside prompt_toolkit between two questions: the process was
    then found waiting in epoll on a terminal that was gone, its session still locked (about
    one hang-up in ten, in tmux). A watchdog started with the interrupt saves the session,
    releases its lock and ends the process if the interrupt has not within HANG_UP_GRACE.
    """

    def hung_up(signum: int, frame: object) -> None:
        watchdog = threading.Timer(HANG_UP_GRACE, _end_after_hang_up, args=(wizard,))
        watchdog.daemon = True  # gone with the process when the interrupt ends the run
        watchdog.start()
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGHUP, hung_up)
    except (AttributeError, ValueError):  # no SIGHUP here, or not the main thread
        return None


def _end_after_hang_up(wizard: PromptWizard) -> None:
    with contextlib.suppress(Exception):
        wizard.save_quietly()
    with contextlib.suppress(Exception):
        wizard.release()
    os._exit(EXIT_INTERRUPTED)  # no terminal to print to, nothing left to unwind


def _restore(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGHUP, previous)
