"""Step 4: the database server, and each database's name, user and password."""

from __future__ import annotations

from questionary import Choice

from wizard import database_slots
from wizard.prompt.asking import CONTINUE, Asking, Validator, checker, int_checker, optional
from wizard.questions import (
    DATABASE_HOST,
    DATABASE_NAME,
    DATABASE_PORT,
    DATABASE_USER,
    JDBC_DRIVERS,
    LDAP_PASSWORD_LABEL,
    TLS_HINT,
    TLS_QUESTION,
    URL_OPTIONS,
    database_password,
    share_question,
)

SERVER_FIELDS = ("engine", "jdbc_driver", "host", "port")
"""The server questions, in the order asked; the driver is asked only for MariaDB."""


class DatabaseStep(Asking):
    def needed_specs(self) -> list[tuple[str, str, str, str]]:
        """(path, label, default name, default user) of every database the answers need."""
        return [(d.path, d.label, d.name, d.user) for d in database_slots.needed(self.answers)]

    def role_defaults(self, role: str) -> tuple[str, str, str]:
        slot = database_slots.role_slot(role)
        return slot.label, slot.name, slot.user

    def step_database(self) -> str:
        self.header("database")
        db = self.draft.database()
        if not db.get("engine") or not db.get("host"):
            for field in SERVER_FIELDS:
                self.ask_database_field(field)
        # An optional database is asked about with a product's first databases; absent
        # once the others are given, it was left local (here, or in a preset or session).
        for slot in self.draft.unanswered(database_slots.needed(self.answers)):
            held = self.get(slot.path)
            if (
                slot.optional
                and held is None
                and not self.ask_share(slot, default=slot.shared_by_default)
            ):
                continue
            self.ask_spec(slot.path, slot.label, slot.name, slot.user)
        while True:
            left = self.settle("database")
            self.show_database()
            action = self.menu(
                "Database",
                [
                    Choice("Change the engine, server or port", "server"),
                    Choice("Change a database (name, user, password)", "spec"),
                    Choice("Change the JDBC URL options", "url_options"),
                    Choice("Encrypt connections to the database (TLS)", "tls"),
                    Choice("Driver jar and Secure Vault", "extras"),
                    Choice("Test connections (log in to each database from here)", "test"),
                ],
            )
            if action == CONTINUE:
                if self.done("database", left):
                    return "preview"
            elif action == "server":
                for field in SERVER_FIELDS:
                    self.ask_database_field(field)
            elif action == "spec":
                specs = self.needed_specs()
                path = self.select(
                    "Which database?",
                    [Choice(f"{label}: {self.spec_summary(p)}", p) for p, label, *_ in specs],
                )
                _, label, name, user = next(s for s in specs if s[0] == path)
                # An optional database (ACTIVITI_DB) left local has no fields to ask.
                shared_slot = self.optional_slot(path)
                shared = shared_slot is None or self.ask_share(
                    shared_slot, self.draft.is_shared(shared_slot)
                )
                if not shared:
                    continue
                self.ask_spec(path, label, name, user)
            elif action == "url_options":
                self.ask_database_field("url_options")
            elif action == "tls":
                self.ask_database_field("tls")
            elif action == "extras":
                self.ask_cluster_field("driver_jar")
                self.ask_cluster_field("secure_vault")
            elif action == "test":
                self.test_connections()

    def test_connections(self) -> None:
        """Probe every database as the full-screen step's Test connections does: the same
        lines, the same bound (`connections.DEADLINE`), the operator told it is running."""
        from wizard import connections

        testing = connections.prepare(self.answers, self.env)
        if not testing.blocked:
            self.say(testing.start_line)
        lines = connections.run(testing)
        for line in lines:
            self.say(f"  {line.text}")  # each row under its mark
        if any(line.path for line in lines):
            self.say(connections.summary(lines))

    def optional_slot(self, path: str) -> database_slots.DatabaseSlot | None:
        """The slot of `path` when the answers may leave it out (ACTIVITI_DB)."""
        return next(
            (s for s in database_slots.needed(self.answers) if s.path == path and s.optional),
            None,
        )

    def ask_share(self, slot: database_slots.DatabaseSlot, default: bool) -> bool:
        """Ask whether an optional database is shared; True when it is. Local puts what
        was given for it aside, and shared brings that back for its questions."""
        question, hint = share_question(slot.path.rsplit(".", 1)[-1])
        self.say(hint)
        shared = self.confirm(question, default)
        self.draft.share_database(slot, shared)
        return shared

    def spec_summary(self, path: str) -> str:
        spec = self.get(path)
        if spec is None and self.optional_slot(path) is not None:
            return "local: each node's own H2"
        if not isinstance(spec, dict):
            return "not given yet"
        if "password" in spec:
            source = "password typed"
        elif spec.get("password_env"):
            source = f"password from ${spec['password_env']}"
        else:
            source = "no password yet"
        where = ""
        if spec.get("host") or spec.get("port"):
            where = f" on {spec.get('host', '')}:{spec.get('port', '')}"
        return f"{spec.get('name', '?')}, user {spec.get('user', '?')}, {source}{where}"

    def show_database(self) -> None:
        from wizard.catalog import ENGINES

        db = self.answers.get("database") or {}
        engine = ENGINES.get(str(db.get("engine")))
        port = db.get("port") or (engine.default_port if engine else "?")
        label = engine.label if engine else str(db.get("engine", "?"))
        line = f"{label} on {db.get('host', '?')}:{port}"
        if engine is not None and engine.jdbc_drivers:
            driver = db.get("jdbc_driver") or engine.jdbc_drivers[0]
            # The driver's name: its line up to the first comma.
            names = {key: text.split(",", 1)[0] for key, text in JDBC_DRIVERS}
            line += f" · {names.get(driver, driver)}"
        line += f" · TLS {'on' if db.get('tls') else 'off'}"
        self.say(line)
        for path, label, *_ in self.needed_specs():
            self.say(f"  {label}: {self.spec_summary(path)}")

    def ask_database_field(self, field: str) -> None:
        from wizard.catalog import ENGINES
        from wizard.fields import check_host, check_url_options

        db = self.draft.database()
        engine = ENGINES.get(str(db.get("engine")))
        if engine is not None and db.get("jdbc_driver") in engine.jdbc_drivers:
            # The engine as the nodes reach it: the driver decides the default URL options.
            engine = engine.with_driver(str(db["jdbc_driver"]))
        if field == "engine":
            chosen = self.select(
                "Database engine:",
                [Choice(e.label, e.id) for e in ENGINES.values()],
                default=db.get("engine", "mysql8"),
            )
            self.give("database.engine", chosen)
            self.draft.fit_engine()
        elif field == "jdbc_driver":
            self.ask_jdbc_driver()
        elif field == "tls":
            self.say(TLS_HINT)
            # Off is the model's default, and left out as the full-screen wizard leaves it.
            tls = self.confirm(f"{TLS_QUESTION}?", bool(db.get("tls")))
            self.give("database.tls", True if tls else None)
        elif field == "host":
            self.give(
                "database.host",
                self.text(
                    DATABASE_HOST.question,
                    default=str(db.get("host", "")),
                    validate=checker(check_host),
                    # A host name: one slip (db..example.com) in a long name, mended in
                    # place, as the form keeps it in its box.
                    keep_refused=True,
                ),
            )
        elif field == "port":
            default_port = engine.default_port if engine else 0
            port = int(
                self.text(
                    DATABASE_PORT.question,
                    default=str(db.get("port", default_port)),
                    validate=int_checker(1, 65535, "a TCP port"),
                )
            )
            # The engine's port stays implicit, so answers (and topology.toml) stay minimal.
            if port != default_port or "port" in db:
                self.give("database.port", port)
        elif field == "url_options":
            default = db.get("url_options", engine.default_url_options if engine else "")
            value = self.text(
                URL_OPTIONS.question,
                default=str(default),
                validate=optional(checker(check_url_options)),
                keep_refused=True,  # long and full of & and =: one slip is mended in place
            )
            same = engine is not None and value == engine.default_url_options
            self.give("database.url_options", None if same else value)
        elif field == "layout":
            self.ask_layout()

    def ask_jdbc_driver(self) -> None:
        """Ask the driver where the engine offers a choice (MariaDB); elsewhere only a
        hand-edited answers file gives one, and removing it is offered."""
        from wizard.catalog import ENGINES

        db = self.draft.database()
        engine = ENGINES.get(str(db.get("engine")))
        if engine is None or not engine.jdbc_drivers:
            if "jdbc_driver" in db:
                label = engine.label if engine is not None else "This engine"
                if self.confirm(f"{label} has one JDBC driver; remove jdbc_driver?", True):
                    self.drop("database.jdbc_driver")
            return
        offered = engine.jdbc_drivers
        choice = self.select(
            f"JDBC driver the nodes reach {engine.label} through:",
            [Choice(text, key) for key, text in JDBC_DRIVERS],
            default=db.get("jdbc_driver") or offered[0],
        )
        # The default driver is left out, as the full-screen wizard leaves it out.
        self.give("database.jdbc_driver", None if choice == offered[0] else choice)

    def ask_spec(self, path: str, label: str, name: str, user: str) -> None:
        if not isinstance(self.get(path), dict):
            self.draft.put(path, {})
        spec = self.get(path)
        self.give(
            f"{path}.name",
            self.text(
                DATABASE_NAME.ask(database=label),
                default=str(spec.get("name", name)),
                validate=self.identifier_check("name"),
            ),
        )
        self.give(
            f"{path}.user",
            self.text(
                DATABASE_USER.ask(database=label),
                default=str(spec.get("user", user)),
                validate=self.identifier_check("user"),
            ),
        )
        self.ask_password(path)

    def identifier_check(self, what: str) -> Validator:
        """A database name or user refused where it is typed, with the words the model (and
        so the full-screen step) uses for the engine chosen."""
        from wizard.catalog import ENGINES
        from wizard.fields import check_identifier

        engine = ENGINES.get(str(self.draft.database().get("engine")))

        def validate(value: str) -> bool | str:
            if engine is None:  # no engine yet: only an empty answer is known to be wrong
                return True if value.strip() else f"no value; give the database {what}"
            return check_identifier(value.strip(), engine, what) or True

        return validate

    def ask_password(self, spec_path: str) -> None:
        from wizard import answers as answers_mod
        from wizard.fields import check_env_name, check_password

        if not isinstance(self.get(spec_path), dict):
            self.draft.put(spec_path, {})
        spec = self.get(spec_path)
        # Named as the full-screen form names it: the card's title, then the field.
        if "bind_dn" in spec:  # an LDAP server's table (the products step asks it)
            product = self.get(spec_path.rsplit(".", 1)[0])
            owner = self.product_name(product) if isinstance(product, dict) else spec_path
            who = f"{owner} · {LDAP_PASSWORD_LABEL.lower()} of {spec['bind_dn']}:"
        else:
            label = database_slots.label_of(self.answers, spec_path)
            who = f"{database_password([label])} (user {spec.get('user', '?')}):"
        choices = []
        if "password" in spec:
            choices.append(Choice("Keep the password typed earlier", "keep"))
        elif spec.get("password_env"):
            choices.append(Choice(f"Keep reading it from ${spec['password_env']}", "keep"))
        choices += [
            Choice("Type the password", "type"),
            Choice("Read it from an environment variable when the tree is written", "env"),
        ]
        how = self.select(who, choices)
        if how == "type":
            while True:
                first = self.secret(who, validate=checker(check_password))
                again = self.secret("The same password again:")
                if first == again:
                    break
                self.say("The two passwords differ; type them again.")
            self.give(f"{spec_path}.password", first)
            self.drop(f"{spec_path}.password_env")
        elif how == "env":
            name = self.text(
                "Environment variable that will hold it:",
                default=str(
                    spec.get("password_env")
                    or answers_mod.password_env_name(spec_path, self.answers)
                ),
                validate=checker(check_env_name),
            )
            self.give(f"{spec_path}.password_env", name)
            self.drop(f"{spec_path}.password")
