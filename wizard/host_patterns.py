"""Host patterns: the hosts a line of text names (`10.0.1.{11..13}`, `apim{1..3}.lan`,
`{a,b}.lan`, or a list), as both front ends accept them when nodes are added."""

from __future__ import annotations

import itertools
import re

_RANGE = re.compile(r"\{([^{}]*)\}")
MAX_PATTERN_HOSTS = 64


def expand_hosts(pattern: str) -> list[str]:
    """Hosts from a pattern: `10.0.1.{11..13}`, `apim{1..3}.example.com`, `{a,b}.lan`, or a
    comma/space separated list. Raises ValueError with a message that says the fix."""
    text = pattern.strip()
    if not text:
        raise ValueError("no value; give a host, a list (a, b) or a pattern like 10.0.1.{11..13}")
    if "{" not in text:
        hosts = [h for h in re.split(r"[,\s]+", text) if h]
    else:
        if " " in text or text.count("{") != text.count("}"):
            raise ValueError(
                f"'{pattern}' is not a host pattern; write it like 10.0.1.{{11..13}} or "
                "node{1..3}.example.com (one pattern, no spaces)"
            )
        pieces: list[list[str]] = []
        last = 0
        for match in _RANGE.finditer(text):
            pieces.append([text[last : match.start()]])
            pieces.append(_alternatives(match.group(1), pattern))
            last = match.end()
        pieces.append([text[last:]])
        count = 1
        for piece in pieces:
            count *= len(piece)
        if count > MAX_PATTERN_HOSTS:
            raise ValueError(
                f"'{pattern}' makes {count} hosts; add at most {MAX_PATTERN_HOSTS} at a time"
            )
        hosts = ["".join(combo) for combo in itertools.product(*pieces)]
    if len(hosts) > MAX_PATTERN_HOSTS:
        raise ValueError(f"that is {len(hosts)} hosts; add at most {MAX_PATTERN_HOSTS} at a time")
    seen: set[str] = set()
    for host in hosts:
        if host in seen:
            raise ValueError(f"'{pattern}' names {host} twice")
        seen.add(host)
    return hosts


def _alternatives(body: str, pattern: str) -> list[str]:
    numeric = re.fullmatch(r"(\d+)\.\.(\d+)", body)
    if numeric:
        first, last = numeric.groups()
        lo, hi = int(first), int(last)
        if lo > hi:
            raise ValueError(f"'{{{body}}}' counts down; write {{{last}..{first}}}")
        # {01..03} keeps the zero padding, as a shell would.
        width = len(first) if first.startswith("0") and len(first) > 1 else 0
        if hi - lo + 1 > MAX_PATTERN_HOSTS:
            raise ValueError(
                f"'{{{body}}}' makes {hi - lo + 1} hosts; add at most {MAX_PATTERN_HOSTS} at a time"
            )
        return [str(n).zfill(width) for n in range(lo, hi + 1)]
    if "," in body:
        options = [o for o in body.split(",")]
        if all(options):
            return options
    raise ValueError(
        f"'{{{body}}}' in '{pattern}' is neither a range like {{11..13}} nor a list like {{a,b}}"
    )
