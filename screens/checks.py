"""Answers -> Plan -> preview tree, for the preview and write steps (never the XML itself)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from screens.state import WizardState
from wizard import steps, workflow
from wizard.labels import field_label
from wizard.steps import step_for_path

if TYPE_CHECKING:
    from wizard.plan import Plan
    from wizard.problems import Problem
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


def build_plan(state: WizardState) -> tuple[Plan | None, list[Item]]:
    """The plan of the answers, or what stops it, each item leading to its step."""
    planned = workflow.plan(state.answers, state.env, state.files)
    return planned.plan, [problem_item(state.answers, p) for p in planned.problems]


def preview(state: WizardState) -> Preview:
    return check(planned(state), state.answers)


def planned(state: WizardState) -> Preview:
    """The plan and its picture (or why there is none): all the picture needs."""
    from wizard import picture

    built, problems = build_plan(state)
    if built is None:
        return Preview(problems)
    return Preview(plan=built, picture=picture.render(built))


def check(result: Preview, answers: Mapping[str, Any]) -> Preview:
    """`result` with the preview tree rendered and the rule findings on it."""
    if result.plan is None:
        return result
    reviewed = workflow.review(result.plan)
    if reviewed.review is None:
        result.problems = [problem_item(answers, p) for p in reviewed.problems]
        return result
    result.review = reviewed.review
    result.problems = [finding_item(f) for f in reviewed.findings]
    return result


def finding_item(finding: Finding) -> Item:
    return Item(str(finding), steps.step_for_rule(finding.rule))


def confirmation_items(state: WizardState) -> list[Item]:
    """Site-specific answers from a preset not yet confirmed: each leads to its field."""
    return [
        Item(f"{field_label(state.answers, p.path)} {p.message}", step_for_path(p.path), p.path)
        for p in steps.confirmation_problems(state.answers)
    ]


def problem_item(answers: Mapping[str, Any], problem: Problem) -> Item:
    """A problem as the lists show it: the step that fixes it, the field in the words of
    its form ("Database: User management · Password: …", not the answers' path), and why."""
    step = step_for_path(problem.path)
    where = field_label(answers, problem.path) if problem.path else ""
    text = f"{where}: {problem.message}" if where else problem.message
    return Item(f"{steps.step(step).title}: {text}", step, problem.path)
