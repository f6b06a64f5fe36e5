"""Answers -> Plan -> preview tree, for the preview and write steps (never the XML itself)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from screens.state import WizardState
from wizard import steps
from wizard.steps import step_for_path

if TYPE_CHECKING:
    from wizard.plan import Plan
    from wizard.rules import Finding
    from wizard.tree import FileDiff, Review


@dataclass
class Item:
    text: str
    step: str
    path: str = ""


@dataclass
class Preview:
    problems: list[Item] = field(default_factory=list)
    picture: str = ""
    plan: Plan | None = None
    review: Review | None = None
    """The preview tree; each file's diff is computed when it is asked for."""

    @property
    def diffs(self) -> list[FileDiff]:
        return self.review.diffs() if self.review is not None else []


def answer_problems(state: WizardState) -> list[Item]:
    items = []
    for step_id, problems in steps.problems_by_step(state.answers).items():
        title = steps.step(step_id).title
        items += [Item(f"{title}: {p}", step_id, p.path) for p in problems]
    return items + distribution_items(state)


def distribution_items(state: WizardState) -> list[Item]:
    return [Item(f"Products: {p}", "products", p.path) for p in state.distribution_problems()]


def build_plan(state: WizardState) -> tuple[Plan | None, list[Item]]:
    from wizard import answers, plan
    from wizard.problems import AnswersError

    if not isinstance(state.answers, Mapping):
        return None, answer_problems(state)
    try:
        # The validation `steps.problems_by_step` runs: when it passes, only the
        # distributions can still be wrong, and a big estate is not validated twice.
        topology = answers.parse(copy.deepcopy(dict(state.answers)))
    except AnswersError:
        return None, answer_problems(state)
    found = distribution_items(state)
    if found:
        return None, found
    try:
        return plan.build(topology, state.env), []
    except AnswersError as exc:
        return None, [_item(p.path, str(p)) for p in exc.problems]


def preview(state: WizardState) -> Preview:
    return check(planned(state))


def planned(state: WizardState) -> Preview:
    """The plan and its picture (or why there is none): all the picture needs."""
    from wizard import picture

    built, problems = build_plan(state)
    if built is None:
        return Preview(problems)
    return Preview(plan=built, picture=picture.render(built))


def check(result: Preview) -> Preview:
    """`result` with the preview tree rendered and the rule findings on it."""
    from wizard import rules, tree
    from wizard.problems import AnswersError

    if result.plan is None:
        return result
    try:
        result.review = tree.Review(result.plan)
    except AnswersError as exc:
        result.problems = [_item(p.path, str(p)) for p in exc.problems]
        return result
    result.problems = [finding_item(f) for f in rules.check_files(result.review.tree.files)]
    return result


def finding_item(finding: Finding) -> Item:
    return Item(str(finding), steps.step_for_rule(finding.rule))


def confirmation_items(state: WizardState) -> list[Item]:
    """Site-specific answers from a preset not yet confirmed: each leads to its field."""
    return [
        Item(f"{p.path} {p.message}", step_for_path(p.path), p.path)
        for p in steps.confirmation_problems(state.answers)
    ]


def _item(path: str, text: str) -> Item:
    step = step_for_path(path)
    return Item(f"{steps.step(step).title}: {text}", step, path)
