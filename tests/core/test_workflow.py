"""The one way from answers to a written tree (wizard.workflow), as both front ends and
`generate` take it."""

from __future__ import annotations

import copy

from tests import answers_fixtures as af
from wizard import answers, plan, workflow


def test_a_password_variable_two_databases_share_is_asked_for_once() -> None:
    data = copy.deepcopy(af.SHARED)
    for role in ("registry", "user_management"):
        spec = data["database"][role]
        spec.pop("password")
        spec["password_env"] = "WSO2_DB_PASSWORD"
    planned = plan.build(answers.parse(data), {})  # IS_DB_PASSWORD unset too
    unset = workflow.unset_passwords(planned)
    assert [u.variable for u in unset] == ["WSO2_DB_PASSWORD", "IS_DB_PASSWORD"]
    assert unset[0].who == "regadmin on db.example.com:3306 and umadmin on db.example.com:3306"
    assert (
        workflow.unset_passwords(
            plan.build(answers.parse(data), {"WSO2_DB_PASSWORD": "x", "IS_DB_PASSWORD": "y"})
        )
        == []
    )


def test_generate_and_the_front_ends_plan_the_same_answers_alike() -> None:
    files = workflow.LocalFiles()
    planned = workflow.plan(af.SHARED, af.ENV, files)
    assert planned.plan is not None and planned.problems == []
    assert planned.plan == workflow.plan_topology(answers.parse(af.SHARED), af.ENV).plan
    reviewed = workflow.review(planned.plan)
    assert reviewed.review is not None and reviewed.findings == []
