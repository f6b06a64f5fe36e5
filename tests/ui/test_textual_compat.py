"""screens/compat.py against the installed Textual: each test fails when Textual changes
under an entry (a private name gone or changed, the code KeysFooter repeats changed)."""

from __future__ import annotations

import hashlib
import inspect
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rich.console import RenderableType
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, OptionList, Select, Static

from screens import compat
from screens.app import WizardApp
from screens.widgets.bound import OrderedInput
from screens.widgets.compact import made_compact
from tests.ui.test_tui_support import make_app

# ---- COMPACT_CLASS ---------------------------------------------------------------------


def compact_kinds() -> list[tuple[type[Widget], tuple[Any, ...]]]:
    # Every kind of widget the wizard makes compact with made_compact or compact=True.
    return [(Input, ()), (OptionList, ()), (Button, ("b",)), (Checkbox, ("c",)), (Select, ([],))]


@pytest.mark.parametrize(("kind", "args"), compact_kinds())
def test_compact_sets_the_class_compat_names(kind: type[Widget], args: tuple[Any, ...]) -> None:
    assert kind(*args, compact=True).has_class(compat.COMPACT_CLASS)  # type: ignore[call-arg]
    assert not kind(*args, compact=False).has_class(compat.COMPACT_CLASS)  # type: ignore[call-arg]
    # ... and the widget's own stylesheet styles that class.
    assert any(compat.COMPACT_CLASS in (c.DEFAULT_CSS or "") for c in kind.__mro__[:2])


@pytest.mark.parametrize(("kind", "args"), compact_kinds()[:4])
def test_made_compact_is_what_compact_true_makes(kind: type[Widget], args: tuple[Any, ...]) -> None:
    quiet = made_compact(kind(*args, compact=False))  # type: ignore[call-arg]
    loud = kind(*args, compact=True)  # type: ignore[call-arg]
    assert quiet.classes == loud.classes
    assert quiet.compact is loud.compact is True  # type: ignore[attr-defined]


# ---- DEFAULT_SCREEN_ID -----------------------------------------------------------------


def test_the_default_screen_id_is_textuals() -> None:
    assert App().get_default_screen().id == compat.DEFAULT_SCREEN_ID


# ---- node_bindings ---------------------------------------------------------------------


def test_node_bindings_are_the_widgets_own_for_the_key() -> None:
    box = OrderedInput()
    for binding in Binding.make_bindings(Input.BINDINGS):
        found = compat.node_bindings(box, binding.key)
        assert binding.action in [b.action for b in found], binding.key
        assert all(isinstance(b, Binding) for b in found)
    assert compat.node_bindings(box, "f12") == []


def test_node_bindings_follow_a_subclass_and_leave_the_app_out() -> None:
    class Box(Input):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+u", "mine", "Mine")]

    class Bound(App[None]):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("f5", "app_only", "App")]

    assert compat.node_bindings(Box(), "ctrl+u")[0].action == "mine"
    assert compat.node_bindings(Box(), "f5") == []
    assert [b.action for b in compat.node_bindings(Bound(), "f5")] == ["app_only"]


# ---- ExitErrorsApp ---------------------------------------------------------------------


class Failing(compat.ExitErrorsApp[None]):
    def __init__(self, handled: bool) -> None:
        super().__init__()
        self.handled = handled
        self.seen: list[RenderableType] = []

    def print_exit_errors(self, errors: list[RenderableType]) -> bool:
        self.seen = errors
        return self.handled

    def on_mount(self) -> None:
        raise RuntimeError("boom in mount")


async def run_failing(app: App[Any]) -> None:
    await app.run_async(headless=True, size=(40, 10))
    assert app.return_code == 1  # ended by the error


async def test_exit_errors_reach_the_hook_and_textual_prints_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = Failing(handled=True)
    await run_failing(app)
    assert app.seen, "the hook was not given Textual's exit errors"
    err = capsys.readouterr().err
    assert "boom in mount" not in err and "Traceback" not in err


async def test_exit_errors_left_to_textual_are_printed_by_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = Failing(handled=False)
    await run_failing(app)
    assert app.seen
    assert "boom in mount" in capsys.readouterr().err


async def test_the_wizard_ends_an_internal_error_with_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(self: WizardApp) -> str:
        raise RuntimeError("boom in the first step")

    monkeypatch.setattr(WizardApp, "open_first", broken)
    await run_failing(make_app(tmp_path))
    err = capsys.readouterr().err
    assert "carbon-wizard: internal error; the session is saved" in err
    assert "boom in the first step" not in err


def test_the_private_print_method_is_the_one_textual_calls() -> None:
    # The override only works while App still has this method, takes no arguments, and
    # keeps the errors in this list.
    assert list(inspect.signature(App._print_error_renderables).parameters) == ["self"]
    assert isinstance(App()._exit_renderables, list)


# ---- KeysFooter ------------------------------------------------------------------------

FOOTER_SOURCE_SHA256 = "99dddf9f73f2ecb1106ba0a40889e7089e12f9389ba4b98772905e7868f8dc16"
"""Footer.compose and Footer.bindings_changed of the Textual KeysFooter was checked
against. A new Textual changes it: read Footer.compose again, bring KeysFooter._shown in
line with what it reads, and put the new digest here."""


def footer_source() -> str:
    return "".join(inspect.getsource(m) for m in (Footer.compose, Footer.bindings_changed))


def test_footer_is_the_code_keys_footer_was_written_against() -> None:
    digest = hashlib.sha256(footer_source().encode()).hexdigest()
    assert digest == FOOTER_SOURCE_SHA256, footer_source()


def keys(footer: Footer) -> list[tuple[object, ...]]:
    return [
        (type(k).__name__, str(k.render()), k.disabled, k.tooltip, sorted(k.classes))
        for k in footer.children
    ]


class Panel(Static, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "toggle", "Toggle"),
        Binding("f3", "hidden", "Hidden", show=False),
        Binding("f4", "gated", "Gated", tooltip="only when on"),
    ]

    on = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "gated":
            return True if self.on else None  # None: shown, disabled
        return True

    def action_toggle(self) -> None:
        self.on = not self.on
        self.refresh_bindings()


class TwoFooters(App[None]):
    CSS = "#plain { dock: top; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, palette: bool) -> None:
        self.ENABLE_COMMAND_PALETTE = palette
        super().__init__()

    def compose(self) -> ComposeResult:
        yield Panel("panel", id="panel")
        yield Input(id="box")
        yield Footer(id="plain")
        yield compat.KeysFooter()


@pytest.mark.parametrize("palette", [False, True])
async def test_keys_footer_shows_what_footer_shows(palette: bool) -> None:
    app = TwoFooters(palette)
    async with app.run_test(size=(100, 12)) as pilot:

        async def same() -> list[tuple[object, ...]]:
            for _ in range(3):
                await pilot.pause()
            plain = keys(app.query_one("#plain", Footer))
            assert keys(app.query_one(compat.KeysFooter)) == plain
            return plain

        states = [await same()]
        app.query_one("#panel").focus()
        states.append(await same())
        await pilot.press("f2")  # the gated key becomes enabled
        states.append(await same())
        app.query_one("#box").focus()
        states.append(await same())
        app.query_one("#panel").focus()
        await pilot.press("f2")
        states.append(await same())
        assert len({repr(s) for s in states}) >= 3  # the states drawn did differ


# ---- select_options (the tests' own use) -------------------------------------------------


@pytest.mark.parametrize("blank", [True, False])
def test_select_options_are_its_prompts_and_values_in_order(blank: bool) -> None:
    pairs = [("Alpha", "a"), ("Beta", "b")]
    options = compat.select_options(Select(pairs, allow_blank=blank))
    assert options == ([("", Select.NULL)] if blank else []) + pairs


def test_content_wraps_a_long_word_with_the_divide_line_compat_installs() -> None:
    """Textual's Content still reads its line breaks from the name `divide_line` that
    `wrap_long_words` replaces: a path wider than the line breaks after a `/`."""
    import textual.content
    from textual.content import Content

    from screens import compat
    from screens.widgets.longtext import divide_line

    compat.wrap_long_words()
    assert textual.content.divide_line is divide_line
    rows = [line.plain for line in Content("see /opt/wso2/products/wso2am-2.6.0.zip").wrap(20)]
    assert rows == ["see /opt/wso2/", "products/", "wso2am-2.6.0.zip"]
