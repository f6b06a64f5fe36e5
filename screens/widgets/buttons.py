"""The wizard's buttons: the default style, compact, styled by a short stylesheet."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button

from screens.widgets.compact import made_compact


class CompactButton(Button, inherit_css=False):
    """A compact Button of the default style.

    Button's own stylesheet (57 rules: every variant, flat and ansi) is parsed when the
    first Button mounts and checked for each Button styled: ~7 ms before the first frame
    (Back and Next), and again on the first step that shows another button. These are
    its rules for the one style every button here uses, unchanged.
    """

    DEFAULT_CSS = """
    CompactButton:ansi.-style-default {
        border: tall $border-blurred;
        background: ansi_default;
        &:disabled {
            text-opacity: 1;
            text-style: bold dim;
            border: tall $border-blurred !important;
            background: ansi_default !important;
            pointer: not-allowed;
            &:hover { background: ansi_default; }
        }
        &:hover { background: $ansi-background; border: tall $border; }
        &.-active {
            background: $ansi-background !important;
            border: blank $background !important;
            tint: transparent;
        }
    }
    CompactButton {
        width: auto;
        min-width: 16;
        height: auto;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;
        &.-style-default {
            text-style: bold;
            color: $button-foreground;
            background: $surface;
            border: none;
            border-top: tall $surface-lighten-1;
            border-bottom: tall $surface-darken-1;
            &.-textual-compact { border: none !important; }
            &:disabled { text-opacity: 0.6; pointer: not-allowed; }
            &:focus {
                text-style: $button-focus-text-style;
                background-tint: $foreground 5%;
            }
            &:hover { border-top: tall $surface; background: $surface-darken-1; }
            &.-active {
                background: $surface;
                border-bottom: tall $surface-lighten-1;
                border-top: tall $surface-darken-1;
                tint: $background 30%;
            }
        }
    }
    """

    def __init__(
        self, *args: Any, compact: bool = True, classes: str | None = None, **kwargs: Any
    ) -> None:
        # The default style's class is given up front, and compact set quietly: each set
        # as Button sets them restyled the unmounted button, once for nothing.
        names = " ".join(filter(None, [classes, "-style-default"]))
        super().__init__(*args, classes=names, **kwargs)
        if compact:
            made_compact(self)
