"""The full-screen wizard's state: the draft being edited, and where the operator is.

The answers and every change to them are `wizard.draft.Draft`'s, shared with the prompt
mode; this adds what only the full-screen app keeps: the steps visited and attempted, the
session and its lock, the tree last written, and the problems found per revision of the
answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import sessions, steps
from wizard.draft import Draft
from wizard.problems import Problem
from wizard.steps import STEP_IDS
from wizard.workflow import LocalFiles

if TYPE_CHECKING:
    from wizard.distribution import Detected


FORM_STEPS = ("start", "products", "nodes", "database", "layout")


@dataclass
class _Checked:
    """The problems found for one revision of the answers."""

    revision: int = -1
    by_step: dict[str, list[Problem]] | None = None
    """Every problem, by the step that fixes it (what the preview and write steps show)."""
    per_step: dict[str, list[Problem]] = field(default_factory=dict)
    """A form step's own problems, by step."""


@dataclass
class WizardState(Draft):
    sessions_dir: Path
    preset_dirs: list[Path]
    env: dict[str, str]
    """The environment for password_env, plus passwords typed for unset variables."""
    cwd: Path
    origin: str = "new"
    """new | preset:<name> | session:<id>."""
    keep_passwords: bool = False
    session: sessions.Session | None = None
    lock: sessions.SessionLock | None = None
    visited: set[str] = field(default_factory=set)
    attempted: set[str] = field(default_factory=set)
    written: Path | None = None
    note: str = ""
    """Said on the start step once: why a session or preset asked for could not be opened."""
    out_dir: str = ""
    written_revision: int = 0
    """The revision of the answers last written (or loaded)."""
    files: LocalFiles = field(default_factory=LocalFiles, repr=False)
    _checked: _Checked = field(default_factory=_Checked, repr=False)
    """The revision of the answers last checked, and what was found for them."""

    def load(self, answers: dict[str, Any], origin: str = "new") -> None:
        """Start over from other answers (a preset or a session)."""
        super().load(answers)
        self.origin = origin
        self.visited = {"start"}
        self.attempted.clear()
        self.written = None
        self.written_revision = self.revision
        self.out_dir = ""

    def mark_written(self, path: Path) -> None:
        """The tree of these answers was written to `path`: the session says so (and the
        Start step lists it as written) until the answers change."""
        self.written = path
        self.changed_since_write = False
        if self.session is not None:
            self.session.written = str(path)
            self.session.written_digest = sessions.answers_digest(self.answers)

    @property
    def changed_since_write(self) -> bool:
        return self.revision != self.written_revision

    @changed_since_write.setter
    def changed_since_write(self, changed: bool) -> None:
        self.written_revision = -1 if changed else self.revision

    # ---- problems and step states -------------------------------------------------------

    def problems(self, step_id: str) -> list[Problem]:
        checked = self._checked_now()
        if step_id in ("preview", "write"):
            if checked.by_step is None:
                checked.by_step = steps.problems_by_step(self.answers)
            by_step = checked.by_step
            return [p for ps in by_step.values() for p in ps] + self.files.problems(self.answers)
        found = checked.per_step.get(step_id)
        if found is None:
            found = checked.per_step[step_id] = steps.problems_for_step(self.answers, step_id)
        # Not cached by revision: a file can appear on disk while the answers stay the same.
        return found + self.files.problems_for_step(self.answers, step_id)

    def _checked_now(self) -> _Checked:
        """What was found for this revision of the answers: each check runs once per revision.

        A key press asks for a step's problems up to four times (its fields, the sidebar's
        step states, the note), and each check validates every node: ~10 ms at 500 nodes.
        """
        if self._checked.revision != self.revision:
            self._checked = _Checked(self.revision)
        return self._checked

    def detect(self, where: str) -> Detected | str:
        return self.files.detect(where)

    def state_of(self, step_id: str, current: str = "") -> str:
        if step_id == "write":
            return "done" if self.written and not self.changed_since_write else "todo"
        if step_id not in self.visited:
            return "todo"
        if self.problems(step_id):
            # The step being filled in is not yet wrong, unless Next was refused.
            quiet = step_id == current and step_id not in self.attempted
            return "todo" if quiet else "attention"
        if self.confirming(step_id):
            return "confirm"
        return "done"

    def left_to_do(self, problems: Sequence[Problem]) -> str:
        """What a step's `problems` leave to do, for the note under it ("" for nothing): a
        preset's answer to confirm is not a problem to fix, and is counted as what it is."""
        pending = set(self.pending())
        count = sum(p.path not in pending for p in problems)
        to_confirm = len(problems) - count
        said = [f"{count} problem{'s' if count != 1 else ''} to fix"] if count else []
        if to_confirm:
            said.append(f"{to_confirm} preset answer{'s' if to_confirm != 1 else ''} to confirm")
        return " and ".join(said) + " on this step" if said else ""

    def confirming(self, step_id: str) -> bool:
        """Whether a preset's site-specific answer at `step_id` is still to be confirmed;
        the Preview, where they are all confirmed, has every one."""
        pending = self.pending()
        if step_id == "preview":
            return bool(pending)
        return any(steps.step_for_path(path) == step_id for path in pending)

    def states(self, current: str = "") -> dict[str, str]:
        return {s: self.state_of(s, current) for s in STEP_IDS}

    # ---- sessions -----------------------------------------------------------------------

    def save(self, step_id: str) -> str | None:
        """Save the session (creating it on the first save); the reason when it fails."""
        try:
            if self.session is None:
                name = str(self.answers.get("name") or "plan")
                self.session = sessions.new_session(
                    name,
                    self.answers,
                    step_id,
                    dir=self.sessions_dir,
                    keep_passwords=self.keep_passwords,
                )
                self.lock = sessions.lock(self.session.id, dir=self.sessions_dir)
                return None
            self.session.answers = self.answers
            self.session.step = step_id
            self.session.keep_passwords = self.keep_passwords
            if isinstance(self.answers.get("name"), str) and self.answers["name"]:
                self.session.name = self.answers["name"]
            sessions.save(self.session, dir=self.sessions_dir)
        except (OSError, ValueError, sessions.SessionError) as exc:
            return f"the session could not be saved: {exc}"
        return None

    def resume(self, session_id: str) -> str:
        """Open a saved session; returns the step to go to. Raises SessionError."""
        held = sessions.lock(session_id, dir=self.sessions_dir)
        try:
            session = sessions.load(session_id, dir=self.sessions_dir)
        except BaseException:
            held.release()
            raise
        self.release()
        self.session, self.lock = session, held
        self.keep_passwords = session.keep_passwords
        self.load(session.answers, f"session:{session_id}")
        # Written before: the Write step offers that directory again, not a new one.
        self.out_dir = session.written
        index = STEP_IDS.index(session.step)
        # A plan written once has been through every step, wherever it was left since.
        reached = len(STEP_IDS) if session.written else index + 1
        self.visited = set(STEP_IDS[:reached]) - {"write"}
        return session.step if session.step != "start" else "products"

    def leave_session(self, step_id: str) -> str | None:
        """Stop editing the session's plan before starting another: it is saved as it is
        and unlocked, and the next plan gets a session of its own (before, a preset or a
        new plan chosen here was saved over the session being edited)."""
        problem = self.save(step_id) if self.session is not None else None
        self.release()
        self.session = None
        return problem

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def start_from_preset(self, name: str) -> str | None:
        """Load preset `name` as the answers; the reason when it cannot be read."""
        from wizard import presets

        try:
            data = presets.preset_data(presets.find(name, self.preset_dirs))
        except Exception as exc:  # unknown name, unreadable file, bad TOML: say so
            return f"preset {name}: {exc}"
        given = data.get("name")
        named = sessions.unused_name(given, self.sessions_dir) if isinstance(given, str) else given
        if named != given:
            self.note = (
                f"Starting from preset {name}, as plan {named}: a saved plan has the name "
                f"{data.get('name')} already."
            )
            data["name"] = named
        self.load(data, f"preset:{name}")
        return None

    def missing_passwords(self) -> list[str]:
        """Password paths a resumed session left out and the answers still lack."""
        if self.session is None:
            return []
        self.session.answers = self.answers
        return sessions.missing_passwords(self.session)

    def resume_hint(self) -> str:
        if self.session is None:
            return ""
        return (
            f"Session '{self.session.name}' is saved. Resume it with:\n"
            f"  carbon-wizard resume {self.session.id}"
        )


def messages_for(paths: Sequence[str], problems: Sequence[Problem]) -> list[Problem]:
    return [p for p in problems if any(under(p.path, f) for f in paths)]


def under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")
