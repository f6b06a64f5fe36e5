"""Widgets made compact before they mount, without being styled for it there and then."""

from __future__ import annotations

from typing import TypeVar

from textual.reactive import Reactive
from textual.widget import Widget

from screens.compat import COMPACT_CLASS

W = TypeVar("W", bound=Widget)


def made_compact(widget: W) -> W:
    """`widget`, constructed with `compact=False`, now compact as `compact=True` makes it.

    Textual applies the whole stylesheet to a widget whenever a class of it changes, mounted
    or not; `compact=True` in a constructor sets the class, so each compact widget was
    styled once for nothing before it was styled on mount (9 widgets on the Start step).
    """
    compact = getattr(type(widget), "compact", None)
    if not isinstance(compact, Reactive):  # not a widget Textual makes compact: as asked
        raise TypeError(f"{type(widget).__name__} has no compact style")
    widget.set_reactive(compact, True)
    widget.add_class(COMPACT_CLASS, update=False)
    return widget
