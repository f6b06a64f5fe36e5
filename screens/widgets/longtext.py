"""Long values (JDBC URLs, paths, file names) read whole at 80 columns.

Text wraps at word ends; a single word wider than the line (a JDBC URL with its options, a
distribution's path) is broken after one of its separators (`/`, `;`, `&`, `?`, `.`, `-`,
...) rather than at whatever character reaches the edge; only a run of letters wider than
the whole line is still cut. A path in a box too narrow for it keeps its file name, with an
ellipsis in the middle. Nothing here changes a value: only how it is drawn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rich.cells import cell_len, chop_cells

STRONG = frozenset("/\\?&;,|")
"""Where a URL or a path breaks first: between its parts."""
WEAK = frozenset(".-_:@+=")
"""Where it breaks when no part ends far enough along the line: inside a host or file name."""

_WORD = re.compile(r"\s*\S+\s*")


def _break(word: str, room: int, width: int) -> int:
    """Characters of `word` that go on a line with `room` of its `width` cells free: up
    to and including a separator, a strong one unless it leaves two thirds of the line
    empty; 0 when no separator falls within `room`."""
    strong = weak = 0
    used = 0
    for i, char in enumerate(word):
        used += cell_len(char)
        if used > room:
            break
        # Not the word's last character: a break there is no break.
        if i + 1 < len(word.rstrip()):
            if char in STRONG:
                strong = i + 1
            elif char in WEAK:
                weak = i + 1
    before = width - room  # cells the words before it use on the line
    if strong and ((before + strong) * 3 >= width or not weak):
        return strong
    return max(strong, weak)


def _pieces(word: str, first: int, width: int) -> Iterator[str]:
    """`word` cut into lines: the first with `first` cells free (what the line it starts
    on has left), the others `width` wide; each cut after a separator where one fits. An
    empty first piece: the word starts on the next line."""
    room = first
    while cell_len(word.rstrip()) > room:
        cut = _break(word, room, width)
        if not cut:
            if room < width:  # no separator fits the rest of this line: start the next
                yield ""
                room = width
                continue
            cut = len(chop_cells(word, room)[0])  # letters wider than a line: cut them
        yield word[:cut]
        word = word[cut:]
        room = width
    yield word


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Offsets to break `text` at for lines `width` cells wide, as `rich._wrap.divide_line`
    returns them (Textual's Content wraps with that): at word ends, and a word wider than
    the line after its separators."""
    breaks: list[int] = []
    offset = 0  # cells used on the current line
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = cell_len(word.rstrip())
        if width - offset >= length:
            offset += cell_len(word)
        elif length <= width or not fold:
            if offset and start:
                breaks.append(start)
            offset = cell_len(word)
        else:
            # Fill what the line has left when the word breaks there; else a new line.
            pieces = list(_pieces(word, width - offset, width))
            at = start
            for n, piece in enumerate(pieces):
                if n and at:  # each piece after the first begins a line
                    breaks.append(at)
                at += len(piece)
            offset = cell_len(pieces[-1])
    return breaks


def elide_middle(value: str, width: int) -> str:
    """`value` in `width` cells: whole when it fits, else its start and its end (the file
    name, whole where it fits) with an ellipsis between them."""
    if cell_len(value) <= width:
        return value
    if width < 2:
        return "…"[:width]
    head_end = value.rstrip("/").rfind("/")
    tail = value[head_end:] if head_end > 0 else value
    # The end gets what the file name needs, leaving a quarter of the box to the start.
    tail_room = min(cell_len(tail), width - 1 - width // 4)
    head_room = width - 1 - tail_room
    tail_text = _last_cells(value, tail_room)
    head_text = chop_cells(value, head_room)[0] if head_room else ""
    return f"{head_text}…{tail_text}"


def _last_cells(value: str, cells: int) -> str:
    out = ""
    for char in reversed(value):
        if cell_len(out) + cell_len(char) > cells:
            break
        out = char + out
    return out
