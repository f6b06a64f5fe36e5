"""The one way from the answers to a written tree, for the full-screen app, the prompt mode
and `generate`:

    answers --plan()--> Plan --review()--> preview tree, diffs, findings --write()--> tree

Each stage says what stops it as Problems, each at the answer (path) that fixes it, so a
front end can send the operator to the step that owns the field. Nothing here asks, prints
or draws; the heavy core (pydantic, lxml) loads on first use.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import steps
from wizard.problems import Problem

if TYPE_CHECKING:
    from wizard.distribution import Detected
    from wizard.model import Topology
    from wizard.output import WriteResult
    from wizard.plan import Plan
    from wizard.rules import Finding
    from wizard.tree import Review, Tree


class LocalFiles:
    """The files on this machine the answers name: each product's distribution and the
    JDBC driver jar. A file that cannot be read is said at the answer naming it, at the
    step where it was typed, not when the tree is rendered.

    Distributions are read once per path and modification time: a key press re-checks the
    answers, and reading a zip's catalogue is not free."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, float | None], Detected | str] = {}

    def detect(self, where: str) -> Detected | str:
        """What `wizard.distribution.detect` says of `where`, or the reason it cannot."""
        from wizard.distribution import DistributionError, detect

        try:
            stamp: float | None = os.stat(os.path.expanduser(where)).st_mtime
        except OSError:
            stamp = None
        key = (where, stamp)
        if key not in self._seen:
            try:
                self._seen[key] = detect(where)
            except (DistributionError, OSError) as exc:
                self._seen[key] = str(exc)
        return self._seen[key]

    def problems(self, answers: Any) -> list[Problem]:
        """Every file the answers name that cannot be used, at its answer."""
        return self.distribution_problems(answers) + self.driver_jar_problems(answers)

    def problems_for_step(self, answers: Any, step_id: str) -> list[Problem]:
        """The problems of the files the answers of `step_id` name."""
        return [p for p in self.problems(answers) if steps.step_for_path(p.path) == step_id]

    def driver_jar_problems(self, answers: Any) -> list[Problem]:
        """A driver jar that is not a readable file (the tree copies it into every node)."""
        cluster = answers.get("cluster") if isinstance(answers, Mapping) else None
        jar = cluster.get("driver_jar") if isinstance(cluster, Mapping) else None
        # Only a value the model takes (a .jar path) is looked for; the model says the rest.
        if not isinstance(jar, str) or not jar.endswith(".jar"):
            return []
        path = os.path.expanduser(jar)
        if os.path.isfile(path) and os.access(path, os.R_OK):
            return []
        reason = "is not a file" if os.path.exists(path) else "does not exist"
        if os.path.isfile(path):
            reason = "cannot be read by this user"
        return [
            Problem(
                "cluster.driver_jar",
                f"{jar} {reason}; give the path of the JDBC driver jar on this machine, or "
                "leave it empty (the README then says where to put the jar)",
            )
        ]

    def distribution_problems(self, answers: Any) -> list[Problem]:
        """A distribution that cannot be read, or that is another product or version."""
        from wizard.catalog import PRODUCTS

        products = answers.get("products") if isinstance(answers, Mapping) else None
        out = []
        for pi, product in enumerate(products if isinstance(products, list) else []):
            if not isinstance(product, dict):
                continue
            where = product.get("distribution")
            if not isinstance(where, str) or not where:
                continue
            path = f"products[{pi}].distribution"
            found = self.detect(where)
            if isinstance(found, str):
                out.append(Problem(path, found))
                continue
            known = PRODUCTS.get(str(product.get("id")))
            if found.product and known and found.product != known.id:
                other = PRODUCTS[found.product].label
                out.append(
                    Problem(
                        path,
                        f"the distribution is {other} (from {found.source}), but this product "
                        f"is {known.label}; fix the path, or add {other} instead",
                    )
                )
            elif found.version and found.version != product.get("version"):
                out.append(
                    Problem(
                        path,
                        f"the distribution is version {found.version} (from {found.source}), "
                        f"but the version chosen is {product.get('version')}",
                    )
                )
        return out


@dataclass
class Planned:
    """The plan of complete answers, or the problems that stop it (never both)."""

    plan: Plan | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Reviewed:
    """The preview tree of a plan and the rule findings on it, or the problems that stop
    rendering it (an unreadable stock file, a driver jar that is not there)."""

    review: Review | None = None
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def step_problems(answers: Any, step_id: str, files: LocalFiles) -> list[Problem]:
    """The problems the operator can fix at `step_id`: the model's, given the answers so
    far, and the files on this machine that step's answers name."""
    return steps.problems_for_step(answers, step_id) + files.problems_for_step(answers, step_id)


def answer_problems(answers: Any, files: LocalFiles) -> list[Problem]:
    """Every problem of the answers, in step order, then the local files' own."""
    by_step = steps.problems_by_step(answers)
    return [p for ps in by_step.values() for p in ps] + files.problems(answers)


def plan(answers: Any, env: Mapping[str, str], files: LocalFiles) -> Planned:
    """Answers -> Plan. Passwords read from `env` (a missing one is said by the plan)."""
    from wizard import answers as answers_mod
    from wizard.problems import AnswersError

    if not isinstance(answers, Mapping):
        return Planned(problems=answer_problems(answers, files))
    try:
        # The same validation `steps.problems_by_step` runs: when it passes, only the
        # local files can still be wrong, and a big estate is not validated twice.
        topology = answers_mod.parse(copy.deepcopy(dict(answers)))
    except AnswersError:
        return Planned(problems=answer_problems(answers, files))
    found = files.problems(answers)
    if found:
        return Planned(problems=found)
    return plan_topology(topology, env)


def plan_topology(topology: Topology, env: Mapping[str, str]) -> Planned:
    """Topology -> Plan, for answers already read (an answers file, a preset)."""
    from wizard import plan as plan_mod
    from wizard.problems import AnswersError

    try:
        return Planned(plan=plan_mod.build(topology, env))
    except AnswersError as exc:
        return Planned(problems=list(exc.problems))


def review(plan: Plan) -> Reviewed:
    """Plan -> the preview tree (passwords redacted), its diffs on demand, the findings."""
    from wizard import rules, tree
    from wizard.problems import AnswersError

    try:
        reviewed = tree.Review(plan)
    except AnswersError as exc:
        return Reviewed(problems=list(exc.problems))
    return Reviewed(review=reviewed, findings=rules.check_files(reviewed.tree.files))


@dataclass(frozen=True)
class UnsetPassword:
    """A password variable the environment does not set, and the databases it is for: one
    variable several databases share is asked for once."""

    variable: str
    holders: tuple[str, ...]
    """Each database it is for, as `user on host:port`."""
    databases: tuple[str, ...] = ()
    """Where the answers define each database it is for (`database.user_management`)."""

    @property
    def who(self) -> str:
        return " and ".join(self.holders)

    def title(self, data: Mapping[str, Any]) -> str:
        """What it is for, in the words of the Database step's cards: "User management
        database password" (the Write step's label over its box, the prompt's question)."""
        from wizard.database_slots import label_of
        from wizard.questions import database_password

        return database_password([label_of(data, path) for path in self.databases])


def unset_passwords(plan: Plan) -> list[UnsetPassword]:
    """The password variables to ask for before writing, in the plan's order."""
    from wizard.engines import url_host

    found: dict[str, list[str]] = {}
    paths: dict[str, list[str]] = {}
    for db in plan.missing_passwords:
        if db.password_env is None:
            continue
        holder = f"{db.user} on {url_host(db.host)}:{db.port}"
        holders = found.setdefault(db.password_env, [])
        if holder not in holders:
            holders.append(holder)
        paths.setdefault(db.password_env, []).append(db.answers_path)
    return [
        UnsetPassword(name, tuple(holders), tuple(paths[name])) for name, holders in found.items()
    ]


def build(plan: Plan) -> Tree:
    """Plan -> the tree to write, in memory. Raises AnswersError (missing passwords,
    unusable files), all of them in one report."""
    from wizard import tree

    return tree.build(plan)


def write(built: Tree, out: Path, *, force: bool = False) -> WriteResult:
    """The tree on disk, whole or not at all. Raises OutputError."""
    from wizard.output import write_tree

    return write_tree(built, out, force=force)
