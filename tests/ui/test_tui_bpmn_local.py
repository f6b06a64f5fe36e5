"""The Database step of the full-screen wizard: the BPMN database (ACTIVITI_DB), which a
Business Process Server cluster may share or leave on each node's own H2."""

from __future__ import annotations

from typing import Any

from textual.widgets import RadioButton, RadioSet, Select, Static

from screens.app import WizardApp
from screens.specs import SpecCard
from screens.widgets.bound import BoundSelect
from tests.ui.test_tui_support import (
    _colour,  # noqa: F401 - autouse
    control,
    make_app,
    messages,
    next_step,
    press_radio,
    settle,
    type_into,
)
from wizard.model.database import NO_PASSWORD
from wizard.questions import SHARE_CHOICES, share_question

BPMN = "products[0].databases.ACTIVITI_DB"
QUESTION, HINT = share_question("ACTIVITI_DB")
PASSWORDS = {
    "database.registry": "reg-pw-1",
    "database.user_management": "um-pw-2",
    "products[0].databases.BPS_DS": "bps-pw-3",
}


def bpmn_card(app: WizardApp) -> SpecCard:
    return next(c for c in app.query(SpecCard) if c.slot.path == BPMN)


def share_choice(app: WizardApp) -> RadioSet:
    return app.query_one(f"#{bpmn_card(app).share_id}", RadioSet)


def chosen(app: WizardApp) -> str:
    pressed = share_choice(app).pressed_button
    assert pressed is not None
    return (pressed.id or "").rsplit("-", 1)[-1]


def fields_shown(app: WizardApp) -> bool:
    """Whether the BPMN card shows its name, user, password and URL."""
    details = bpmn_card(app).query(".detail")
    shown = {bool(w.display and w.region.height) for w in details}
    assert len(shown) == 1, "the card's fields come and go together"
    return shown.pop()


def databases(app: WizardApp) -> dict[str, Any]:
    return app.state.products()[0]["databases"]  # type: ignore[no-any-return]


async def choose(pilot: Any, share: str) -> None:
    """Move to `share` (shared or local) with the keys and take it: the cursor starts on
    the one chosen."""
    radios = share_choice(pilot.app)
    await press_radio(pilot, radios, f"{radios.id}-{share}")
    assert chosen(pilot.app) == share


async def bps_at_database_step(pilot: Any) -> WizardApp:
    """A new plan of Business Process Server on two nodes, at the Database step."""
    app: WizardApp = pilot.app
    await type_into(pilot, "name", "bpmn-plan")
    await next_step(pilot)
    assert app.current == "products"
    app.query_one("#add-product", Select).value = "bps"
    await settle(pilot)
    await next_step(pilot)
    assert app.current == "nodes"
    pattern = app.query_one("#pattern-0")
    pattern.focus()
    pattern.value = "10.0.6.11, 10.0.6.12"  # type: ignore[attr-defined]
    await pilot.press("enter")
    await settle(pilot)
    assert len(app.state.products()[0]["nodes"]) == 2
    await next_step(pilot, 2)  # the layout as it is
    assert app.current == "database"
    return app


async def fill_the_other_databases(pilot: Any) -> None:
    engine = next(s for s in pilot.app.query(BoundSelect) if s.path == "database.engine")
    engine.value = "mysql8"
    await settle(pilot)
    await type_into(pilot, "database.host", "db.example.com")
    for path, password in PASSWORDS.items():
        await type_into(pilot, f"{path}.password", password)


async def test_bps_on_two_nodes_shares_bpmn_by_default(tmp_path: Any) -> None:
    app = make_app(tmp_path, env={})
    async with app.run_test(size=(80, 24)) as pilot:
        await bps_at_database_step(pilot)
        assert chosen(app) == "shared"
        assert fields_shown(app)
        assert databases(app)["ACTIVITI_DB"] == {"name": "WSO2_BPMN_DB", "user": "bpmnadmin"}
        # Only the optional database asks: BPS_DS is always shared.
        assert [c.slot.path for c in app.query(SpecCard) if c.query(RadioSet)] == [BPMN]
        # The question, each choice and the hint read whole on one line at 80x24.
        card = bpmn_card(app)
        buttons = list(share_choice(app).query(RadioButton))
        assert [str(b.label) for b in buttons] == [label for _, label in SHARE_CHOICES]
        question = next(s for s in card.query(Static) if s.content == QUESTION)
        hint = next(s for s in card.query(".field-hint").results(Static) if s.content == HINT)
        card.scroll_visible(animate=False)
        await settle(pilot)
        assert [w.region.height for w in [question, *buttons, hint]] == [1, 1, 1, 1]


async def test_bpmn_left_local_is_planned_on_each_node_and_comes_back_when_shared(
    tmp_path: Any,
) -> None:
    app = make_app(tmp_path, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await bps_at_database_step(pilot)
        await fill_the_other_databases(pilot)
        await type_into(pilot, f"{BPMN}.name", "CW_BPMN")
        await type_into(pilot, f"{BPMN}.password", "bpmn-pw-4")
        assert app.state.problems("database") == []

        await choose(pilot, "local")
        assert "ACTIVITI_DB" not in databases(app)
        assert not fields_shown(app)
        assert app.state.problems("database") == []
        assert app.focused is share_choice(app)

        # The preview: ACTIVITI_DB is not planned, and the preview says why.
        await next_step(pilot)
        assert app.current == "preview"
        assert "ACTIVITI_DB" not in databases(app)
        plan = app.pane.result.plan
        assert plan is not None
        assert [db.key for db in plan.databases if db.role == "product"] == ["bps:BPS_DS"]
        assert all(ds.name != "ACTIVITI_DB" for n in plan.nodes for ds in n.datasources)
        (note,) = [n for n in plan.notes if "ACTIVITI_DB is left out" in n]
        assert "this cluster has 2 nodes" in note
        shown = "".join(str(app.query_one("#notes", Static).render()).split())
        assert "".join(note.split()) in shown

        # Back at the Database step, drawn again from the answers: still local.
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert app.current == "database"
        assert chosen(app) == "local" and not fields_shown(app)
        assert "ACTIVITI_DB" not in databases(app)

        # Shared again: what was typed comes back, in the answers and in the boxes.
        await choose(pilot, "shared")
        assert databases(app)["ACTIVITI_DB"] == {
            "name": "CW_BPMN",
            "user": "bpmnadmin",
            "password": "bpmn-pw-4",
        }
        assert fields_shown(app)
        assert control(app, f"{BPMN}.name").value == "CW_BPMN"
        assert control(app, f"{BPMN}.password").value == "bpmn-pw-4"
        assert app.state.problems("database") == []
        await next_step(pilot)
        assert app.current == "preview"
        assert databases(app)["ACTIVITI_DB"]["name"] == "CW_BPMN"


async def test_a_problem_of_the_shared_bpmn_database_shows_at_its_field(tmp_path: Any) -> None:
    app = make_app(tmp_path, env={})
    async with app.run_test(size=(120, 40)) as pilot:
        await bps_at_database_step(pilot)
        await fill_the_other_databases(pilot)
        # No BPMN password given: Next is refused, and the model says so at the field.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.current == "database"
        expected = [p.message for p in app.state.problems("database")]
        assert expected == [NO_PASSWORD]
        # Said at the password's own field, so without naming it again.
        assert messages(app, f"{BPMN}.password") == [expected[0]]
        # Left local, nothing is asked of it; shared again, the same is said at the field.
        await choose(pilot, "local")
        assert app.state.problems("database") == []
        await choose(pilot, "shared")
        assert messages(app, f"{BPMN}.password") == [expected[0]]
        await type_into(pilot, f"{BPMN}.password", "bpmn-pw-4")
        await next_step(pilot)
        assert app.current == "preview"
