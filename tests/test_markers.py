"""The tests that tests/conftest.py marks by name are still there, so a rename cannot quietly
move a slow or server test into `make test-fast`."""

from __future__ import annotations

from pathlib import Path

from tests import conftest

TESTS = Path(__file__).resolve().parent


def test_every_file_and_test_marked_by_name_exists() -> None:
    for file in conftest.SERVER_FILES:
        assert (TESTS / file).is_file(), file
    for table in (conftest.SERVER_TESTS, conftest.SLOW_TESTS):
        for file, names in table.items():
            source = (TESTS / file).read_text()
            for name in names:
                assert f"def {name}(" in source, f"{file}::{name}"


def test_some_files_are_marked_ui() -> None:
    assert list(TESTS.glob(f"{conftest.UI_FILES[0]}*.py"))
