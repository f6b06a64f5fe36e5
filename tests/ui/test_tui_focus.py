"""Where the keys are, at 80x24 and without colour: the focused control stands out by its
style (reverse, or bold and underlined), not by a shade of grey; a jump to an answer selects
it, so typing replaces it; a layout chosen earlier is where the arrow keys start; long labels
and the key bar fit; and after writing, the result has the focus, on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, OptionList, RadioSet, Select

from screens.app import WizardApp
from screens.compat import KeysFooter
from screens.widgets.bound import BoundSelect
from screens.widgets.problemlist import ConfirmList
from tests.ui.test_tui_support import (
    _colour,  # noqa: F401 - autouse
    choose_origin,
    control,
    make_app,
    next_step,
    settle,
)
from wizard.steps import STEP_IDS


def marked(segment: Segment) -> bool:
    """Drawn so that it shows without colour: reversed, or bold and underlined."""
    style = segment.style
    return bool(style and (style.reverse or (style.bold and style.underline)))


def line(widget: Widget, y: int = 0) -> list[Segment]:
    """The segments of the widget's row `y` (of the widget itself or its first child that
    draws the text, such as a Select's current value)."""
    return [s for s in widget.render_line(y) if s.text.strip()]


def focus_shown(widget: Widget, y: int = 0) -> bool:
    """Some text of the row is marked when focused, and none of it when not."""
    return any(marked(s) for s in line(widget, y))


async def open_step(pilot: Any, step: str, preset: str = "apim-2node-mysql") -> WizardApp:
    """From the preset, Next up to `step` (its site-specific answers confirmed on the way
    when the step is Write)."""
    app: WizardApp = pilot.app
    await choose_origin(pilot, f"preset:{preset}")
    if step == "write":
        app.state.confirm(app.state.pending())
    await next_step(pilot, STEP_IDS.index(step))
    assert app.current == step, app.pane.problems()
    return app


async def test_the_focused_control_is_marked_without_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        origins = app.query_one("#origin", OptionList)
        assert app.focused is origins and focus_shown(origins)

        app = await open_step(pilot, "database")
        host = control(app, "database.host")
        engine = next(s for s in app.query(BoundSelect) if s.path == "database.engine")
        tick = app.query(Checkbox).first()
        for widget in (host, engine, tick):
            # A Select draws its value in a text of its own.
            row = widget.query("Static").first() if isinstance(widget, Select) else widget
            assert not focus_shown(row), f"{widget} marked before it has the focus"
            widget.focus()
            await pilot.pause()
            assert focus_shown(row), f"{widget} is not marked once focused"

        await app.show_step("nodes")
        await settle(pilot)
        table = app.query_one("#nodes-0", DataTable)
        table.focus()
        await pilot.pause()
        assert focus_shown(table, 1)  # the picked node's row

        await app.show_step("layout")
        await settle(pilot)
        radios = app.query_one("#layout", RadioSet)
        radios.focus()
        await pilot.pause()
        assert focus_shown(radios.children[0])

        next_button = app.query_one("#next", Button)
        next_button.focus()
        await pilot.pause()
        assert focus_shown(next_button)


async def test_placeholders_read_as_examples_without_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_step(pilot, "start")
        name = control(app, "name")
        name.value = ""
        await pilot.pause()
        shown = line(name)
        assert "".join(s.text for s in shown).strip().startswith("e.g.")
        assert all(s.style and s.style.italic for s in shown)
        name.value = "my-plan"
        await pilot.pause()
        assert not any(s.style and s.style.italic for s in line(name))


async def test_a_jump_to_a_preset_answer_selects_it_so_typing_replaces_it(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_step(pilot, "preview")
        confirm = app.query_one("#confirm-list", ConfirmList)
        assert app.focused is confirm
        confirm.highlighted = next(
            i for i, (_, path) in enumerate(confirm.targets) if path == "database.host"
        )
        await pilot.press("enter")
        await settle(pilot)
        host = control(app, "database.host")
        assert app.focused is host
        await pilot.press(*"mysql.prod.local")
        await settle(pilot)
        assert app.state.answers["database"]["host"] == "mysql.prod.local"

        # A node's answer too: the Nodes step's editor box is selected the same way.
        await app.show_step("preview")
        await settle(pilot)
        confirm = app.query_one("#confirm-list", ConfirmList)
        confirm.highlighted = next(
            i for i, (_, path) in enumerate(confirm.targets) if path.endswith(".host")
        )
        path = confirm.targets[confirm.highlighted][1]
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is control(app, path)
        await pilot.press(*"10.9.9.9")
        await settle(pilot)
        assert app.state.get(path) == "10.9.9.9"


async def test_coming_back_to_the_layout_the_arrows_start_at_the_choice(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_step(pilot, "layout")
        assert app.state.database().get("layout", "shared") == "shared"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.state.database()["layout"] == "split"
        # Away and back: the cursor is on split, so Up then Enter takes shared.
        await app.show_step("nodes")
        await settle(pilot)
        await app.show_step("layout")
        await settle(pilot)
        assert isinstance(app.focused, RadioSet)
        await pilot.press("up", "enter")
        await settle(pilot)
        assert app.state.database().get("layout", "shared") == "shared"
        # And straight after the change (the choice is drawn again): Down, Enter is split.
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.state.database()["layout"] == "split"


async def test_long_labels_wrap_whole_at_80_columns(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tick = app.query_one("#keep-passwords", Checkbox)
        rows = ["".join(s.text for s in tick.render_line(y)) for y in range(tick.size.height)]
        assert "(private to you)" in " ".join(" ".join(rows).split())
        assert tick.region.right <= app.size.width

        app = await open_step(pilot, "layout", preset="apim-is-km-mysql8")
        for label in app.pane.query(".field-label"):
            assert label.size.height == 1, f"{label.render()} breaks over two rows"


async def test_the_key_bar_fits_80_columns_on_every_step(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_step(pilot, "products", preset="apim-is-km-mysql8")
        for step in STEP_IDS:
            await app.show_step(step)
            await settle(pilot)
            for _ in range(3):  # the key bar is drawn again once the step has the focus
                await pilot.pause()
            footer = app.query_one(KeysFooter)
            keys = [w for w in footer.query("FooterKey") if w.display]
            assert keys, step
            assert max(k.region.right for k in keys) <= app.size.width, step
            assert any("Save" in str(k.render()) for k in keys), step


async def test_after_writing_the_result_has_the_focus_on_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_step(pilot, "write", preset="apim-is-km-mysql8")
        app.query_one("#out", Input).value = str(tmp_path / "tree")
        await pilot.pause()
        await next_step(pilot)
        assert app.state.written == tmp_path / "tree"
        result = app.query_one("#result")
        assert app.focused is result
        status = app.query_one("#write-status")
        assert str(status.render()).startswith("Wrote ")
        pane = app.pane.region
        assert pane.y <= status.region.y < pane.bottom, "the result's first line is off screen"
        assert focus_shown(status)
        # The keys read on from there.
        before = app.pane.scroll_y
        await pilot.press("pagedown")
        await settle(pilot)
        assert app.pane.scroll_y > before


async def test_an_added_product_is_shown_with_the_focus_in_it(tmp_path: Path) -> None:
    # Before: the third product's card stayed below the screen, the focus in it unseen.
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_step(pilot, "products", preset="apim-2node-mysql")
        for product in ("is", "ei"):
            app.query_one("#add-product", Select).value = product
            await settle(pilot)
            card = app.pane.query(".card").last()
            pane = app.pane.region
            assert app.focused is not None and card in app.focused.ancestors
            assert pane.contains_region(card.region), (card.region, pane)


async def test_preview_with_nothing_to_confirm_focuses_the_picture_under_the_result(
    tmp_path: Path,
) -> None:
    # Before: the node choice below the picture took the focus, off screen at 80x24 (or,
    # after Confirm all, scrolled to the top with the result line out of view).
    from tests.ui.test_tui_support import confirm_all

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_step(pilot, "preview", preset="apim-2node-mysql")
        await confirm_all(pilot)
        await settle(pilot)
        for _ in range(2):  # after Confirm all, and coming back to the step
            status = app.query_one("#preview-status")
            picture = app.query_one("#picture-box")
            assert app.focused is picture
            assert str(status.render()).startswith("Rule checks: no findings")
            pane = app.pane.region
            assert pane.y <= status.region.y and picture.region.y < pane.bottom
            await pilot.press("ctrl+b")
            await settle(pilot)
            await next_step(pilot)


async def test_a_message_sits_right_under_the_hint_of_its_field(tmp_path: Path) -> None:
    # Before: Textual's grid measured the two-line hint at one column's width, and the
    # message under it came two blank rows lower.
    from screens.widgets.field import Field

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await next_step(pilot)  # refused: the plan has no name
        field = next(f for f in app.query(Field) if "name" in f.paths)
        hint, message = field.query_one(".field-hint"), field.query_one(".field-message")
        assert hint.region.height == 2
        assert message.region.y == hint.region.bottom
        assert field.region.bottom == message.region.bottom


async def test_a_jump_to_an_answer_below_the_screen_shows_its_field(tmp_path: Path) -> None:
    # Before: Enter on "API Manager · WSO2AM_DB · User" opened Database at its top, the box
    # focused below the screen: typing replaced the user out of sight.
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_step(pilot, "preview")
        confirm = app.query_one("#confirm-list", ConfirmList)
        path = "products[0].databases.WSO2AM_DB.user"
        confirm.highlighted = next(i for i, (_, p) in enumerate(confirm.targets) if p == path)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current == "database"
        box = control(app, path)
        assert app.focused is box
        pane = app.pane.region
        assert pane.contains_region(box.region), (box.region, pane)


async def test_a_selected_value_shows_the_focus_without_colour(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the selected value (a jump selects it) had only a grey background, nothing on
    # a monochrome terminal; a value filling the box left no sign of the focus.
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app = await open_step(pilot, "preview")
        confirm = app.query_one("#confirm-list", ConfirmList)
        confirm.highlighted = next(
            i for i, (_, path) in enumerate(confirm.targets) if path == "database.host"
        )
        await pilot.press("enter")
        await settle(pilot)
        host = control(app, "database.host")
        assert app.focused is host and host.selected_text == "db.example.com"
        value = [s for s in line(host) if s.text.strip() and s.text.strip() in "db.example.com"]
        assert value and all(s.style and s.style.underline for s in value), value
