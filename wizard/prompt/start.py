"""Step 1: a new plan, a preset or a saved session; the plan's name; the session begins."""

from __future__ import annotations

from typing import Any

from questionary import Choice

from wizard import sessions, steps
from wizard.names import shown
from wizard.prompt.asking import Asking, checker
from wizard.questions import KEEP_PASSWORDS, PLAN_NAME


class StartStep(Asking):
    def start(self, start_session: str | None, preset: str | None) -> str:
        """Open the session to edit; the step to go to."""
        self.header("start")
        if start_session:
            return self.open_session(start_session)
        data: dict[str, Any] = {"schema_version": 1}
        if preset:
            data = self.preset_data(preset)
        else:
            from wizard import presets

            found = [p for p in presets.list_presets(self.preset_dirs) if p.problem is None]
            listed = sessions.list_sessions(self.sessions_dir)
            for item in listed.damaged:
                self.say(f"note: session file {item.path}: {item.reason}")
            choices = [Choice("Start a new plan", "new")]
            if found:
                choices.append(Choice("Start from a preset", "preset"))
            if listed.entries:
                choices.append(Choice("Resume a saved session", "session"))
            how = self.select("How do you want to start?", choices) if len(choices) > 1 else "new"
            if how == "session":
                picked = self.select(
                    "Which session?",
                    [
                        Choice(f"{e.name} · {e.products} · at {e.step} · {e.updated[:16]}", e.id)
                        for e in listed.entries
                    ],
                )
                return self.open_session(picked)
            if how == "preset":
                name = self.select(
                    "Which preset?",
                    # A preset is a file anyone may have written: no control character
                    # of its description reaches the terminal raw.
                    [Choice(f"{p.name} — {shown(p.description, 300)}", p.name) for p in found],
                )
                data = self.preset_data(name)
        from wizard.fields import check_node_id

        name = self.text(
            PLAN_NAME.question,
            default=str(data.get("name", "")),
            validate=checker(check_node_id),
        )
        if name != data.get("name"):
            data["name"] = name
        keep = self.confirm(
            KEEP_PASSWORDS.question,
            default=False,
        )
        session = sessions.new_session(
            name, data, "products", dir=self.sessions_dir, keep_passwords=keep
        )
        self.open(session)
        self.lock = sessions.lock(session.id, dir=self.sessions_dir)
        self.say(f"Session {session.id} started; every step is saved as you go.")
        return "products"

    def preset_data(self, name: str) -> dict[str, Any]:
        from wizard import presets

        data = presets.preset_data(presets.find(name, self.preset_dirs))
        self.say(f"Starting from preset {name}: {data.get('description', '')}")
        given = data.get("name")
        named = sessions.unused_name(given, self.sessions_dir) if isinstance(given, str) else given
        if named != given:
            self.say(f"A saved plan has the name {data.get('name')} already: this one is {named}.")
            data["name"] = named
        self.say("Check the site-specific answers (hosts, users, passwords) as you go.")
        return data

    def open_session(self, text: str) -> str:
        session_id = sessions.resolve_id(text, dir=self.sessions_dir)
        self.lock = sessions.lock(session_id, dir=self.sessions_dir)
        if self.lock.note:
            self.say(f"note: {self.lock.note}")
        session = sessions.load(session_id, dir=self.sessions_dir)
        self.open(session)
        self.say(
            f"Resuming session '{session.name}' ({session.id}) at step "
            f"'{steps.step(session.step).title}'."
        )
        missing = sessions.missing_passwords(session)
        if missing:
            self.say("The session did not keep passwords; give them again:")
            for path in missing:
                self.ask_password(path.rsplit(".", 1)[0])
            self.save()
        return session.step if session.step != "start" else "products"
