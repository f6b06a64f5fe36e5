"""Steps 6 and 7: the plan shown and checked, then the tree written, through
`wizard.workflow` as the full-screen app and `generate` go."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from questionary import Choice

from wizard import steps, workflow
from wizard.labels import field_label
from wizard.plaintext import fold_command, plain_text
from wizard.prompt.asking import Asking, Validator, checker, wrap_width
from wizard.steps import STEPS, step_for_path

if TYPE_CHECKING:
    from wizard.plan import Plan
    from wizard.problems import Problem
    from wizard.tree import Tree


class ReviewSteps(Asking):
    def route(self, grouped: Mapping[str, Sequence[Problem]]) -> str:
        """Show problems by step and let the operator pick the step that fixes them."""
        for step_id, problems in grouped.items():
            self.say(f"{steps.step(step_id).title}:")
            for p in problems:
                self.say(f"  ✗ {p}")
        choices = [
            Choice(f"Go to {steps.step(s).title} to fix {len(ps)} problem(s)", s)
            for s, ps in grouped.items()
            if s not in ("preview", "write")
        ]
        if not choices:
            choices = [Choice("Go back to Products", "products")]
        return str(self.select("Where to?", choices))

    def planned(self) -> tuple[str | None, Plan | None]:
        """The plan of complete answers, or the step to go to when they are not complete."""
        planned = workflow.plan(self.answers, self.env, self.files)
        if planned.plan is not None:
            return None, planned.plan
        if steps.problems_by_step(self.answers):
            self.say("The answers are not complete yet:")
        return self.route(group(planned.problems)), None

    def step_preview(self) -> str:
        self.header("preview")
        goto, plan = self.planned()
        if plan is None:
            return goto or "products"
        import shutil

        from wizard import picture

        # Drawn to the terminal's width: a line longer than that would wrap over the
        # picture's left-hand lines, and the box's right side would fall on the next row.
        self.say(picture.render(plan, width=shutil.get_terminal_size().columns), raw=True)
        # One rendering for the checks and, when asked for, the diffs.
        reviewed = workflow.review(plan)
        if reviewed.review is None:
            return self.route(group(reviewed.problems))
        if reviewed.findings:
            self.say(f"The rule checks found {len(reviewed.findings)} problem(s):")
            for finding in reviewed.findings:
                self.say(f"  ✗ {finding}")
        else:
            self.say("Rule checks: no findings.")
        for note in plan.notes:
            self.say(f"note: {note}")
        self.list_site_answers("to confirm before writing")
        for unset in workflow.unset_passwords(plan):
            self.say(
                f"note: ${unset.variable} ({unset.title(self.answers)}, {unset.who}) is not "
                "set; you will be asked for it before writing"
            )
        choices = [
            Choice("Write the tree", "write"),
            Choice("Show the changes to each stock file (diffs)", "diffs"),
            Choice("Save these answers as a preset", "save-preset"),
        ] + [Choice(f"Go back to {s.title}", s.id) for s in STEPS[1:5]]
        while True:
            picked = str(self.select("Next:", choices, default="write"))
            if picked == "diffs":
                for diff in reviewed.review.diffs():
                    self.say(diff.diff or f"nodes/{diff.node}/{diff.path}: no change", raw=True)
            elif picked == "save-preset":
                self.save_as_preset(plan.topology)
            else:
                return picked

    def save_as_preset(self, topology: Any) -> None:
        from wizard import locations, presets
        from wizard.fields import check_node_id
        from wizard.problems import AnswersError

        name = self.text(
            "Preset name:", default=str(topology.name), validate=checker(check_node_id)
        )
        directory = locations.user_presets_dir(self.env)
        try:
            path = presets.save_preset(topology, name, directory)
        except AnswersError:
            if not self.confirm(f"A preset {name} exists already. Replace it?", default=False):
                return
            path = presets.save_preset(topology, name, directory, force=True)
        self.say(f"Saved preset {name} to {path} (no passwords; hosts and users to confirm).")

    def site_answers(self) -> list[tuple[Problem, str]]:
        """The preset's site-specific answers still to confirm, each with its line: named
        as the full-screen Preview lists it (the form's card, then the field) and its value."""
        return [
            (p, f"{field_label(self.answers, p.path)} = {self.get(p.path)!r}")
            for p in steps.confirmation_problems(self.answers)
        ]

    def list_site_answers(self, why: str) -> int:
        listed = self.site_answers()
        if listed:
            self.say(f"{len(listed)} answer(s) came from the preset and are site-specific, {why}:")
            for _, line in listed:
                self.say(f"  ? {line}")
        return len(listed)

    def confirm_site_answers(self) -> bool:
        """Settle every site-specific answer a preset marked: all at once as listed, one by
        one, or one changed; False when the operator changed one (the plan is then shown
        again before writing). One question, not one per answer: twelve yes/no questions in
        a row invited holding Enter down."""
        count = self.list_site_answers("to confirm")
        if not count:
            return True
        choices = [
            Choice(f"Confirm all {count} as listed", "all"),
            Choice("Go through them one by one", "each"),
            Choice("Change one of them", "change"),
        ]
        how = str(self.select("Before writing:", choices, default="all"))
        changed = False
        if how == "all":
            self.draft.confirm([p.path for p, _ in self.site_answers()])
        elif how == "each":
            for problem, line in self.site_answers():
                if not self.confirm(f"Keep {line} for this site?", default=True):
                    self.reask(problem)
                    changed = True
                self.draft.confirm([problem.path])
        else:
            listed = self.site_answers()
            which = self.select(
                "Which one?", [Choice(line, str(i)) for i, (_, line) in enumerate(listed)]
            )
            problem = listed[int(which)][0]
            self.reask(problem)
            self.draft.confirm([problem.path])
            changed = True
        self.save()
        return not changed

    def step_write(self) -> str | None:
        from wizard import tree
        from wizard.problems import AnswersError

        self.header("write")
        if not self.confirm_site_answers():
            return "preview"
        goto, plan = self.planned()
        if plan is None:
            return goto or "products"
        unset = workflow.unset_passwords(plan)
        if unset:
            # Once per variable, however many databases share it; refused where it is
            # typed, by the check and in the words the full-screen Write step's box gets.
            vaulted = plan.topology.cluster.secure_vault
            for password in unset:
                self.env[password.variable] = self.secret(
                    f"{password.title(self.answers)} (${password.variable} is not set; "
                    f"{password.who}; used for this run only):",
                    validate=typed_password(password.variable, vaulted),
                )
            goto, plan = self.planned()
            if plan is None:
                return goto or "products"
        try:
            built = workflow.build(plan)
        except AnswersError as exc:
            return self.route(group(exc.problems))
        default = str(Path.cwd() / plan.topology.name)
        while True:
            out = Path(
                os.path.expanduser(self.text("Write the tree to which directory?", default=default))
            )
            force = False
            if out.exists() and not out.is_dir():
                self.say(f"{out} exists and is not a directory; choose another.")
                continue
            if out.is_dir() and any(out.iterdir()):
                force = self.confirm(
                    f"{out} is not empty. Replace it? (the old contents are kept as a backup "
                    "beside it)",
                    default=False,
                )
                if not force:
                    continue
            if self.confirm(f"Write {len(built.files)} files to {out}?", default=True):
                break
            return "preview"
        result = workflow.write(built, out, force=force)
        self.say(f"Wrote {result.files} files to {result.path}.")
        if result.backup:
            self.say(f"The previous contents are kept in {result.backup}.")
        for note in result.swept:
            self.say(f"note: {note}")
        try:
            self.say_markdown(tree.next_steps(built))
        except Exception:  # the summary is a courtesy; the README holds the same steps
            self.say(f"Next: read {result.path / 'README.md'}.")
        self.say_push_commands(built, plan, result.path)
        assert self.session is not None
        from wizard import sessions

        self.session.step = "write"
        self.session.written = str(result.path)
        self.session.written_digest = sessions.answers_digest(self.answers)
        self.save()
        self.say(self.with_command(f"Session {self.session.id} is kept; to reopen this plan:"))
        return None

    def say_markdown(self, text: str) -> None:
        """README text as plain text at the terminal's width: no Markdown marks, prose
        wrapped at word ends, each command indented and folded only at blanks, with the
        shell's ` \\` continuation (the terminal cut both mid-word)."""
        self.say(plain_text(text, wrap_width()), raw=True)

    def say_command(self, command: str) -> None:
        """A command to paste, two columns in, folded at blanks as the README's are."""
        self.say("\n".join(fold_command(command, wrap_width(), "  ")), raw=True)

    def say_push_commands(self, built: Tree, plan: Plan, tree_path: Path) -> None:
        """When the tree has ansible/: the commands that push it, the dry run first, each
        ready to paste (the README's own lines)."""
        from wizard.render.ansible import PUSH, baseline_note, push_commands

        if not (tree_path / PUSH).is_file():
            return
        cd = f"cd {shlex.quote(str(tree_path))}"
        dry_run, push_all, push_group, _ = push_commands(plan)
        # The playbook refuses nodes patched from the kernel baseline: their files are
        # merged by hand, so only the dry run is offered when every node is.
        merged = built.baseline
        note = baseline_note(merged, len(plan.topology.products))
        if len(merged) == len(plan.topology.products):
            self.say(f"Push with Ansible: {note[0].lower()}{note[1:]}")
            self.say_command(f"{cd} && {dry_run}")
            return
        self.say(
            "Push with Ansible (ansible-playbook on this machine, SSH to the nodes): the dry "
            "run first, which changes nothing and shows what each node would get; then the "
            "push to every node, or to one product cluster:"
        )
        for line in (dry_run, push_all, push_group):
            self.say_command(f"{cd} && {line}")
        if note:
            self.say(note)


def typed_password(variable: str, vaulted: bool) -> Validator:
    """A database password typed for `variable`, checked as the plan checks the value of a
    password variable (`fields.check_password`, and Secure Vault's limit when it is on), in
    the plan's words: "VARIABLE: no value; ..."."""
    from wizard.plan.passwords import unusable

    def validate(value: str) -> bool | str:
        problem = unusable(value, vaulted)
        return f"{variable}: {problem}" if problem else True

    return validate


def group(problems: Sequence[Problem]) -> dict[str, list[Problem]]:
    """Problems by the step that fixes them, in step order."""
    grouped: dict[str, list[Problem]] = {}
    for p in problems:
        grouped.setdefault(step_for_path(p.path), []).append(p)
    order = {s.id: i for i, s in enumerate(STEPS)}
    return dict(sorted(grouped.items(), key=lambda item: order[item[0]]))
