"""What the fuzzer feeds the wizard, and how each outcome is judged.

Every input ends one of three ways that are fine — refused with the wizard's own sentence
(an operator error), accepted with a tree `check` passes, or read as damaged and named —
or one of two that are not: an internal error (any other exception: what an operator would
see as exit 70), or an accepted tree that fails `check`.
"""

from __future__ import annotations

import contextlib
import copy
import json
import shutil
import subprocess
import tempfile
import traceback
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard import answers, distribution, names, output, rules, sessions, workflow
from wizard.distribution import DistributionError
from wizard.problems import AnswersError

OPERATOR_ERRORS: tuple[type[BaseException], ...] = (
    AnswersError,
    DistributionError,
    output.OutputError,
    sessions.SessionError,
)


class AnyPassword(Mapping[str, str]):
    """The environment a generate run sees: every variable set, to `password`."""

    def __init__(self, password: str) -> None:
        self.password = password

    def __getitem__(self, key: str) -> str:
        return self.password

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@dataclass
class Tally:
    """Outcomes of a run, and the first few inputs behind each bad one."""

    outcomes: Counter[str] = field(default_factory=Counter)
    internal: list[str] = field(default_factory=list)
    failing_check: list[str] = field(default_factory=list)
    trees_on_disk: int = 0

    def add(self, outcome: str, detail: str = "") -> None:
        self.outcomes[outcome] += 1
        if outcome == "internal" and len(self.internal) < 20:
            self.internal.append(detail)
        if outcome == "failing-check" and len(self.failing_check) < 20:
            self.failing_check.append(detail)

    @property
    def examples(self) -> int:
        return sum(self.outcomes.values())


def _internal(exc: BaseException, what: str) -> str:
    tail = "".join(traceback.format_exception(exc)[-3:])
    return f"{what}\n{type(exc).__name__}: {exc}\n{tail}"


DISK_EVERY = 10
"""Every tenth accepted tree is also written as `generate` writes it and checked on disk."""


def run_answers(data: Any, password: str, tally: Tally, *, text: str | None = None) -> None:
    """`generate` over answers data (or TOML text): refused, or a tree that passes check."""
    what = f"answers: {text[:2000]!r}" if text is not None else f"answers: {_short(data)}"
    try:
        topology = answers.loads(text) if text is not None else answers.parse(data)
        planned = workflow.plan_topology(topology, AnyPassword(password))
        if planned.plan is None:
            tally.add("refused")
            return
        tree = workflow.build(planned.plan)
    except OPERATOR_ERRORS:
        tally.add("refused")
        return
    except Exception as exc:
        tally.add("internal", _internal(exc, what))
        return
    try:
        unsafe = [p for p in tree.files if not names.is_safe_path(p)]
        findings = [str(f) for f in rules.check_files(tree.files)]
        findings += [f"unsafe file name in the tree: {p!r}" for p in unsafe]
        if not findings and tally.outcomes["accepted"] % DISK_EVERY == 0:
            findings = _written(tree, tally)
    except OPERATOR_ERRORS as exc:
        findings = [f"refused while written: {exc}"]
    except Exception as exc:
        tally.add("internal", _internal(exc, what))
        return
    if findings:
        tally.add("failing-check", f"{what}\n" + "\n".join(findings[:5]))
    else:
        tally.add("accepted")


def _written(tree: Any, tally: Tally) -> list[str]:
    """The tree as `generate` writes it; `check` over the folder (modes included), and the
    tools an operator runs on it: `sh -n` on each node's script, `sha256sum -c`."""
    with tempfile.TemporaryDirectory(prefix="cw-fuzz-") as tmp:
        out = Path(tmp) / "tree"
        output.write_tree(tree, out)
        tally.trees_on_disk += 1
        found = [str(f) for f in rules.check_tree(out)]
        for script in sorted(out.glob("nodes/*/check-databases.sh")):
            found += _tool(["sh", "-n", str(script)], out)
        if shutil.which("sha256sum"):
            found += _tool(["sha256sum", "-c", "--quiet", "--strict", "SHA256SUMS"], out)
        return found


def _tool(command: list[str], cwd: Path) -> list[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)
    if done.returncode == 0:
        return []
    return [f"{' '.join(command[:2])} fails: {(done.stderr or done.stdout).strip()[:300]}"]


def run_front_end(data: Any, password: str, tally: Tally) -> None:
    """What both front ends ask of the answers as typed: every step's problems, the plan."""
    what = f"draft: {_short(data)}"
    try:
        files = workflow.LocalFiles()
        workflow.answer_problems(data, files)
        workflow.plan(data, AnyPassword(password), files)
    except OPERATOR_ERRORS:
        tally.add("refused")
    except Exception as exc:
        tally.add("internal", _internal(exc, what))
    else:
        tally.add("checked")


def run_session(raw: bytes, tally: Tally) -> None:
    """A session file as the sessions folder holds it: listed, loaded, exported."""
    what = f"session: {raw[:2000]!r}"
    with tempfile.TemporaryDirectory(prefix="cw-fuzz-") as tmp:
        directory = Path(tmp)
        (directory / "fuzzed-0000.json").write_bytes(raw)
        try:
            listed = sessions.list_sessions(directory)
            sessions.format_list(listed)
            if listed.entries:
                session = sessions.load("fuzzed-0000", dir=directory)
                sessions.missing_passwords(session)
                session.step = "database"  # a change, so the save below writes the file
                sessions.save(session, dir=directory)
                sessions.load("fuzzed-0000", dir=directory)
                with contextlib.suppress(AnswersError):  # unfinished answers: it says which
                    sessions.export("fuzzed-0000", directory / "out.toml", dir=directory)
                tally.add("accepted")
            else:
                tally.add("damaged")
        except OPERATOR_ERRORS:
            tally.add("refused")
        except Exception as exc:
            tally.add("internal", _internal(exc, what))


def run_manifest(files: Mapping[str, bytes], raw: bytes, tally: Tally) -> None:
    """`check` over a good tree whose manifest.json is `raw`: findings, never a crash."""
    what = f"manifest: {raw[:2000]!r}"
    try:
        rules.check_files({**files, "manifest.json": raw})
    except Exception as exc:
        tally.add("internal", _internal(exc, what))
    else:
        tally.add("checked")


def _short(data: Any) -> str:
    try:
        text = json.dumps(data, default=repr)
    except (ValueError, RecursionError):
        text = repr(data)
    return text[:4000]


def run_distribution(raw: bytes, build_tree: bool, tally: Tally) -> None:
    """A product zip as the operator names it (`distribution = "..."`): opened, its stock
    files read, its product detected, and a tree patched from it; refused by name, or a tree
    that passes check."""
    what = f"distribution zip of {len(raw)} bytes: {raw[:300]!r}"
    with tempfile.TemporaryDirectory(prefix="cw-fuzz-") as tmp:
        archive = Path(tmp) / "wso2am-2.6.0.zip"
        archive.write_bytes(raw)
        try:
            stock = distribution.open_stock(str(archive))
            for path in STOCK_PATHS:
                stock.read(path)
            distribution.detect(str(archive), stock)
        except OPERATOR_ERRORS:
            tally.add("refused")
            return
        except Exception as exc:
            tally.add("internal", _internal(exc, what))
            return
        if not build_tree:
            tally.add("read")
            return
        from tests.answers_fixtures import SHARED

        data = copy.deepcopy(SHARED)
        data["products"][0]["distribution"] = str(archive)
        run_answers(data, "s3cret-value", tally)


STOCK_PATHS = (
    "repository/conf/carbon.xml",
    "repository/conf/registry.xml",
    "repository/conf/user-mgt.xml",
    "repository/conf/datasources/master-datasources.xml",
    "repository/conf/axis2/axis2.xml",
    "bin/version.txt",
)
