"""The tests that tests/conftest.py marks by name are still there, so a rename cannot quietly
move a slow or server test into `make test-fast`; and the tiers hold every test file."""

from __future__ import annotations

from pathlib import Path

from tests import conftest

TESTS = Path(__file__).resolve().parents[1]
TIERS = ("core", "render", "rules", "ui")


def _test_file(name: str) -> Path:
    found = list(TESTS.glob(f"*/{name}"))
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


def test_every_file_and_test_marked_by_name_exists() -> None:
    for file in conftest.SERVER_FILES:
        assert _test_file(file).is_file(), file
    for table in (conftest.SERVER_TESTS, conftest.SLOW_TESTS):
        for file, names in table.items():
            source = _test_file(file).read_text()
            for name in names:
                assert f"def {name}(" in source, f"{file}::{name}"


def test_every_test_file_is_in_a_tier_with_its_conftest() -> None:
    assert not list(TESTS.glob("test_*.py")), "a test file outside the tiers"
    for tier in TIERS:
        assert (TESTS / tier / "conftest.py").is_file(), tier
        assert list((TESTS / tier).glob("test_*.py")), tier
    assert {p.parent.name for p in TESTS.glob("*/test_*.py")} == set(TIERS)
