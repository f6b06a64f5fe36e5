"""`python -m fuzz [--examples N]`: run every target, then report the examples run, internal
errors (an operator would see exit 70), accepted trees that fail `check`, and the time.
Exit 1 when either count is not zero."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fuzz import strategies as fs
from fuzz import targets

# How the examples are shared out: the answers (data and text) get most, as every one of
# them may build and check a whole tree.
SHARES = {
    "answers": 0.4,
    "toml": 0.1,
    "front-end": 0.15,
    "sessions": 0.12,
    "manifests": 0.12,
    "zips": 0.11,
}


def run(examples: int, *, derandomize: bool = False) -> dict[str, targets.Tally]:
    """Every target with its share of `examples`; one Tally per target."""
    out: dict[str, targets.Tally] = {}
    good = _good_tree_files()
    for name, share in SHARES.items():
        config = settings(
            max_examples=max(1, round(examples * share)),
            database=None,
            deadline=None,
            derandomize=derandomize,
            phases=[Phase.generate],  # nothing fails inside: outcomes are counted, not raised
            suppress_health_check=list(HealthCheck),
        )
        out[name] = targets.Tally()
        config(_target(name, out[name], good))()
    return out


def _target(
    name: str, tally: targets.Tally, good: tuple[dict[str, bytes], dict[str, Any]]
) -> Callable[[], None]:
    """The hypothesis test of target `name`, counting into `tally`."""
    if name == "answers":

        @given(fs.mutated_answers(), fs.passwords())
        def answers_target(data: Any, password: str) -> None:
            targets.run_answers(data, password, tally)

        return answers_target
    if name == "toml":

        @given(fs.mutated_toml())
        def toml_target(text: str) -> None:
            targets.run_answers(None, "s3cret-value", tally, text=text)

        return toml_target
    if name == "front-end":

        @given(fs.mutated_answers(), fs.passwords())
        def front_end_target(data: Any, password: str) -> None:
            targets.run_front_end(data, password, tally)

        return front_end_target
    if name == "sessions":

        @given(fs.session_bytes())
        def session_target(raw: bytes) -> None:
            targets.run_session(raw, tally)

        return session_target

    if name == "zips":

        @given(fs.mutated_zip(), st.integers(0, 3))
        def zip_target(raw: bytes, build: int) -> None:
            targets.run_distribution(raw, build == 0, tally)

        return zip_target

    @given(fs.manifest_bytes(good[1]))
    def manifest_target(raw: bytes) -> None:
        targets.run_manifest(good[0], raw, tally)

    return manifest_target


def _good_tree_files() -> tuple[dict[str, bytes], dict[str, Any]]:
    """A good tree in memory and its manifest as data, for the manifest target."""
    import json

    from tests.answers_fixtures import ENV, SHARED
    from wizard import answers, workflow

    planned = workflow.plan_topology(answers.parse(SHARED), ENV)
    assert planned.plan is not None
    files = dict(workflow.build(planned.plan).files)
    return files, json.loads(files["manifest.json"])


def report(tallies: dict[str, targets.Tally], seconds: float) -> str:
    lines = []
    total = internal = failing = 0
    for name, t in tallies.items():
        counts = ", ".join(f"{k} {v}" for k, v in sorted(t.outcomes.items()))
        disk = f"; {t.trees_on_disk} written and checked on disk" if t.trees_on_disk else ""
        lines.append(f"{name:10} {t.examples:6} examples: {counts}{disk}")
        total += t.examples
        internal += t.outcomes["internal"]
        failing += t.outcomes["failing-check"]
    for name, t in tallies.items():
        for detail in t.internal[:3]:
            lines.append(f"\n--- internal error ({name}) ---\n{detail}")
        for detail in t.failing_check[:3]:
            lines.append(f"\n--- accepted, fails check ({name}) ---\n{detail}")
    lines.append(
        f"\n{total} examples; {internal} internal errors; {failing} accepted trees failing "
        f"check; {seconds:.1f} s"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__)
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--derandomize", action="store_true", help="the same examples each run")
    args = parser.parse_args(argv)
    started = time.monotonic()
    tallies = run(args.examples, derandomize=args.derandomize)
    print(report(tallies, time.monotonic() - started))
    bad = sum(t.outcomes["internal"] + t.outcomes["failing-check"] for t in tallies.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
