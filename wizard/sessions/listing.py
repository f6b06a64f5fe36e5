"""Listing the saved sessions, newest first, with a one-line summary of each, and the
`carbon-wizard sessions` table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from wizard.names import shown
from wizard.sessions.errors import SessionError, SessionTooNew
from wizard.sessions.files import SUFFIX, check_id, parse_time, quarantine, sweep_temp_files
from wizard.sessions.record import Session, is_written_as_is, read_session


@dataclass(frozen=True)
class SessionEntry:
    id: str
    name: str
    products: str
    """e.g. `apim 2.6.0 ×2, is 5.7.0 ×1`."""
    step: str
    updated: str
    created: str
    path: Path
    written: str = ""
    """"written" (a tree was written from these very answers), "changed" (written, then
    changed), or "" (never written)."""


@dataclass(frozen=True)
class Damaged:
    path: Path
    """Where the file is now: `<id>.json.corrupt` once moved aside (a file written by a newer
    carbon-wizard is not moved, only listed)."""
    reason: str


@dataclass
class SessionList:
    entries: list[SessionEntry] = field(default_factory=list)
    """Newest first."""
    damaged: list[Damaged] = field(default_factory=list)

    def __iter__(self) -> Iterator[SessionEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def list_sessions(dir: Path) -> SessionList:
    """Every session, newest first. A file that does not load is moved aside to
    `<id>.json.corrupt` and listed in `damaged`; it never hides the others."""
    directory = Path(dir)
    result = SessionList()
    if not directory.is_dir():
        if os.path.lexists(directory):  # a file or a dangling link where the folder goes
            reason = "is not a folder; move it aside, and sessions are saved in a new one"
            result.damaged.append(Damaged(directory, reason))
        return result
    sweep_temp_files(directory)
    found: list[tuple[datetime, Session, Path]] = []
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        if path.name.startswith("."):
            continue
        session_id = path.name[: -len(SUFFIX)]
        try:
            check_id(session_id)
            session = read_session(path, session_id)
        except FileNotFoundError:
            if path.is_symlink():  # a dangling link is named, never skipped in silence
                result.damaged.append(Damaged(path, "a link to a file that does not exist"))
            continue  # else: deleted while we listed
        except SessionTooNew as exc:
            result.damaged.append(Damaged(path, str(exc)))
            continue
        except (OSError, ValueError, SessionError) as exc:
            reason = str(exc) if not isinstance(exc, OSError) else f"unreadable: {exc.strerror}"
            result.damaged.append(Damaged(quarantine(path), reason))
            continue
        found.append((parse_time(session.updated), session, path))
    found.sort(key=lambda item: (item[0], item[1].id), reverse=True)
    result.entries = [
        SessionEntry(
            id=s.id,
            name=s.name,
            products=products_summary(s.answers),
            step=s.step,
            updated=s.updated,
            created=s.created,
            path=path,
            written=("written" if is_written_as_is(s) else "changed") if s.written else "",
        )
        for _, s, path in found
    ]
    return result


def latest(dir: Path) -> SessionEntry | None:
    listed = list_sessions(dir)
    return listed.entries[0] if listed.entries else None


def products_summary(answers: Any) -> str:
    """`apim 2.6.0 ×2, is 5.7.0 ×1` from answers that may be unfinished."""
    products = answers.get("products") if isinstance(answers, dict) else None
    if not isinstance(products, list) or not products:
        return "no products yet"
    parts = []
    for product in products:
        if not isinstance(product, dict):
            continue
        label = " ".join(str(product[k]) for k in ("id", "version") if product.get(k))
        if product.get("profile"):
            label += f" ({product['profile']})"
        nodes = product.get("nodes")
        count = len(nodes) if isinstance(nodes, list) else 0
        parts.append(f"{label or '?'} ×{count}")
    return shown(", ".join(parts), 80) or "no products yet"


def format_list(listed: SessionList) -> str:
    """The `carbon-wizard sessions` table, with damaged files after it."""
    lines = []
    if not listed.entries:
        lines.append("no saved sessions")
    else:
        # Names and summaries come from the files: shown escaped and cut, so one long or
        # strange name can neither pad every row nor write to the terminal.
        rows = [
            (
                e.id,
                shown(e.name, 40),
                e.step,
                shown(e.updated[:19].replace("T", " ")),
                e.written or "-",
                e.products,
            )
            for e in listed.entries
        ]
        head = ("ID", "NAME", "STEP", "UPDATED (UTC)", "TREE", "PRODUCTS")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
        for row in [head, *rows]:
            cells = [row[i].ljust(widths[i]) for i in range(5)]
            lines.append("  ".join([*cells, row[5]]))
    for item in listed.damaged:
        lines.append(f"damaged: {shown(str(item.path), 200)}: {shown(item.reason, 200)}")
    return "\n".join(lines)


def unused_name(name: str, dir: Path) -> str:
    """`name`, or `name-2`, `name-3`, ... when a saved session has it already: a preset
    started twice made two plans of one name, told apart on the list only by their ids, and
    both wrote to ./<name> by default."""
    taken = {entry.name for entry in list_sessions(dir).entries}
    if name not in taken:
        return name
    return next(f"{name}-{n}" for n in range(2, len(taken) + 3) if f"{name}-{n}" not in taken)
