"""Controls bound to an answer path: the pane writes what they hold into the answers dict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from textual.suggester import Suggester
from textual.widgets import Input, Select

from screens.widgets.toggles import Tick

Kind = Literal["text", "optional", "int"]
"""text: kept as typed; optional: empty drops the key; int: digits become a number, empty
drops the key, anything else is kept as typed so the model can say what is wrong."""


def convert(kind: Kind, value: str) -> Any:
    """The answer for `value`; None means the key is left out."""
    if kind == "text":
        return value
    if value == "":
        return None
    if kind == "int":
        text = value.strip()
        return int(text) if text.isdigit() else value
    return value


def shown(value: Any) -> str:
    return "" if value is None else str(value)


class Bound:
    """Mixin: `path` names the answer, e.g. `products[0].nodes[1].host`."""

    path: str
    kind: Kind = "text"


class BoundInput(Bound, Input):
    DEFAULT_CSS = """
    BoundInput { width: 1fr; }
    """

    def __init__(
        self,
        path: str,
        value: Any = None,
        *,
        kind: Kind = "text",
        placeholder: str = "",
        password: bool = False,
        suggester: Suggester | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            shown(value),
            placeholder=placeholder,
            password=password,
            suggester=suggester,
            compact=True,
            id=id,
            classes=classes,
            select_on_focus=False,
        )
        self.path = path
        self.kind = kind


class BoundSelect(Bound, Select[str]):
    def __init__(
        self,
        path: str,
        options: Iterable[tuple[str, str]],
        value: str | None,
        *,
        id: str | None = None,
        prompt: str = "Select",
    ) -> None:
        options = list(options)
        known = {v for _, v in options}
        super().__init__(
            options,
            value=value if value in known else Select.NULL,
            allow_blank=value not in known,
            compact=True,
            id=id,
            prompt=prompt,
        )
        self.path = path


class BoundCheckbox(Bound, Tick):
    def __init__(self, path: str, label: str, value: bool, default: bool) -> None:
        super().__init__(label, value, compact=True)
        self.path = path
        self.default = default
        """The model's default: an answer equal to it is left out, keeping answers minimal."""
