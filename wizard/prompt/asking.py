"""What every step of the prompt mode stands on: asking one question, saying a line, the
draft being edited, the session it is saved to, and settling a step's problems.

Every question calls `.unsafe_ask()`, so Ctrl-C reaches `run_prompt`, which keeps the
session and says how to resume.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import questionary
from questionary import Choice

from wizard import sessions, steps, workflow
from wizard.draft import Draft
from wizard.plaintext import choice_title
from wizard.problems import REQUIRED
from wizard.steps import STEPS

if TYPE_CHECKING:
    from wizard.problems import Problem

CONTINUE = "continue"

Validator = Callable[[str], bool | str]


def wrap_width() -> int:
    """The columns a said line or a question is wrapped to: the terminal's, at least 40."""
    return max(40, shutil.get_terminal_size().columns)


def checker(check: Callable[[str], object]) -> Validator:
    """A questionary validator from a core check that raises ValueError with the message."""

    def validate(value: str) -> bool | str:
        try:
            check(value)
        except ValueError as exc:
            return str(exc)
        return True

    return validate


def int_checker(low: int, high: int, what: str) -> Validator:
    def validate(value: str) -> bool | str:
        text = value.strip()
        if not text.isdigit() or not low <= int(text) <= high:
            return f"'{value}' is not {what}; use a whole number {low}-{high}"
        return True

    return validate


def optional(validate: Validator) -> Validator:
    """Empty means "use the default"; anything else must pass `validate`."""
    return lambda value: True if not value.strip() else validate(value.strip())


def required(validate: Validator) -> Validator:
    """Empty is refused, as the model refuses a missing answer; the rest must pass."""
    return lambda value: REQUIRED if not value.strip() else validate(value.strip())


class Asking:
    def __init__(
        self,
        *,
        env: Mapping[str, str],
        sessions_dir: Path,
        preset_dirs: Sequence[Path],
        io: tuple[Any, Any],
    ) -> None:
        # Passwords typed for unset password_env variables live here, for this run only.
        self.env: dict[str, str] = dict(env)
        self.sessions_dir = sessions_dir
        self.preset_dirs = list(preset_dirs)
        self.pt_kwargs = {k: v for k, v in zip(("input", "output"), io, strict=True) if v}
        self.session: sessions.Session | None = None
        self.lock: sessions.SessionLock | None = None
        self.draft = Draft()
        self.files = workflow.LocalFiles()

    # ---- questions ----------------------------------------------------------------------

    def say(self, text: str = "", *, raw: bool = False, hanging: str | None = None) -> None:
        """Print `text`, each line longer than the terminal wrapped at word ends (the
        terminal would break it mid-word at its last column), its further rows under
        `hanging`: by default the line's own indent, two further in. `raw` prints it as it
        is: a picture drawn to the width, a diff, commands to copy."""
        if not raw:
            text = "\n".join(self.fitted(line, hanging) for line in text.split("\n"))
        print(text, flush=True)

    @staticmethod
    def fitted(text: str, hanging: str | None = None) -> str:
        width = wrap_width()
        if len(text) <= width:
            return text
        if hanging is None:
            hanging = " " * (len(text) - len(text.lstrip(" ")) + 2)
        return textwrap.fill(
            text,
            width,
            subsequent_indent=hanging,
            break_on_hyphens=False,
            break_long_words=False,  # a path stays whole, to copy
        )

    @staticmethod
    def question(message: str, answer: str = "") -> str:
        """`message` wrapped at word ends for questionary's `? ` line (the terminal would break
        it mid-word at its last column); when `answer` (a default, or the choice echoed
        once answered) would not fit after its last row, the answer starts a row of its own."""
        width = wrap_width()
        rows = textwrap.wrap(
            message, width - 2, break_on_hyphens=False, break_long_words=False
        ) or [""]
        wrapped = "\n".join(rows)
        last = len(rows[-1]) + (2 if len(rows) == 1 else 0)
        if answer and last + 1 + len(answer) > width:
            wrapped += "\n"
        return wrapped

    def text(
        self,
        message: str,
        default: str = "",
        validate: Validator | None = None,
        *,
        keep_refused: bool = False,
    ) -> str:
        """Ask until `validate` takes the answer. A refusal is said in full under the
        answer, wrapped to the terminal (questionary's own line for it is one row, cut at the
        terminal's last column), and the question comes back with the last good value, the
        default: a short answer is quicker typed again than cleared. `keep_refused` brings
        the refused answer back instead, for long text where one character is usually wrong
        (a path, URL options, an LDAP name), to mend rather than type again."""
        offered = default
        while True:
            question = questionary.text(
                self.question(message, offered), default=offered, **self.pt_kwargs
            )
            answer = str(question.unsafe_ask())
            verdict = True if validate is None else validate(answer)
            if verdict is True:
                return answer.strip()
            self.refused(str(verdict))
            offered = answer if keep_refused else default

    def secret(self, message: str, validate: Validator | None = None) -> str:
        while True:
            answer = str(
                questionary.password(self.question(message), **self.pt_kwargs).unsafe_ask()
            )
            verdict = True if validate is None else validate(answer)
            if verdict is True:
                return answer
            self.refused(str(verdict))

    def refused(self, message: str) -> None:
        self.say(f"  ✗ {message}")

    def select(self, message: str, choices: Sequence[Choice], default: Any = None) -> Any:
        values = [c.value for c in choices]
        if default not in values:
            default = values[0]
        # prompt_toolkit cuts a choice at the terminal's last column: a long one is wrapped
        # at word ends, and the answer echoed is its first row's length at most.
        width = wrap_width()
        shown = [
            Choice(choice_title(str(c.title), width), c.value) if isinstance(c.title, str) else c
            for c in choices
        ]
        longest = max((str(c.title).split("\n")[0] for c in shown), key=len, default="")
        return questionary.select(
            self.question(message, longest),
            choices=shown,
            default=default,
            **self.pt_kwargs,
        ).unsafe_ask()

    def confirm(self, message: str, default: bool) -> bool:
        question = questionary.confirm(
            self.question(message, "(y/N)"), default=default, **self.pt_kwargs
        )
        return bool(question.unsafe_ask())

    def menu(self, title: str, actions: Sequence[Choice]) -> Any:
        return self.select(title, [Choice("Continue", CONTINUE), *actions], default=CONTINUE)

    def header(self, step_id: str) -> None:
        s = steps.step(step_id)
        self.say()
        self.say(f"── {steps.step_index(step_id) + 1}/{len(STEPS)} · {s.title} ──")
        self.say(s.help, hanging="")

    def show_problems(self, problems: Sequence[Problem]) -> None:
        count = len(problems)
        self.say(f"{count} problem{'s' if count != 1 else ''} to fix here:")
        for p in problems:
            self.say(f"  ✗ {p}")

    # ---- the draft ----------------------------------------------------------------------

    @property
    def answers(self) -> dict[str, Any]:
        return self.draft.answers

    def get(self, path: str, default: Any = None) -> Any:
        return self.draft.get(path, default)

    def give(self, path: str, value: Any) -> None:
        """The operator's answer for `path` (see `Draft.give`)."""
        self.draft.give(path, value)

    def drop(self, path: str) -> None:
        self.draft.put(path, None)

    def products(self) -> list[dict[str, Any]]:
        return self.draft.products()

    def product_name(self, product: dict[str, Any]) -> str:
        """The product as a question names it, in the full-screen steps' words."""
        from wizard.labels import product_name

        return product_name(product)

    def product_label(self, product: dict[str, Any]) -> str:
        """The product as a list of products shows it: its name, version and answers."""
        from wizard.catalog import PRODUCTS

        known = PRODUCTS.get(str(product.get("id")))
        label = known.label if known else str(product.get("id", "?"))
        text = f"{label} {product.get('version', '?')}"
        if product.get("profile"):
            text += f" ({product['profile']} profile)"
        nodes = product.get("nodes")
        if isinstance(nodes, list) and nodes:
            text += f" · {len(nodes)} node(s)"
        if product.get("distribution"):
            text += f" · stock files from {product['distribution']}"
        if product.get("load_balancer"):
            text += f" · behind {product['load_balancer']}"
        if known and known.chooses_user_store:
            text += f" · users in {product.get('user_store') or 'jdbc'}"
        return text

    def pick_product(self, message: str) -> int:
        choices = [Choice(self.product_label(p), i) for i, p in enumerate(self.products())]
        return int(self.select(message, choices))

    # ---- the session --------------------------------------------------------------------

    def open(self, session: sessions.Session) -> None:
        """Edit the answers of `session`: the draft and the session hold the same dict."""
        self.session = session
        self.draft = Draft(answers=session.answers)

    def save(self) -> None:
        if self.session is not None:
            self.session.answers = self.answers
            sessions.save(self.session, dir=self.sessions_dir)

    def save_quietly(self) -> bool:
        """Save on the way out; True when there is a session to resume."""
        if self.session is None:
            return False
        try:
            self.save()
        except (OSError, ValueError) as exc:
            print(f"carbon-wizard: the session could not be saved: {exc}", file=sys.stderr)
            return False
        return True

    def resume_hint(self) -> str:
        assert self.session is not None
        return self.with_command(f"Session '{self.session.name}' saved. Resume with:")

    def with_command(self, said: str) -> str:
        """`said`, then the command that reopens the session in this front end (plain
        questions again, not the full-screen app): after it when both fit one row, else
        whole on a row of its own, to copy."""
        assert self.session is not None
        command = f"carbon-wizard resume --plain {self.session.id}"
        if len(said) + 1 + len(command) <= shutil.get_terminal_size().columns:
            return f"{said} {command}"
        return f"{said}\n  {command}"

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    # ---- a step's problems --------------------------------------------------------------

    def settle(self, step_id: str) -> list[Problem]:
        """Ask again for each field with a problem at this step until none is left, or
        until what is left cannot be asked field by field (returned for the menu to show)."""
        asked_for: dict[str, int] = {}
        shown: list[Problem] = []
        while True:
            problems = workflow.step_problems(self.answers, step_id, self.files)
            if not problems:
                return []
            if problems != shown:
                self.show_problems(problems)
                shown = problems
            # One field at a time, validating again after each: fixing one offset often
            # fixes the member port of the same node too.
            target = next((p for p in problems if asked_for.get(p.path, 0) < 3), None)
            if target is None:
                return problems
            asked_for[target.path] = asked_for.get(target.path, 0) + 1
            if not self.reask(target):
                asked_for[target.path] = 3  # no question changes it; the menu shows it

    # ---- what the steps ask of each other ----------------------------------------------
    # A problem found at one step is often fixed by another step's question (a product's
    # LDAP bind password is asked as a database password is). Each is defined by the step
    # that owns it; the wizard class combines them all.

    def reask(self, problem: Problem) -> bool:
        raise NotImplementedError  # reask.py

    def add_product(self) -> None:
        raise NotImplementedError  # products.py

    def ask_product_field(self, path: str) -> None:
        raise NotImplementedError  # products.py

    def ask_load_balancer(self, pi: int) -> None:
        raise NotImplementedError  # products.py

    def ask_user_store(self, pi: int) -> bool:
        raise NotImplementedError  # products.py

    def ask_ldap(self, pi: int) -> None:
        raise NotImplementedError  # products.py

    def ask_ldap_field(self, pi: int, key: str) -> None:
        raise NotImplementedError  # products.py

    def add_nodes(self, pi: int) -> None:
        raise NotImplementedError  # nodes.py

    def ask_node_field(self, pi: int, ni: int, field: str) -> None:
        raise NotImplementedError  # nodes.py

    def ask_cluster_field(self, field: str) -> None:
        raise NotImplementedError  # nodes.py

    def ask_database_field(self, field: str) -> None:
        raise NotImplementedError  # database.py

    def ask_spec(self, path: str, label: str, name: str, user: str) -> None:
        raise NotImplementedError  # database.py

    def ask_password(self, spec_path: str) -> None:
        raise NotImplementedError  # database.py

    def spec_summary(self, path: str) -> str:
        raise NotImplementedError  # database.py

    def needed_specs(self) -> list[tuple[str, str, str, str]]:
        raise NotImplementedError  # database.py

    def role_defaults(self, role: str) -> tuple[str, str, str]:
        raise NotImplementedError  # database.py

    def ask_layout(self) -> None:
        raise NotImplementedError  # layout.py

    def ask_config_target(self, pi: int) -> None:
        raise NotImplementedError  # layout.py

    def done(self, step_id: str, left: Sequence[Problem]) -> bool:
        """Whether Continue may leave `step_id`; says why not."""
        if not left and not workflow.step_problems(self.answers, step_id, self.files):
            return True
        self.say("Fix the problems above first.")
        return False
