"""Every use of a Textual internal, and the one piece of Textual code reworked here.

Textual is pinned to one major version (pyproject.toml). Nothing else in screens/ (or in
the tests) touches a private Textual name: it imports what it needs from here, and
tests/ui/test_textual_compat.py fails when an entry below no longer matches the installed
Textual. Each entry says why it is needed and what public API would replace it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App, ReturnType
from textual.widgets import Footer

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.binding import Binding
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.widgets import Select


COMPACT_CLASS = "-textual-compact"
"""The class Textual's `compact` reactive (Button, Input, OptionList, ToggleButton) toggles.

Why: `made_compact` sets it with the reactive, without the restyle of the unmounted widget
that `compact=True` in a constructor costs (nine widgets on the Start step).
Public replacement: none; a way to set a reactive's toggle class without a restyle."""

DEFAULT_SCREEN_ID = "_default"
"""The id Textual's `App.get_default_screen` gives the default screen.

Why: the wizard's own default screen (no auto-focus, no restyle on its first resume) keeps
the id Textual gives its own. Public replacement: none (the id is not a named constant)."""


def node_bindings(node: DOMNode, key: str) -> list[Binding]:
    """The bindings `node` itself declares for `key` (its class's and its bases').

    Why: an Input runs its own editing bindings as the key arrives (OrderedInput), which
    needs the bindings of that one widget, not those of the whole focus chain.
    Public replacement: none; `Screen.active_bindings` merges the focus chain and keeps one
    binding per key. Uses `DOMNode._bindings` (a public `BindingsMap`)."""
    return list(node._bindings.key_to_bindings.get(key, ()))


class ExitErrorsApp(App[ReturnType]):
    """An App that decides itself how the errors it ends with are printed.

    Why: an operator sees one sentence when the app fails, not Textual's traceback (which
    Textual prints once the terminal is restored, from `App._exit_renderables`).
    Public replacement: none; a public hook around `App._print_error_renderables`.
    """

    def print_exit_errors(self, errors: list[RenderableType]) -> bool:
        """Print `errors` (what Textual would print on exit); False leaves it to Textual."""
        return False

    def _print_error_renderables(self) -> None:
        errors = self._exit_renderables
        if errors and self.print_exit_errors(list(errors)):
            errors.clear()
            return
        super()._print_error_renderables()


def wrap_long_words() -> None:
    """Text drawn by Textual breaks a word wider than its line after the word's separators
    (`screens.widgets.longtext.divide_line`), not at the last column: a JDBC URL, a path or
    a file name is read whole at 80 columns.

    Why: Textual's `Content.wrap` (every Static, hint, message and Markdown block) cuts a
    word wider than the line at whatever character reaches the edge. Replaces the name
    `textual.content.divide_line` (Rich's `rich._wrap.divide_line`, which Content calls
    with the same arguments and reads the same offsets from).
    Public replacement: none; a wrap hook for Content, or break opportunities in Rich's.
    """
    import textual.content

    from screens.widgets.longtext import divide_line

    textual.content.divide_line = divide_line  # type: ignore[attr-defined]


wrap_long_words()


class KeysFooter(Footer):
    """The key bar, composed again only when the keys it shows change.

    Why: Textual's Footer recomposes every key on each focus or binding change; showing a
    step mounts and focuses its widgets, which drew the same keys four times over before
    the first frame. Kept because it saves ~45 M instructions of the first frame (1388 M
    with it, 1433 M with Footer; cachegrind), ~12 ms of CPU.
    `_shown` repeats what `Footer.compose` reads (tests/ui/test_textual_compat.py holds a
    fingerprint of that method). Public replacement: a Footer that does not recompose
    unchanged keys.
    """

    def __init__(self) -> None:
        super().__init__()
        self._drawn: tuple[object, ...] | None = None

    def _shown(self, screen: Screen[Any]) -> tuple[object, ...]:
        # What Footer.compose draws: the bindings shown, whether each is enabled, tooltips.
        return tuple(
            (binding, enabled, tooltip)
            for _, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
            or (binding.action == "command_palette" and self.app.ENABLE_COMMAND_PALETTE)
        )

    async def recompose(self) -> None:
        if self.is_attached:
            shown = self._shown(self.screen)
            if shown == self._drawn:
                return
            self._drawn = shown
        await super().recompose()


# ---- for the tests ---------------------------------------------------------------------


def select_options(select: Select[Any]) -> list[tuple[Any, Any]]:
    """A Select's (prompt, value) pairs, the blank one first when it has one.

    Why: the tests move through a Select's list with the keys, as an operator does, and
    need each value's place in it. Public replacement: none (`Select` has `set_options`
    but no getter)."""
    return list(select._options)
