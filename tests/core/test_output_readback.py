"""write_tree reads every file back before the rules see it: a file that is longer, shorter
or different on disk stops the write, and nothing is put in place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests import answers_fixtures as af
from wizard import output, tree
from wizard.output import OutputError, write_tree

CHANGES: dict[str, Callable[[bytes], bytes]] = {
    "longer": lambda data: data + b"\n",
    "shorter": lambda data: data[:-1],
    "one byte different": lambda data: data[:-1] + (b"x" if data[-1:] != b"x" else b"y"),
    "empty": lambda data: b"",
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_file_that_reads_back_different_stops_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    built = tree.build(af.build())
    write_fully = output._write_fully

    def damaged(fd: int, content: bytes, path: str) -> None:
        if path.endswith("registry.xml"):
            content = CHANGES[change](content)
        write_fully(fd, content, path)

    monkeypatch.setattr(output, "_write_fully", damaged)
    with pytest.raises(OutputError, match="reads back different"):
        write_tree(built, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []  # the staging directory is gone too


def test_an_empty_file_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert output._read_file(str(path), 0) == b""
    path.write_bytes(b"ab")
    assert output._read_file(str(path), 0) == b"a"
    assert output._read_file(str(path), 2) == b"ab"
