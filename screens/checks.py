"""Answers -> Plan -> preview tree, for the preview and write steps (never the XML itself)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from screens.state import WizardState
from wizard import steps
from wizard.steps import step_for_path

if TYPE_CHECKING:
    from wizard.plan import Plan
    from wizard.rules import Finding
    from wizard.tree import FileDiff


@dataclass
class Item:
    text: str
    step: str
    path: str = ""


@dataclass
class Preview:
    problems: list[Item] = field(default_factory=list)
    picture: str = ""
    diffs: list[FileDiff] = field(default_factory=list)
    plan: Plan | None = None


def answer_problems(state: WizardState) -> list[Item]:
    items = []
    for step_id, problems in steps.problems_by_step(state.answers).items():
        title = steps.step(step_id).title
        items += [Item(f"{title}: {p}", step_id, p.path) for p in problems]
    for p in state.distribution_problems():
        items.append(Item(f"Products: {p}", "products", p.path))
    return items


def build_plan(state: WizardState) -> tuple[Plan | None, list[Item]]:
    from wizard import answers, plan
    from wizard.problems import AnswersError

    found = answer_problems(state)
    if found:
        return None, found
    try:
        return plan.build(answers.parse(copy.deepcopy(state.answers)), state.env), []
    except AnswersError as exc:
        return None, [_item(p.path, str(p)) for p in exc.problems]


def preview(state: WizardState) -> Preview:
    from wizard import picture, rules, tree
    from wizard.problems import AnswersError

    built, problems = build_plan(state)
    if built is None:
        return Preview(problems)
    result = Preview(plan=built, picture=picture.render(built))
    try:
        reviewed, result.diffs = tree.review(built)
        files = reviewed.files
    except AnswersError as exc:
        result.problems = [_item(p.path, str(p)) for p in exc.problems]
        return result
    result.problems = [finding_item(f) for f in rules.check_files(files)]
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
