"""The sidebar's marks: what a step needs is read there before the step is opened."""

from __future__ import annotations

from pathlib import Path

from screens.widgets.steplist import StepList
from tests.ui.test_tui_support import choose_origin, confirm_all, make_app, next_step, settle


def marks(app: object) -> dict[str, str]:
    """The mark beside each step, by step id, as the sidebar draws it."""
    step_list = app.query_one(StepList)  # type: ignore[attr-defined]
    out = {}
    for index in range(step_list.option_count):
        option = step_list.get_option_at_index(index)
        out[str(option.id)] = str(option.prompt)[1]
    return out


async def test_a_presets_unconfirmed_answers_mark_their_steps_until_confirmed(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        # apim-2node-mysql marks its node hosts and the database host and users as
        # site-specific: the steps that hold them are not done while they are unconfirmed.
        await choose_origin(pilot, "preset:apim-2node-mysql")
        await next_step(pilot, 5)
        assert app.current == "preview"
        shown = marks(app)
        assert shown["nodes"] == "?" and shown["database"] == "?" and shown["preview"] == "?"
        assert shown["products"] == "✓" and shown["layout"] == "✓"
        await confirm_all(pilot)
        await settle(pilot)
        shown = marks(app)
        assert shown["nodes"] == shown["database"] == shown["preview"] == "✓"
        assert shown["write"] == "·"
