"""Presets: answers TOML files for common topologies, bundled or the operator's own."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import limits
from wizard.names import is_safe_name
from wizard.problems import AnswersError, Problem

if TYPE_CHECKING:
    # The model (pydantic) loads only when a preset is used, not to list them: the start
    # of both front ends lists presets before anything is validated.
    from wizard.model import Topology


@dataclass(frozen=True)
class PresetInfo:
    name: str
    description: str
    path: Path
    problem: str | None = None
    """Why the file does not load, when it does not; it is still listed."""


# A top-level `description = "..."` line (a basic string without escapes) with no table
# header or multi-line string above it: the value tomllib would read, found without it.
_DESCRIPTION = re.compile(r'^description[ \t]*=[ \t]*"([^"\\\n]*)"[ \t]*(?:#[^\n]*)?$', re.M)
_UNSURE = re.compile(r"^[ \t]*\[|\"\"\"|'''", re.M)


def list_presets(dirs: Sequence[Path]) -> list[PresetInfo]:
    """Every preset by name; a later directory shadows an earlier one."""
    return _list(dirs, _info)


def list_presets_unchecked(dirs: Sequence[Path]) -> list[PresetInfo]:
    """`list_presets`, each description read from its line where it can be, unparsed.

    A preset it lists as usable may still fail to parse (`list_presets` says so, and a
    preset is only ever loaded through it): this is for a first screen, which checks the
    list with `list_presets` once it is drawn. tomllib and parsing the bundled presets
    cost ~10 ms of start-up otherwise.
    """
    return _list(dirs, _unchecked_info)


def _list(dirs: Sequence[Path], info: Callable[[Path], PresetInfo]) -> list[PresetInfo]:
    found: dict[str, PresetInfo] = {}
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            found[path.stem] = info(path)
    return sorted(found.values(), key=lambda p: p.name)


def find(name: str, dirs: Sequence[Path]) -> Path:
    for info in list_presets(dirs):
        if info.name == name:
            return info.path
    known = ", ".join(p.name for p in list_presets(dirs)) or "none"
    raise AnswersError(
        [Problem("", f"no preset named '{name}'; known presets: {known}")], "--preset"
    )


def preset_data(path: Path) -> dict[str, Any]:
    """A preset's answers as data, for a front end to edit: read within the answers' size
    and depth bounds, as an answers file is. Raises AnswersError naming the file."""
    from wizard.answers import toml_data

    try:
        text = _read(path)
    except (OSError, UnicodeDecodeError, limits.TooLarge) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise AnswersError([Problem("", f"cannot be read: {reason}")], str(path)) from None
    return toml_data(text, str(path))


def load_preset(name: str, dirs: Sequence[Path]) -> Topology:
    from wizard import answers

    return answers.load(find(name, dirs))


def _read(path: Path) -> str:
    """A preset's text: a regular file within the answers' size bound (a FIFO named
    *.toml would block every listing)."""
    return limits.read_capped(path, limits.ANSWERS_BYTES, regular_only=True).decode("utf-8")


def _unchecked_info(path: Path) -> PresetInfo:
    try:
        text = _read(path)
    except (OSError, ValueError):
        return _info(path)
    found = _DESCRIPTION.search(text)
    if found is None or _UNSURE.search(text, 0, found.start()):
        return _info(path, text)
    return PresetInfo(path.stem, found.group(1), path)


def _info(path: Path, text: str | None = None) -> PresetInfo:
    import tomllib  # not needed to list presets unchecked (a first screen)

    try:
        data = tomllib.loads(_read(path) if text is None else text)
    except OSError as exc:
        return PresetInfo(path.stem, "", path, f"cannot be read: {exc.strerror or exc}")
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError, UnicodeDecodeError
        reason = exc if isinstance(exc, ValueError) else "nested too deeply"
        return PresetInfo(path.stem, "", path, f"cannot be read: {reason}")
    description = data.get("description", "")
    return PresetInfo(path.stem, description if isinstance(description, str) else "", path)


def site_specific(topology: Topology) -> list[str]:
    """Answers that differ from site to site: every host and every database user."""
    paths = ["database.host"]
    for path, spec in topology.database_specs():
        paths.append(f"{path}.user")
        if spec.host is not None:
            paths.append(f"{path}.host")
    paths += [f"products[{pi}].nodes[{ni}].host" for pi, ni, _, _ in topology.nodes()]
    return paths


def save_preset(topology: Topology, name: str, directory: Path, *, force: bool = False) -> Path:
    """Write `topology` as the operator's own preset `name` in `directory`.

    Passwords never go in (each becomes a password_env name), and every host and user is
    marked site-specific, so whoever starts from the preset confirms them first.
    """
    if not is_safe_name(name, 64):
        raise AnswersError(
            [Problem("name", f"'{name}' cannot name a preset; use letters, digits, '.', '_', '-'")]
        )
    target = directory / f"{name}.toml"
    if target.exists() and not force:
        raise AnswersError(
            [Problem("name", f"a preset {name} exists already ({target}); choose another name")]
        )
    marked = topology.model_copy(update={"confirm": site_specific(topology)})
    header = (
        f"# carbon-wizard preset {name}. Hosts and users are marked site-specific (confirm);\n"
        "# passwords are read from the environment variables named by password_env.\n\n"
    )
    from wizard import answers

    text = answers.dumps(marked, keep_passwords=False, header=header)
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
