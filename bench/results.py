"""Rows of the benchmark table, medians, and the table itself."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Row:
    name: str
    value: str
    baseline: str
    ratio: str
    target: str
    met: bool | None
    """None when the row has no target of its own."""


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def repeat(measure: Callable[[], T], runs: int, warmup: int = 1) -> list[T]:
    """`runs` measurements after `warmup` discarded ones."""
    for _ in range(warmup):
        measure()
    return [measure() for _ in range(runs)]


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}" if baseline > 0 else "-"


def _met(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def table(rows: Sequence[Row]) -> str:
    head = ("measurement", "value", "baseline", "ratio", "target", "met")
    body = [(r.name, r.value, r.baseline, r.ratio, r.target, _met(r.met)) for r in rows]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), rule, *(line(b) for b in body)])
