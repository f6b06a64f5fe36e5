"""The Registry layout step: config and governance registry in one database or two, and
each product's config partition. The Database step, next, names the databases it implies."""

from __future__ import annotations

import copy
from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Checkbox, RadioSet, Static

from screens.base import AnswersChanged, FormPane, focus_now, guarded
from screens.state import WizardState
from screens.widgets.bound import BoundInput
from screens.widgets.choice import ChoiceSet
from screens.widgets.field import Field
from screens.widgets.toggles import Dot, Tick
from wizard.catalog import PRODUCTS, default_config_target
from wizard.problems import Problem
from wizard.questions import CONFIG_TARGET, LAYOUTS


class LayoutPane(FormPane):
    step_id = "layout"
    keys_help = (
        "Shared: one registry database; each node gets one registry datasource and one "
        "remote instance, and mounts /_system/config and /_system/governance from it. "
        "Split: a config and a governance database; two datasources and two remote "
        "instances per node, each partition mounted from its own database; a product may "
        "get its own config database. The lines under the choice count what each layout "
        "gives for these answers. Up/Down and Enter (or Space) choose."
    )

    DEFAULT_CSS = """
    LayoutPane #layout { width: 1fr; }
    LayoutPane #layout-summary { margin-bottom: 1; }
    """

    def body(self) -> Iterable[Widget]:
        db = self.state.database()
        split = db.get("layout", "shared") == "split"
        yield Field(
            "Layout",
            # The cursor starts on the layout chosen: on Textual's first button, Up (which
            # wraps) and Enter took the other layout, or kept this one, unlike what was shown.
            ChoiceSet(
                Dot("shared: one database", value=not split, id="shared", compact=True),
                Dot("split: two databases", value=split, id="split", compact=True),
                id="layout",
                compact=True,
            ),
            paths=[
                "database.layout",
                "database.registry",
                "database.config",
                "database.governance",
            ],
        )
        yield Static(summary(self.state), id="layout-summary", markup=False)
        for pi, product in enumerate(self.state.products()):
            known = PRODUCTS.get(str(product.get("id")))
            label = known.label if known else str(product.get("id", "?"))
            base = f"products[{pi}]"
            default = default_config_target(str(product.get("id")), product.get("profile"))
            controls: list[Widget] = [
                BoundInput(
                    f"{base}.config_target",
                    product.get("config_target"),
                    kind="optional",
                    placeholder=default,
                )
            ]
            yield Field(
                # The product is named in the hint, which wraps whole: in the 20-column
                # label "Identity Server as Key Manager" broke over two rows.
                CONFIG_TARGET.label,
                *controls,
                paths=[f"{base}.config_target", f"{base}.config_database"],
                hint=CONFIG_TARGET.hint.format(product=label),
            )
            if split:
                yield Tick(
                    f"{label} has its own config database",
                    isinstance(product.get("config_database"), dict),
                    id=f"own-{pi}",
                    compact=True,
                )

    def problems(self) -> list[Problem]:
        return self.state.problems("layout")

    @guarded
    async def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        layout = "split" if event.pressed.id == "split" else "shared"
        self.state.set_layout(layout)
        self.state.ensure_specs(self.state.spec_slots())
        self.state.touched.add("database.layout")
        await self.rebuild("#layout")

    @guarded
    async def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id and event.checkbox.id.startswith("own-"):
            event.stop()
            pi = int(event.checkbox.id.removeprefix("own-"))
            self.state.set_own_config_database(pi, event.value)
            await self.rebuild(f"#own-{pi}")

    async def rebuild(self, focus: str) -> None:
        await self.recompose()
        self.refresh_problems()
        self.post_message(AnswersChanged())
        focus_now(self.query_one(focus))


def summary(state: WizardState) -> str:
    """What each layout means for these answers: databases, datasources, mounts."""
    current = state.database().get("layout", "shared")
    lines = []
    for layout, fallback in LAYOUTS:
        mark = "▸" if layout == current else " "
        counts = _counts(state, layout)
        lines.append(f"{mark} {layout}: {counts}" if counts else f"{mark} {fallback}")
    return "\n".join(lines)


def _counts(state: WizardState, layout: str) -> str | None:
    from wizard import answers, plan
    from wizard.problems import AnswersError

    trial = WizardState(state.sessions_dir, state.preset_dirs, state.env, state.cwd)
    trial.answers = copy.deepcopy(state.answers)
    trial.stash = copy.deepcopy(state.stash)
    trial.set_layout(layout)
    trial.ensure_specs(trial.spec_slots())
    try:
        built = plan.build(answers.parse(trial.answers), {})
    except (AnswersError, KeyError, ValueError):
        return None
    node = built.nodes[0]
    remotes = len(node.registry.remote_instances)
    return (
        f"{len(built.databases)} databases · per node {len(node.datasources)} datasources, "
        f"{remotes} remote instance{'s' if remotes != 1 else ''}, "
        f"{len(node.registry.mounts)} mounts"
    )
