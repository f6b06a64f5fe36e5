"""Text for a terminal of a given width: choice lines wrapped for a list, the README's
Markdown as readable text, and commands folded at spaces with a shell continuation (the
prompt mode's lists and result, and the full-screen Write step's code blocks).

A terminal breaks a line at its last column, mid-word, and prompt_toolkit cuts a choice line
there; everything here is broken at word ends before it reaches either.
"""

from __future__ import annotations

import re
import textwrap

CHOICE_INDENT = 3
"""The columns questionary puts before a choice's title (` » ` or three blanks)."""

CHOICE_ROWS = 3
"""The rows a choice may take in a list; a longer one is cut at a word end with `…`."""

CODE_INDENT = "    "
"""A command of the README stands out from the prose by this indent, in place of its fence."""

CONTINUED = "  "
"""A folded command's further rows: under its first, two further in, after ` \\`."""

_NO_BREAK = "\x00"
"""Stands for a blank inside `code` while prose is wrapped: a name or command stays whole."""

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_LIST = re.compile(r"^(\s*)([-*]|\d+\.)\s+(.*)$")
_CODE_SPAN = re.compile(r"`([^`]*)`")
_STRONG = re.compile(r"\*\*(.+?)\*\*")


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        max(10, width),
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,  # a path or a name stays whole
    ) or [first.rstrip()]


def choice_title(title: str, width: int) -> str:
    """A choice's title in rows that fit a list `width` columns wide: wrapped at word ends,
    its further rows two columns in, at most CHOICE_ROWS rows (the last cut with `…`). The
    first word (a preset's or a session's name) is never cut."""
    room = width - 1  # the last column left free: some terminals wrap there
    if CHOICE_INDENT + len(title) <= room:
        return title
    # The first row follows the pointer; the rows after it are drawn from the list's left
    # edge, so they carry the indent themselves.
    pointer = " " * CHOICE_INDENT
    rows = _wrap(title, room, pointer, pointer + "  ")
    rows[0] = rows[0].removeprefix(pointer)
    if len(rows) > CHOICE_ROWS:
        rows = rows[:CHOICE_ROWS]
        last = rows[-1]
        while len(last) + 1 > room and " " in last.strip():
            last = last.rstrip().rsplit(" ", 1)[0]
        rows[-1] = last.rstrip(" ,;:·—-") + "…"
    return "\n".join(rows)


def fold_command(command: str, width: int, indent: str = CODE_INDENT) -> list[str]:
    """`command` as rows of at most `width` columns, broken at blanks outside quotes, each
    row but the last ending in ` \\` (the shell reads the rows as one line, so the rows can
    be pasted as they are).

    A word wider than its row (a path on a node) is broken after a `/` with a `\\` and no
    blank, its rest from the row's first column: the shell removes a backslash-newline
    inside a word too, and the word is read whole. (Left whole, it ran past the screen's
    edge and was cut, or wrapped where no shell reads it as one.) A word in single quotes,
    where a backslash is kept, is never broken."""
    if len(indent) + len(command) <= width:
        return [indent + command]
    words = _shell_words(command)
    if words is None:
        return [indent + command]  # a quote left open or a comment: never folded
    rows: list[str] = []
    row = indent
    lead = indent + CONTINUED
    for word in words:
        if row.strip():
            if len(row) + 1 + len(word) + 2 <= width:
                row = f"{row} {word}"
                continue
            pieces = _word_pieces(word, width - len(row) - 2, width - 3)
            if len(lead) + len(word) + 2 <= width or len(pieces[0]) > width - len(row) - 2:
                rows.append(row + " \\")  # on a row of its own, whole or from its start
                row = lead
            else:
                row += " "  # too wide for any row: begun here, after the command's words
        pieces = _word_pieces(word, width - len(row) - 1, width - 3)
        for piece in pieces[:-1]:
            rows.append(row + piece + "\\")
            row = ""
        row += pieces[-1]
    rows.append(row)
    return rows


def _word_pieces(word: str, first: int, rest: int) -> list[str]:
    """`word` in pieces of at most `first`, then `rest`, columns, each but the last ending
    after a `/`; the whole word when it fits, holds a quote or has no `/` to break after."""
    if len(word) <= first or "'" in word or '"' in word or "/" not in word:
        return [word]
    pieces: list[str] = []
    room = first
    while len(word) > room:
        cut = word.rfind("/", 0, room) + 1
        if cut <= 0:
            break
        pieces.append(word[:cut])
        word = word[cut:]
        room = rest
    return [*pieces, word]


def _shell_words(command: str) -> list[str] | None:
    """`command` cut at the blanks a shell splits at (outside quotes, not escaped); None
    where a fold could change its meaning: a quote left open, or a comment."""
    words: list[str] = []
    current = ""
    quote = ""
    escaped = False
    for char in command:
        if escaped:
            current += char
            escaped = False
        elif char == "\\" and quote != "'":
            current += char
            escaped = True
        elif quote:
            current += char
            if char == quote:
                quote = ""
        elif char in "'\"":
            current += char
            quote = char
        elif char == " ":
            if current:
                words.append(current)
            current = ""
        elif char == "#" and not current:
            return None
        else:
            current += char
    if quote or escaped:
        return None
    if current:
        words.append(current)
    return words


def plain_text(markdown: str, width: int) -> str:
    """The README's Markdown as text for a terminal `width` columns wide: headings
    underlined, `**`, backticks and `>` left out, prose and list items wrapped at word ends,
    each fenced command indented and folded at blanks with ` \\` (see `fold_command`)."""
    out: list[str] = []
    in_code = False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.extend(fold_command(line, width) if line.strip() else [""])
            continue
        heading = _HEADING.match(line)
        if heading:
            title = _inline(heading.group(2)).replace(_NO_BREAK, " ")
            level = len(heading.group(1))
            out.extend(_wrap(title, width))
            if level <= 3:
                out.append(("=" if level <= 2 else "-") * min(width, len(title)))
            continue
        quoted = line.startswith(">")
        if quoted:
            line = line.lstrip(">").lstrip()
        item = _LIST.match(line)
        if item:
            lead = " " * len(item.group(1)) + ("  " if quoted else "")
            first = f"{lead}{item.group(2)} "
            rows = _wrap(_inline(item.group(3)), width, first, " " * len(first))
        elif line.strip():
            lead = "  " if quoted else ""
            rows = _wrap(_inline(line.strip()), width, lead, lead)
        else:
            rows = [""]
        out.extend(row.replace(_NO_BREAK, " ") for row in rows)
    return "\n".join(out)


def _inline(text: str) -> str:
    """A line's inline markup left out: `**` around strong text, backticks around code
    (whose blanks are kept from the wrap, so a name or a short command stays whole)."""
    text = _CODE_SPAN.sub(lambda m: m.group(1).replace(" ", _NO_BREAK), text)
    return _STRONG.sub(r"\1", text)


def fold_fences(markdown: str, width: int) -> str:
    """`markdown` with every line of its fenced code blocks that is wider than `width`
    folded at blanks (`fold_command`): a code block drawn `width` columns wide, which a
    screen does not wrap, shows each command whole and pastes as it is."""
    out: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append(line)
        elif fenced:
            out += fold_command(line, width, indent="")
        else:
            out.append(line)
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")
