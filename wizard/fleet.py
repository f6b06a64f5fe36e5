"""`carbon-wizard collect`: each node's deployed copies of the tree's files, fetched by the
tree's own ansible/collect.yml into `<tree>/deployed/<node>/`; and the tree as the rules read
it with those copies in place of `nodes/`, for `check --deployed`. `run_playbook` runs
ansible-playbook for collect and for the push (`wizard.push`) alike.

Ansible is an optional extra: nothing here imports it, and a missing `ansible-playbook` is
a sentence saying how to install it.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from wizard import output
from wizard.render.ansible import COLLECT, COLLECT_DIR_VAR, INVENTORY

INSTALL_HINT = (
    "ansible-playbook is not installed here; install it with "
    "pip install 'carbon-wizard[fleet]' (or: pip install ansible-core, or the system's "
    "ansible package)"
)
DEFAULT_TIMEOUT = 3600.0
_STOP_GRACE = 10.0


class FleetError(Exception):
    """Collecting could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Collected:
    path: Path
    files: dict[str, int]
    """Node id -> how many of its files were fetched."""


def ansible_playbook() -> str:
    """The ansible-playbook to run: the one installed beside this Python first (a venv run
    by its full path is not on PATH), else PATH's."""
    beside = Path(sys.executable).parent / "ansible-playbook"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("ansible-playbook")
    if found is None:
        raise FleetError(INSTALL_HINT)
    return found


def tree_playbook(tree: Path, playbook: str) -> tuple[Path, Path, Path]:
    """The tree (absolute), its inventory and its `playbook`; refused when it has none."""
    tree = Path(os.path.abspath(tree))
    inventory, path = tree / INVENTORY, tree / playbook
    if not tree.is_dir():
        raise FleetError(f"{tree} is not a directory; give a tree written by generate")
    if not (inventory.is_file() and path.is_file()):
        raise FleetError(
            f"{tree} has no {INVENTORY} and {playbook}: it was written without Ansible "
            "([fleet] ansible = false) or by an older carbon-wizard; generate it again"
        )
    return tree, inventory, path


def collect(
    tree: Path, ansible_args: Sequence[str] = (), *, timeout: float = DEFAULT_TIMEOUT
) -> Collected:
    """Run the tree's collect playbook; its output goes to this process's stdout/stderr.
    `ansible_args` go to ansible-playbook after the tree's inventory (`--limit apim`, another
    `-i` whose variables win, `--become`). All or nothing: a failed run leaves the previous
    collection as it was."""
    tree, inventory, playbook = tree_playbook(tree, COLLECT)
    command = [ansible_playbook(), "-i", str(inventory), *ansible_args]
    staging = output.deployed_staging(tree)
    try:
        extra = json.dumps({COLLECT_DIR_VAR: str(staging)})
        status = run_playbook(
            [*command, "-e", extra, str(playbook)],
            cwd=tree,
            timeout=timeout,
            stopped="nothing was collected",
        )
        if status != 0:
            raise FleetError(
                f"ansible-playbook failed (exit {status}; its output is above); nothing was "
                "collected and deployed/ is as it was"
            )
        counts = {
            node.name: sum(1 for f in node.rglob("*") if f.is_file())
            for node in sorted(staging.iterdir())
            if node.is_dir()
        }
        target = output.put_deployed_in_place(staging, tree)
    except BaseException:
        output.discard(staging)
        raise
    return Collected(target, counts)


class Cancelled(FleetError):
    """The operator stopped ansible-playbook (Esc in the full-screen app)."""


_POLL = 0.1
"""Seconds between looks at the clock and at a request to stop."""


def run_playbook(
    command: Sequence[str],
    *,
    cwd: Path,
    timeout: float,
    stopped: str,
    on_line: Callable[[str], object] | None = None,
    cancel: threading.Event | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run ansible-playbook (`command`) and return its exit status. Its output goes to this
    process's stdout/stderr, or, given `on_line`, line by line (stderr too, without the line
    end) to `on_line`, called in this thread. It is stopped (its whole process group:
    ansible forks a worker per host) after `timeout` seconds, when `cancel` is set, on
    Ctrl-C, or when `on_line` raises; `stopped` ends the sentence that says so (what the
    stop left undone). Files it makes are private (umask 077): fetched copies hold the
    nodes' passwords."""
    streamed = on_line is not None
    try:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=None if env is None else dict(env),
            start_new_session=True,
            umask=0o077,
            stdin=subprocess.DEVNULL if streamed else None,
            stdout=subprocess.PIPE if streamed else None,
            stderr=subprocess.STDOUT if streamed else None,
        )
    except OSError as exc:
        raise FleetError(f"cannot run {command[0]}: {exc.strerror or exc}") from None
    lines: queue.Queue[str | None] = queue.Queue()
    if process.stdout is not None:
        threading.Thread(
            target=_read_lines, args=(process.stdout, lines), name="ansible-output", daemon=True
        ).start()
    deadline = time.monotonic() + timeout
    reading = streamed
    try:
        while True:
            if cancel is not None and cancel.is_set():
                _stop(process)
                raise Cancelled(f"ansible-playbook was stopped; {stopped}")
            if time.monotonic() >= deadline:
                _stop(process)
                raise FleetError(
                    f"ansible-playbook did not finish within {timeout:g} s and was stopped; "
                    f"{stopped} (a node that does not answer? try --limit, or a longer "
                    "--timeout)"
                )
            if not reading:
                try:
                    return process.wait(timeout=_POLL)
                except subprocess.TimeoutExpired:
                    continue
            try:
                line = lines.get(timeout=_POLL)
            except queue.Empty:
                continue
            if line is None:
                reading = False
            elif on_line is not None:
                on_line(line)
    except BaseException:
        _stop(process)
        raise
    finally:
        if process.stdout is not None:
            process.stdout.close()


def _read_lines(stream: IO[bytes], into: queue.Queue[str | None]) -> None:
    try:
        for raw in stream:
            into.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
    except (OSError, ValueError):  # closed when the run was stopped
        pass
    finally:
        into.put(None)


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=_STOP_GRACE)
            return
        except subprocess.TimeoutExpired:
            continue


def deployed_tree(tree: Path) -> dict[str, bytes]:
    """The tree's files as the rules read them, with `deployed/<node>/` in place of
    `nodes/<node>/`: the manifest says what each node is, the nodes say what they have."""
    tree = Path(tree)
    deployed = tree / output.DEPLOYED
    if not deployed.is_dir():
        raise FleetError(
            f"{deployed} does not exist; run `carbon-wizard collect {tree}` first to fetch "
            "what the nodes have"
        )
    files = {
        rel: data
        for rel, data in read_files(tree).items()
        if not rel.startswith(("nodes/", f"{output.DEPLOYED}/", "."))
    }
    files.update({f"nodes/{rel}": data for rel, data in read_files(deployed).items()})
    return files


def read_files(root: Path) -> dict[str, bytes]:
    """Every regular file under `root` by POSIX path; links are not followed."""
    out: dict[str, bytes] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    out[prefix + name] = handle.read()
    return out
