"""The fuzzer (`make fuzz`, fuzz/) in a bounded run: over mutated presets, answers files,
sessions, manifests and distribution zips, no input ends in an internal error, and no
accepted tree fails `check`."""

from __future__ import annotations

import pytest

from fuzz import __main__ as fuzz_main
from fuzz import targets


@pytest.fixture(scope="module")
def tallies() -> dict[str, targets.Tally]:
    # The same examples every run (derandomized): `make fuzz` draws new ones.
    return fuzz_main.run(1500, derandomize=True)


@pytest.mark.parametrize("target", list(fuzz_main.SHARES))
def test_no_internal_error_and_no_accepted_tree_failing_check(
    tallies: dict[str, targets.Tally], target: str
) -> None:
    tally = tallies[target]
    assert tally.examples > 0
    assert tally.internal == [], tally.internal[0]
    assert tally.failing_check == [], tally.failing_check[0]


def test_the_fuzzer_reaches_trees_and_refusals(tallies: dict[str, targets.Tally]) -> None:
    """Mutants both pass (and reach a tree, some written to disk) and are refused: a fuzzer
    that only ever produced one of the two would test half of what it claims."""
    answers = tallies["answers"].outcomes
    assert answers["accepted"] > 20 and answers["refused"] > 20
    assert tallies["answers"].trees_on_disk > 0
    sessions = tallies["sessions"].outcomes
    assert sessions["accepted"] > 0 and sessions["damaged"] > 0


def test_the_fuzzer_counts_an_internal_error() -> None:
    tally = targets.Tally()
    targets.run_manifest({}, b"{}", tally)
    targets.run_manifest(None, b"{}", tally)  # type: ignore[arg-type]
    assert tally.outcomes["checked"] == 1 and len(tally.internal) == 1
