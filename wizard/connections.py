"""Test connections from the Database step: which databases the answers as they stand can
test, and one line per database in the project's words.

Both front ends ask for a test and show the lines; the work is `wizard.probe`'s, the same as
`carbon-wizard probe`. A password not given yet, or whose variable is not set, is not a
failure: the server is still reached, and the line says the login was not tested and why.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from wizard import database_slots, steps
from wizard.plan import DatabasePlan
from wizard.probe import ProbeResult, printable, probe_database, scrub

STEP_TIMEOUT = 3.0
"""Seconds each step of a probe (name, TCP, login) may take, as `carbon-wizard probe`."""

DEADLINE = 15.0
"""Seconds the whole test may take: a driver that ignores its own timeout is not waited for
beyond this, so the operator always gets every line back."""

Outcome = Literal["ok", "failed", "untested"]

_NOT_GIVEN = "CW_CONNECTION_TEST_NO_PASSWORD"
"""Stands in for a password not given yet, so that the answers make a plan to test; it is
never looked up in the environment."""


@dataclass(frozen=True)
class Line:
    path: str
    """Where the answers define the database (`database.registry`), "" for the whole test."""
    outcome: Outcome
    text: str
    """One line for the operator, the mark first (✓ ok, ✗ failed, – not tested)."""


@dataclass(frozen=True)
class Testing:
    """What a test will do: the databases to probe, or why none can be probed yet."""

    databases: tuple[DatabasePlan, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    """answers path -> the label the Database step shows for it."""
    blocked: tuple[Line, ...] = ()

    @property
    def start_line(self) -> str:
        """What to show while the test runs."""
        count = len(self.databases)
        noun = "database" if count == 1 else "databases"
        return f"Testing {count} {noun} from this machine (at most {DEADLINE:g} s)…"


def prepare(answers: Any, env: Mapping[str, str]) -> Testing:
    """The databases of `answers` to test, passwords read from `env`; or, when the answers
    cannot make a plan yet, lines saying what to fix first."""
    from wizard import answers as answers_mod
    from wizard.plan.databases import plan_databases
    from wizard.problems import AnswersError

    if not isinstance(answers, Mapping):
        return Testing(blocked=(_blocked("the answers are not a table"),))
    data = copy.deepcopy(dict(answers))
    slots = database_slots.needed(data)
    for slot in slots:
        table = steps.lookup(data, slot.path)
        if isinstance(table, dict) and not table.get("password") and not table.get("password_env"):
            table.pop("password", None)
            table["password_env"] = _NOT_GIVEN
    try:
        topology = answers_mod.parse(data)
    except AnswersError as exc:
        return Testing(blocked=tuple(_blocked(str(p)) for p in exc.problems[:3]))
    env = {k: v for k, v in env.items() if k != _NOT_GIVEN}
    planned = plan_databases(topology, topology.database.engine_spec, env)
    databases = tuple(
        replace(db, password_env=None) if db.password_env == _NOT_GIVEN else db for db in planned
    )
    labels = {slot.path: slot.label for slot in slots}
    return Testing(databases=databases, labels=labels)


def run(
    testing: Testing,
    *,
    timeout: float = STEP_TIMEOUT,
    deadline: float = DEADLINE,
    cancel: threading.Event | None = None,
) -> list[Line]:
    """Probe every database of `testing` in parallel; one line each, in the step's order.
    Returns at `deadline` at the latest, and at once (no lines) when `cancel` is set."""
    if testing.blocked:
        return list(testing.blocked)
    if not testing.databases:
        return [Line("", "untested", "– No database to test: the answers need none yet.")]
    results: dict[int, ProbeResult] = {}
    slots = threading.BoundedSemaphore(8)

    def work(index: int, db: DatabasePlan) -> None:
        with slots:
            if cancel is not None and cancel.is_set():
                return
            try:
                results[index] = probe_database(db, timeout=timeout)
            except Exception as exc:
                # Said on the database's line: a traceback from a thread would be printed
                # over the operator's screen.
                reason = f"the test stopped: internal error ({type(exc).__name__}); test again"
                results[index] = ProbeResult(db.key, "", "connect", "failed", reason)

    # Daemon threads: a probe still waiting on its own time limits when the operator
    # leaves the step, or quits, holds neither the screen nor the process.
    threads = [
        threading.Thread(target=work, args=(i, db), name="cw-test", daemon=True)
        for i, db in enumerate(testing.databases)
    ]
    for thread in threads:
        thread.start()
    ends = time.monotonic() + deadline
    for thread in threads:
        while thread.is_alive() and time.monotonic() < ends:
            if cancel is not None and cancel.is_set():
                return []
            thread.join(min(0.1, max(0.0, ends - time.monotonic())))
    if cancel is not None and cancel.is_set():
        return []
    lines = []
    for index, db in enumerate(testing.databases):
        label = testing.labels.get(db.answers_path, db.key)
        result = results.get(index)
        if result is not None:
            line = line_for(label, db, result)
        else:
            line = Line(
                db.answers_path,
                "failed",
                f"✗ {label}: no answer within {deadline:g} s; the test stopped waiting",
            )
        lines.append(line)
    return lines


def try_all(answers: Any, env: Mapping[str, str], *, timeout: float = STEP_TIMEOUT) -> list[Line]:
    """`prepare` then `run`: the lines of a test of `answers` as they stand."""
    return run(prepare(answers, env), timeout=timeout)


def line_for(label: str, db: DatabasePlan, result: ProbeResult) -> Line:
    """The probe's result for `db` as the operator reads it: never the password."""
    where = f"{db.user}@{result.target}"
    if result.status == "ok":
        outcome: Outcome = "ok"
        text = f"✓ {label}: ok, {where} logged in and answered SELECT 1"
    elif result.status == "failed":
        outcome = "failed"
        text = f"✗ {label}: {where}: {result.reason}"
    else:
        outcome = "untested"
        reached = "the server answers; " if result.step == "login" else ""
        reason = result.reason
        if db.password is None and result.step == "login" and "password" in reason:
            reason = _no_password(db)
        text = f"– {label}: {where}: {reached}login not tested: {reason}"
    return Line(db.answers_path, outcome, printable(scrub(text, db.password)))


def summary(lines: Sequence[Line]) -> str:
    """The test in a sentence, after its lines."""
    count = {o: sum(line.outcome == o for line in lines) for o in ("ok", "failed", "untested")}
    parts = [f"{count['ok']} ok", f"{count['failed']} failed"]
    if count["untested"]:
        parts.append(f"{count['untested']} not tested")
    return ", ".join(parts) + (
        "." if not count["failed"] else ". Fix what failed, then test again."
    )


def _no_password(db: DatabasePlan) -> str:
    if db.password_env:
        return (
            f"${db.password_env} is not set here (it is read when the tree is written); "
            f"set it, or type the password, to test the login of {db.user}"
        )
    return f"no password given yet for {db.user}; type it or name its environment variable"


def _blocked(reason: str) -> Line:
    return Line("", "untested", f"– Cannot test yet: {reason}")
