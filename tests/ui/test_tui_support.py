"""Shared by the full-screen wizard's tests: the app built as `carbon-wizard` builds it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, RadioButton, RadioSet

from screens.app import WizardApp, build_app
from screens.base import CHECK_DELAY, StepPane, best_field
from screens.nodes import node_of
from screens.widgets.bound import BoundInput
from screens.widgets.field import Field
from wizard import locations

# Passwords of the preset apim-is-km-mysql8 and apim-2node-mysql, read from the environment.
PRESET_ENV = {
    "WSO2_REG_DB_PASSWORD": "reg-pw-1",
    "WSO2_UM_DB_PASSWORD": "um-pw-2",
    "WSO2_AM_DB_PASSWORD": "am-pw-3",
    "WSO2_GOV_DB_PASSWORD": "gov-pw-4",
    "WSO2_APIM_CONFIG_DB_PASSWORD": "apimcfg-pw-5",
    "WSO2_IS_CONFIG_DB_PASSWORD": "iscfg-pw-6",
    "WSO2_IDENTITY_DB_PASSWORD": "id-pw-7",
    "WSO2_ISKM_CONFIG_DB_PASSWORD": "iskmcfg-pw-8",
}
SNAPSHOT_CWD = Path("/srv/plans")
"""Where a tree is suggested in snapshots: fixed, so the pictures do not depend on tmp_path."""


@pytest.fixture(autouse=True)
def _colour(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield


def make_app(
    tmp_path: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    **kwargs: Any,
) -> WizardApp:
    """The app as `carbon-wizard` builds it, every path it owns under `tmp_path`."""
    env = dict(PRESET_ENV if env is None else env)
    env.setdefault(locations.HOME_VARIABLE, str(tmp_path / "home"))
    return build_app(
        preset_dirs=[locations.bundled_presets_dir(), locations.user_presets_dir(env)],
        sessions_dir=tmp_path / "sessions",
        env=env,
        cwd=cwd or tmp_path,
        **kwargs,
    )


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for workers (preview rendering, writing), the check that follows typing, and
    the screen to catch up."""
    await pilot.pause()
    for _ in range(100):
        # Again after each wait: a worker may start after the step's first frame.
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        panes = list(pilot.app.query(StepPane))
        if not any(pane.check_pending or pane.mounting for pane in panes):
            break
        await pilot.pause(CHECK_DELAY / 2)
    await pilot.pause()


def send_at_once(app: WizardApp, keys: Iterable[tuple[str, str | None]]) -> None:
    """Queue (key, character) pairs in one go, as keys typed ahead over a laggy link reach
    the app: none waits for the one before it to be handled (`pilot.press` waits)."""
    for key, character in keys:
        event = events.Key(key, character)
        event.set_sender(app)
        app.post_message(event)


async def next_step(pilot: Pilot[Any], times: int = 1) -> None:
    for _ in range(times):
        await pilot.press("ctrl+n")
        await settle(pilot)


async def choose_origin(pilot: Pilot[Any], option_id: str) -> None:
    """On the start step, choose 'new', 'preset:<name>' or 'session:<id>' with the keys."""
    from textual.widgets import OptionList

    origins = pilot.app.query_one("#origin", OptionList)
    origins.focus()
    index = next(
        i for i in range(origins.option_count) if origins.get_option_at_index(i).id == option_id
    )
    origins.highlighted = index
    await pilot.press("enter")
    await settle(pilot)


def control(app: WizardApp, path: str) -> BoundInput:
    """The box showing the answer at `path` (a node's: once its row is picked)."""
    return next(c for c in app.query(BoundInput) if c.path == path)


async def pick_node(pilot: Pilot[Any], path: str) -> None:
    """On the Nodes step, move to the node holding `path` with the keys, as an operator
    would: the table's Up and Down move its editor to that node."""
    where = node_of(path)
    assert where is not None, f"{path} is not a node's answer"
    pi, ni = where
    table = pilot.app.query_one(f"#nodes-{pi}", DataTable)
    table.focus()
    await pilot.pause()
    while table.cursor_row != ni:
        await pilot.press("down" if table.cursor_row < ni else "up")
    await settle(pilot)


async def type_into(pilot: Pilot[Any], path: str, text: str) -> None:
    """Set a field's text (a key press per character is slow) as if typed."""
    if node_of(path) is not None and not any(c.path == path for c in pilot.app.query(BoundInput)):
        await pick_node(pilot, path)
    widget = control(pilot.app, path)  # type: ignore[arg-type]
    widget.focus()
    widget.value = text
    await settle(pilot)  # the answers are checked once the typed text is drawn


def messages(app: WizardApp, path: str) -> list[str]:
    """The messages shown at the field holding `path`."""
    target = best_field(list(app.query(Field)), path)
    return list(target.messages) if target else []


async def confirm_all(pilot: Pilot[Any]) -> None:
    """On the preview, press "Confirm all N" for the preset's site-specific answers."""
    pilot.app.query_one("#confirm-all", Button).press()
    await settle(pilot)


def tree_files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def steady(app: WizardApp) -> None:
    """No blinking cursor: snapshots must not depend on when they are taken."""
    for widget in app.query(Input):
        widget.cursor_blink = False


async def press_radio(pilot: Pilot[Any], radios: RadioSet, button_id: str) -> None:
    """Move to the button `button_id` of `radios` with the arrow keys and take it with Enter,
    as an operator would: the cursor starts on the button chosen, so Down and Up count from
    there."""
    radios.focus()
    await pilot.pause()
    buttons = list(radios.query(RadioButton))
    target = next(i for i, b in enumerate(buttons) if b.id == button_id)
    steps_down = target - radios.pressed_index
    for _ in range(abs(steps_down)):
        await pilot.press("down" if steps_down > 0 else "up")
    await pilot.press("enter")
    await settle(pilot)
