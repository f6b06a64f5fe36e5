"""The prompt mode (`carbon-wizard --plain`): the wizard's steps as plain questions.

The one module in wizard/ that imports questionary. It asks the steps of `wizard.steps` in
order, validates the answers with the same model after each step (showing only the problems
that step can fix, and asking those fields again), saves the session after every step with
the same sessions API as the full-screen app, and writes the tree with `tree.build` and
`output.write_tree`, exactly as `generate` does.

`run_prompt` is the edge: it turns Ctrl-C, a missing terminal and known errors into one
sentence and an exit code. Everything below it calls `.unsafe_ask()` so Ctrl-C reaches it.
Only questionary is imported at module level; the core (pydantic, lxml) loads on first use.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import questionary
from questionary import Choice

from wizard import database_slots, sessions, steps
from wizard.steps import STEPS, split_path, step_for_path

if TYPE_CHECKING:
    from wizard.plan import Plan
    from wizard.problems import Problem

EXIT_OK = 0
EXIT_FAILED = 2
EXIT_INTERRUPTED = 130

NO_TERMINAL = (
    "carbon-wizard: no terminal to ask questions on; write an answers file and run "
    "carbon-wizard generate --answers FILE --out DIR"
)

_CONTINUE = "continue"
_REGISTRY_ROLES = ("registry", "config", "governance")
_USER_STORES = (
    (
        "jdbc",
        "jdbc: users in the shared user-management database; every node sees them "
        "(the default for clusters)",
    ),
    ("ldap", "ldap: an external LDAP or Active Directory that every node reaches"),
    (
        "embedded-ldap",
        "embedded-ldap: IS's own LDAP, for one IS node that shares users with nobody",
    ),
)
"""The primary user stores an Identity Server product chooses from, each said in a line."""
_LDAP_QUESTIONS = (
    ("url", "LDAP server URL (ldap://host:389 or ldaps://host:636):"),
    ("bind_dn", "DN the nodes bind with (e.g. uid=admin,ou=system):"),
    ("user_search_base", "Where users live: user search base (e.g. ou=Users,dc=example,dc=com):"),
    (
        "group_search_base",
        "Where groups (roles) live: group search base (e.g. ou=Groups,dc=example,dc=com):",
    ),
)
"""The LDAP server's answers other than its bind password, in the order asked."""
_JDBC_DRIVERS = (
    ("mysql", "MySQL driver", "jdbc:mysql:// URLs, as WSO2's 4.4.x docs reach MariaDB"),
    ("mariadb", "MariaDB Connector/J", "org.mariadb.jdbc.Driver, jdbc:mariadb:// URLs"),
)
"""The drivers MariaDB is reached through: key, name, and what choosing it means. The first
is the model's default, left out of the answers."""
_TLS_HINT = (
    "With TLS the nodes must trust the database server's certificate authority; the "
    "README says where."
)
_SERVER_FIELDS = ("engine", "jdbc_driver", "host", "port")
"""The server questions, in the order asked; the driver is asked only for MariaDB."""
_SHARE_QUESTIONS = {
    "ACTIVITI_DB": (
        "Share the BPMN database (Activiti)?",
        "Local keeps BPMN data in each node's own H2: fine with no BPMN process deployed, "
        "or on one node; with more nodes and BPMN in use, share it.",
    ),
}
"""An optional database's question, and the hint said before it (when local is right)."""


# Default names and users for databases the operator adds; presets carry their own.
def run_prompt(
    *,
    env: Mapping[str, str],
    sessions_dir: Path,
    preset_dirs: Sequence[Path],
    start_session: str | None = None,
    preset: str | None = None,
    input: Any = None,
    output: Any = None,
) -> int:
    """Run the prompt mode; returns the process exit code. Never shows a traceback for
    what the operator can cause: Ctrl-C keeps the session and says how to resume."""
    if input is None and not _stdin_is_terminal():
        print(NO_TERMINAL, file=sys.stderr)
        return EXIT_FAILED
    wizard = _PromptWizard(
        env=env, sessions_dir=Path(sessions_dir), preset_dirs=preset_dirs, io=(input, output)
    )
    from wizard.problems import AnswersError

    try:
        return wizard.run(start_session=start_session, preset=preset)
    except KeyboardInterrupt:
        print("", flush=True)
        if wizard.save_quietly():
            print(wizard.resume_hint(), flush=True)
        else:
            print("interrupted; nothing was saved", flush=True)
        return EXIT_INTERRUPTED
    except EOFError:
        print(NO_TERMINAL, file=sys.stderr)
        if wizard.save_quietly():
            print(wizard.resume_hint(), file=sys.stderr)
        return EXIT_FAILED
    except AnswersError as exc:
        print(exc.report(), file=sys.stderr)
        if wizard.save_quietly():
            print(wizard.resume_hint(), file=sys.stderr)
        return EXIT_FAILED
    except sessions.SessionError as exc:
        print(f"carbon-wizard: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        # OutputError lives with the writer, which is imported only when a tree is written.
        output_mod = sys.modules.get("wizard.output")
        if output_mod is not None and isinstance(exc, output_mod.OutputError):
            print(f"carbon-wizard: {exc}", file=sys.stderr)
            if wizard.save_quietly():
                print(wizard.resume_hint(), file=sys.stderr)
            return EXIT_FAILED
        wizard.save_quietly()
        raise
    finally:
        wizard.release()


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _checker(check: Callable[[str], object]) -> Callable[[str], bool | str]:
    """A questionary validator from a core check that raises ValueError with the message."""

    def validate(value: str) -> bool | str:
        try:
            check(value)
        except ValueError as exc:
            return str(exc)
        return True

    return validate


def _int_checker(low: int, high: int, what: str) -> Callable[[str], bool | str]:
    def validate(value: str) -> bool | str:
        text = value.strip()
        if not text.isdigit() or not low <= int(text) <= high:
            return f"'{value}' is not {what}; use a whole number {low}-{high}"
        return True

    return validate


def _optional(validate: Callable[[str], bool | str]) -> Callable[[str], bool | str]:
    """Empty means "use the default"; anything else must pass `validate`."""
    return lambda value: True if not value.strip() else validate(value.strip())


def _required(validate: Callable[[str], bool | str]) -> Callable[[str], bool | str]:
    """Empty is refused, as the model refuses a missing answer; the rest must pass."""
    return lambda value: "is required" if not value.strip() else validate(value.strip())


class _PromptWizard:
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
        # Answers a change made inapplicable (the LDAP server after choosing jdbc, the JDBC
        # driver after leaving MariaDB), by the table they were taken from (a product's, or
        # [database]): they come back when the change is undone.
        self.aside: list[tuple[dict[str, Any], str, Any]] = []

    # ---- plumbing ---------------------------------------------------------------------

    @property
    def answers(self) -> dict[str, Any]:
        assert self.session is not None
        return self.session.answers

    def say(self, text: str = "") -> None:
        print(text, flush=True)

    def text(
        self,
        message: str,
        default: str = "",
        validate: Callable[[str], bool | str] | None = None,
    ) -> str:
        question = questionary.text(message, default=default, validate=validate, **self.pt_kwargs)
        return str(question.unsafe_ask()).strip()

    def secret(self, message: str, validate: Callable[[str], bool | str] | None = None) -> str:
        return str(questionary.password(message, validate=validate, **self.pt_kwargs).unsafe_ask())

    def select(self, message: str, choices: Sequence[Choice], default: Any = None) -> Any:
        values = [c.value for c in choices]
        if default not in values:
            default = values[0]
        return questionary.select(
            message, choices=list(choices), default=default, **self.pt_kwargs
        ).unsafe_ask()

    def confirm(self, message: str, default: bool) -> bool:
        return bool(questionary.confirm(message, default=default, **self.pt_kwargs).unsafe_ask())

    def save(self) -> None:
        if self.session is not None:
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
        return (
            f"Session '{self.session.name}' saved. Resume with: "
            f"carbon-wizard resume {self.session.id}"
        )

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def header(self, step_id: str) -> None:
        s = steps.step(step_id)
        self.say()
        self.say(f"── {steps.step_index(step_id) + 1}/{len(STEPS)} · {s.title} ──")
        self.say(s.help)

    def show_problems(self, problems: Sequence[Problem]) -> None:
        count = len(problems)
        self.say(f"{count} problem{'s' if count != 1 else ''} to fix here:")
        for p in problems:
            self.say(f"  ✗ {p}")

    # ---- answers by path --------------------------------------------------------------

    def get(self, path: str, default: Any = None) -> Any:
        return steps.lookup(self.answers, path, default)

    def put(self, path: str, value: Any) -> None:
        # An answer the operator gives is theirs: a preset's mark on it is settled.
        steps.confirm(self.answers, path)
        parts = split_path(path)
        node: Any = self.answers
        for part in parts[:-1]:
            if isinstance(part, str) and not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value

    def drop(self, path: str) -> None:
        parts = split_path(path)
        parent = self.answers if len(parts) == 1 else self._parent(parts)
        last = parts[-1]
        if isinstance(parent, dict):
            parent.pop(last, None)  # type: ignore[call-overload]
        elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
            del parent[last]

    def _parent(self, parts: list[str | int]) -> Any:
        node: Any = self.answers
        for part in parts[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def normalize(self) -> None:
        """Drop list entries that are not tables (only a hand-edited file has them), so that
        product and node numbers mean the same in every question."""
        products = self.answers.get("products")
        if not isinstance(products, list):
            return
        for i, product in reversed(list(enumerate(products))):
            if not isinstance(product, dict):
                self.say(f"note: products[{i}] is not a table ({product!r}); left out")
                del products[i]
                continue
            nodes = product.get("nodes")
            if isinstance(nodes, list):
                for j, node in reversed(list(enumerate(nodes))):
                    if not isinstance(node, dict):
                        self.say(f"note: products[{i}].nodes[{j}] is not a table; left out")
                        del nodes[j]

    def products(self) -> list[dict[str, Any]]:
        found = self.answers.get("products")
        return [p for p in found if isinstance(p, dict)] if isinstance(found, list) else []

    # ---- the run ----------------------------------------------------------------------

    def run(self, *, start_session: str | None, preset: str | None) -> int:
        current = self.start(start_session, preset)
        self.normalize()
        while current is not None:
            assert self.session is not None
            self.session.step = current
            self.save()
            runner = {
                "products": self.step_products,
                "nodes": self.step_nodes,
                "database": self.step_database,
                "layout": self.step_layout,
                "preview": self.step_preview,
                "write": self.step_write,
            }.get(current, self.step_products)
            current = runner()
        return EXIT_OK

    # ---- start ------------------------------------------------------------------------

    def start(self, start_session: str | None, preset: str | None) -> str:
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
                    [Choice(f"{p.name} — {p.description}", p.name) for p in found],
                )
                data = self.preset_data(name)
        from wizard.fields import check_node_id

        name = self.text(
            "Name of this plan (letters, digits, '.', '_', '-'; e.g. apim-prod):",
            default=str(data.get("name", "")),
            validate=_checker(check_node_id),
        )
        if name != data.get("name"):
            data["name"] = name
        keep = self.confirm(
            "Keep typed passwords in the session file (private to you) so a resumed session "
            "need not ask for them again?",
            default=False,
        )
        self.session = sessions.new_session(
            name, data, "products", dir=self.sessions_dir, keep_passwords=keep
        )
        self.lock = sessions.lock(self.session.id, dir=self.sessions_dir)
        self.say(f"Session {self.session.id} started; every step is saved as you go.")
        return "products"

    def preset_data(self, name: str) -> dict[str, Any]:
        import tomllib

        from wizard import presets
        from wizard.problems import AnswersError, Problem

        path = presets.find(name, self.preset_dirs)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise AnswersError([Problem("", f"cannot be read: {exc}")], str(path)) from None
        self.say(f"Starting from preset {name}: {data.get('description', '')}")
        self.say("Check the site-specific answers (hosts, users, passwords) as you go.")
        return data

    def open_session(self, text: str) -> str:
        session_id = sessions.resolve_id(text, dir=self.sessions_dir)
        self.lock = sessions.lock(session_id, dir=self.sessions_dir)
        if self.lock.note:
            self.say(f"note: {self.lock.note}")
        self.session = sessions.load(session_id, dir=self.sessions_dir)
        self.say(
            f"Resuming session '{self.session.name}' ({self.session.id}) at step "
            f"'{steps.step(self.session.step).title}'."
        )
        missing = sessions.missing_passwords(self.session)
        if missing:
            self.say("The session did not keep passwords; give them again:")
            for path in missing:
                self.ask_password(path.rsplit(".", 1)[0])
            self.save()
        return self.session.step if self.session.step != "start" else "products"

    # ---- validation -------------------------------------------------------------------

    def settle(self, step_id: str, also: Sequence[str] = ()) -> list[Problem]:
        """Ask again for each field with a problem at this step until none is left, or
        until what is left cannot be asked field by field (returned for the menu to show).

        `also`: answer paths this step created whose fields the database step owns."""
        asked_for: dict[str, int] = {}
        shown: list[Problem] = []
        while True:
            problems = steps.problems_for_step(self.answers, step_id)
            if also:
                problems += [
                    p
                    for p in steps.problems_for_step(self.answers, "database")
                    if any(p.path == a or p.path.startswith(a + ".") for a in also)
                ]
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

    def menu(self, title: str, actions: Sequence[Choice]) -> Any:
        return self.select(title, [Choice("Continue", _CONTINUE), *actions], default=_CONTINUE)

    # ---- products ---------------------------------------------------------------------

    def step_products(self) -> str:
        self.header("products")
        if not self.products():
            self.add_product()
            while self.confirm("Add another product?", default=False):
                self.add_product()
        while True:
            left = self.settle("products")
            self.say("Products:")
            for i, product in enumerate(self.products()):
                self.say(f"  {i + 1}. {self.product_label(product)}")
            actions = [Choice("Add a product", "add")]
            if self.products():
                actions += [
                    Choice(
                        "Change a product (version, profile, distribution, load balancer, "
                        "user store)",
                        "change",
                    ),
                    Choice("Remove a product", "remove"),
                ]
            action = self.menu("Products", actions)
            if action == _CONTINUE:
                if not left and not steps.problems_for_step(self.answers, "products"):
                    return "nodes"
                self.say("Fix the problems above first.")
            elif action == "add":
                self.add_product()
            elif action == "change":
                self.change_product(self.pick_product("Change which product?"))
            elif action == "remove":
                index = self.pick_product("Remove which product?")
                removed = self.answers["products"].pop(index)
                self.say(f"Removed {self.product_label(removed)}.")

    def product_label(self, product: dict[str, Any]) -> str:
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

    def add_product(self) -> None:
        from wizard.catalog import PRODUCTS

        product_id = self.select(
            "Which product?", [Choice(f"{p.label} ({p.id})", p.id) for p in PRODUCTS.values()]
        )
        entry: dict[str, Any] = {"id": product_id}
        self.answers.setdefault("products", [])
        if not isinstance(self.answers["products"], list):
            self.answers["products"] = []
        self.answers["products"].append(entry)
        self.change_product(len(self.answers["products"]) - 1, new=True)

    def change_product(self, index: int, new: bool = False) -> None:
        from wizard.catalog import PRODUCTS

        path = f"products[{index}]"
        product = self.answers["products"][index]
        self.ask_product_field(f"{path}.version")
        known = PRODUCTS.get(str(product.get("id")))
        if known and len(known.profiles) > 1:
            self.ask_product_field(f"{path}.profile")
        if new or product.get("distribution"):
            self.ask_product_field(f"{path}.distribution")
        # A new product's nodes are not known yet, and with them whether it needs a load
        # balancer: the model asks for one at this step once they are.
        if not new:
            self.ask_load_balancer(index)
        if known and known.chooses_user_store:
            self.ask_user_store(index)

    def ask_product_field(self, path: str) -> None:
        from wizard.catalog import PRODUCTS

        parts = split_path(path)
        product = self.get(f"products[{parts[1]}]")
        field = parts[-1]
        known = PRODUCTS.get(str(product.get("id")))
        if field == "id" or known is None:
            product_id = self.select(
                "Which product?",
                [Choice(f"{p.label} ({p.id})", p.id) for p in PRODUCTS.values()],
                default=product.get("id"),
            )
            product["id"] = product_id
            known = PRODUCTS[product_id]
            # Only Identity Server chooses a user store: another product's answers would
            # be refused. They come back if the product becomes Identity Server again.
            for key in ("user_store", "ldap"):
                if known.chooses_user_store:
                    if key not in product and (value := self.take_back(product, key)):
                        product[key] = value
                else:
                    self.put_aside(product, key)
            if product.get("version") not in known.versions:
                self.ask_product_field(f"products[{parts[1]}].version")
            return
        if field == "version":
            versions = list(known.versions)
            current = product.get("version")
            product["version"] = self.select(
                f"{known.label} version:",
                [Choice(f"{v} (Carbon {known.versions[v]})", v) for v in reversed(versions)],
                default=current if current in versions else versions[-1],
            )
        elif field == "profile":
            if len(known.profiles) == 1:
                product.pop("profile", None)
                return
            choice = self.select(
                f"{known.label} profile:",
                [Choice(name, name) for name in known.profiles],
                default=product.get("profile") or known.default_profile,
            )
            if choice == known.default_profile and "profile" not in product:
                return
            product["profile"] = choice
        elif field == "distribution":
            value = self.text(
                f"{known.label} distribution on this machine (.zip or PRODUCT_HOME; leave "
                "empty to patch the built-in Carbon baseline):",
                default=str(product.get("distribution", "")),
            )
            if value:
                product["distribution"] = value
            else:
                product.pop("distribution", None)

    def put_aside(self, product: dict[str, Any], key: str) -> None:
        if key in product:
            self.take_back(product, key)
            self.aside.append((product, key, product.pop(key)))

    def take_back(self, product: dict[str, Any], key: str) -> Any:
        for i, (owner, name, value) in enumerate(self.aside):
            if owner is product and name == key:
                del self.aside[i]
                return value
        return None

    def ask_load_balancer(self, pi: int) -> None:
        from wizard.fields import check_load_balancer

        product = self.products()[pi]
        value = self.text(
            f"Load balancer in front of {self.product_label(product)} (host or host:port, "
            "443 when no port; empty: none):",
            default=str(product.get("load_balancer", "")),
            validate=_optional(_checker(check_load_balancer)),
        )
        if value:
            product["load_balancer"] = value
        else:
            product.pop("load_balancer", None)
        # Given here, it is the operator's: a preset's mark on it is settled.
        steps.confirm(self.answers, f"products[{pi}].load_balancer")

    def ask_user_store(self, pi: int) -> bool:
        """Ask the primary user store; False when the operator keeps what cannot stay."""
        from wizard.catalog import PRODUCTS

        product = self.products()[pi]
        known = PRODUCTS.get(str(product.get("id")))
        if known is None or not known.chooses_user_store:
            # Only a hand-edited answers file puts one on another product.
            label = self.product_label(product)
            if self.confirm(f"{label} takes no user store; remove user_store and [ldap]?", True):
                product.pop("user_store", None)
                product.pop("ldap", None)
                return True
            return False
        current = product.get("user_store") or "jdbc"
        choice = self.select(
            f"{known.label}: primary user store (where users and roles live):",
            [Choice(text, key) for key, text in _USER_STORES],
            default=current,
        )
        # jdbc is the default, and left out as the full-screen wizard leaves it out.
        if choice == "jdbc":
            product.pop("user_store", None)
        else:
            product["user_store"] = choice
        if choice == "ldap":
            self.ask_ldap(pi)
        else:
            self.put_aside(product, "ldap")
        return True

    def ldap_table(self, pi: int) -> dict[str, Any]:
        """The product's [ldap] table, the one put aside earlier, or a new one."""
        product = self.products()[pi]
        if not isinstance(product.get("ldap"), dict):
            product["ldap"] = self.take_back(product, "ldap") or {}
        return product["ldap"]  # type: ignore[no-any-return]

    def ask_ldap(self, pi: int) -> None:
        for key, _ in _LDAP_QUESTIONS:
            self.ask_ldap_field(pi, key)
            if key == "bind_dn":
                self.ask_password(f"products[{pi}].ldap")

    def ask_ldap_field(self, pi: int, key: str) -> None:
        from wizard.fields import check_ldap_url, check_xml_text

        ldap = self.ldap_table(pi)
        question = dict(_LDAP_QUESTIONS)[key]
        check = check_ldap_url if key == "url" else check_xml_text
        ldap[key] = self.text(
            question, default=str(ldap.get(key, "")), validate=_required(_checker(check))
        )

    # ---- nodes ------------------------------------------------------------------------

    def step_nodes(self) -> str:
        self.header("nodes")
        for i, product in enumerate(self.products()):
            if not product.get("nodes"):
                self.add_nodes(i)
        while True:
            left = self.settle("nodes")
            self.show_nodes()
            action = self.menu(
                "Nodes",
                [
                    Choice("Add nodes from a host pattern (e.g. 10.0.1.{11..13})", "add"),
                    Choice("Change a node (id, host, offset)", "change"),
                    Choice("Remove a node", "remove"),
                    Choice("Cluster options (clustering, port offsets)", "cluster"),
                ],
            )
            if action == _CONTINUE:
                if not left and not steps.problems_for_step(self.answers, "nodes"):
                    return "database"
                self.say("Fix the problems above first.")
            elif action == "add":
                self.add_nodes(self.pick_product("Add nodes to which product?"))
            elif action in ("change", "remove"):
                picked = self.pick_node("Which node?")
                if picked is None:
                    continue
                pi, ni = picked
                if action == "remove":
                    self.answers["products"][pi]["nodes"].pop(ni)
                else:
                    for field in ("id", "host", "offset"):
                        self.ask_node_field(pi, ni, field)
            elif action == "cluster":
                self.ask_cluster_field("clustering")
                self.ask_cluster_field("port_offsets")

    def show_nodes(self) -> None:
        cluster = self.answers.get("cluster") or {}
        for product in self.products():
            self.say(self.product_label(product))
            for node in product.get("nodes") or []:
                if isinstance(node, dict):
                    self.say(
                        f"  {node.get('id', '?'):<16} {node.get('host', '?'):<24} "
                        f"offset {node.get('offset', 0)}"
                    )
        clustering = "on" if cluster.get("clustering", True) else "off"
        self.say(f"Hazelcast clustering: {clustering}")

    def pick_node(self, message: str) -> tuple[int, int] | None:
        choices = [
            Choice(f"{node.get('id', '?')} ({node.get('host', '?')})", (pi, ni))
            for pi, product in enumerate(self.products())
            for ni, node in enumerate(product.get("nodes") or [])
            if isinstance(node, dict)
        ]
        if not choices:
            self.say("There are no nodes yet.")
            return None
        return self.select(message, choices)  # type: ignore[no-any-return]

    def add_nodes(self, pi: int) -> None:
        from wizard.catalog import PRODUCTS
        from wizard.fields import check_host, check_node_id

        product = self.answers["products"][pi]
        known = PRODUCTS.get(str(product.get("id")))
        label = known.label if known else str(product.get("id"))

        def check_pattern(value: str) -> None:
            for host in steps.expand_hosts(value):
                check_host(host)

        pattern = self.text(
            f"{label}: hosts of the nodes to add — one host, a list (a, b) or a pattern "
            "like 10.0.1.{11..13}:",
            validate=_checker(check_pattern),
        )
        hosts = steps.expand_hosts(pattern)
        key = str(product.get("id", "node"))
        if product.get("profile") and known and product["profile"] != known.default_profile:
            key = f"{key}-{product['profile']}"
        prefix = self.text(
            "Node ids are <prefix>-<number>; prefix:",
            default=key,
            validate=_checker(lambda v: check_node_id(f"{v}-1")),
        )
        nodes = product.setdefault("nodes", [])
        used_ids = {
            str(n.get("id"))
            for p in self.products()
            for n in p.get("nodes") or []
            if isinstance(n, dict)
        }
        number = 1
        added = []
        for host in hosts:
            while f"{prefix}-{number}" in used_ids:
                number += 1
            node: dict[str, Any] = {"id": f"{prefix}-{number}", "host": host}
            offset = self.free_offset(host)
            if offset:
                node["offset"] = offset
            nodes.append(node)
            used_ids.add(node["id"])
            added.append(node)
        self.say("Added: " + ", ".join(f"{n['id']} ({n['host']})" for n in added))

    def free_offset(self, host: str) -> int:
        return steps.free_offset(self.answers, host)

    def ask_node_field(self, pi: int, ni: int, field: str) -> None:
        from wizard.catalog import MAX_OFFSET
        from wizard.fields import check_host, check_node_id

        node = self.answers["products"][pi]["nodes"][ni]
        name = node.get("id", f"node {ni + 1}")
        if field == "id":
            node["id"] = self.text(
                "Node id (its folder name in the tree):",
                default=str(node.get("id", "")),
                validate=_checker(check_node_id),
            )
        elif field == "host":
            node["host"] = self.text(
                f"Host of {name} (host name or IP address):",
                default=str(node.get("host", "")),
                validate=_checker(check_host),
            )
        elif field == "offset":
            value = int(
                self.text(
                    f"Port offset of {name} on {node.get('host', '?')} (HTTPS 9443+offset):",
                    default=str(node.get("offset", 0)),
                    validate=_int_checker(0, MAX_OFFSET, "a port offset"),
                )
            )
            if value or "offset" in node:
                node["offset"] = value
        elif field == "member_port":
            text = self.text(
                f"Cluster member port of {name} (empty: 4000 + offset):",
                default=str(node.get("member_port", "")),
                validate=_optional(_int_checker(1, 65535, "a TCP port")),
            )
            if text:
                node["member_port"] = int(text)
            else:
                node.pop("member_port", None)

    def ask_cluster_field(self, field: str) -> None:
        cluster = self.answers.get("cluster")
        current = cluster if isinstance(cluster, dict) else {}
        questions = {
            "clustering": ("Hazelcast clustering (axis2.xml) for every product cluster?", True),
            "port_offsets": ("Write each node's port offset into carbon.xml?", True),
            "secure_vault": ("Datasource passwords as Secure Vault aliases?", False),
        }
        if field in questions:
            message, default = questions[field]
            value = self.confirm(message, default=bool(current.get(field, default)))
            if value != default or field in current:
                self.answers.setdefault("cluster", {})[field] = value
        elif field == "driver_jar":
            text = self.text(
                "JDBC driver jar on this machine to copy into every node (empty: none):",
                default=str(current.get("driver_jar", "")),
            )
            if text:
                self.answers.setdefault("cluster", {})["driver_jar"] = text
            elif isinstance(cluster, dict):
                cluster.pop("driver_jar", None)

    # ---- database ---------------------------------------------------------------------

    def needed_specs(self) -> list[tuple[str, str, str, str]]:
        """(path, label, default name, default user) of every database the answers need."""
        return [(d.path, d.label, d.name, d.user) for d in database_slots.needed(self.answers)]

    def role_defaults(self, role: str) -> tuple[str, str, str]:
        slot = database_slots.role_slot(role)
        return slot.label, slot.name, slot.user

    def step_database(self) -> str:
        self.header("database")
        db = self.answers.get("database")
        if not isinstance(db, dict):
            self.answers["database"] = db = {}
        if not db.get("engine") or not db.get("host"):
            for field in _SERVER_FIELDS:
                self.ask_database_field(field)
        # An optional database is asked about with a product's first databases; absent
        # once the others are given, it was left local (here, or in a preset or session).
        slots = database_slots.needed(self.answers)
        started = {s.path for s in slots if s.optional and self.get(_databases_of(s.path))}
        for slot in slots:
            held = self.get(slot.path)
            if isinstance(held, dict) or (held is None and slot.path in started):
                continue
            if slot.optional and held is None and not self.ask_share(slot, default=True):
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
                ],
            )
            if action == _CONTINUE:
                if not left and not steps.problems_for_step(self.answers, "database"):
                    return "layout"
                self.say("Fix the problems above first.")
            elif action == "server":
                for field in _SERVER_FIELDS:
                    self.ask_database_field(field)
            elif action == "spec":
                specs = self.needed_specs()
                path = self.select(
                    "Which database?",
                    [Choice(f"{label}: {self.spec_summary(p)}", p) for p, label, *_ in specs],
                )
                _, label, name, user = next(s for s in specs if s[0] == path)
                optional = self.optional_slot(path)
                if optional is not None:
                    shared = self.get(path) is not None
                    if not self.ask_share(optional, default=shared):
                        continue
                self.ask_spec(path, label, name, user)
            elif action == "url_options":
                self.ask_database_field("url_options")
            elif action == "tls":
                self.ask_database_field("tls")
            elif action == "extras":
                self.ask_cluster_field("driver_jar")
                self.ask_cluster_field("secure_vault")

    def optional_slot(self, path: str) -> database_slots.DatabaseSlot | None:
        """The slot of `path` when the answers may leave it out (ACTIVITI_DB)."""
        return next(
            (s for s in database_slots.needed(self.answers) if s.path == path and s.optional),
            None,
        )

    def ask_share(self, slot: database_slots.DatabaseSlot, default: bool) -> bool:
        """Ask whether an optional database is shared; True when it is. Local puts what
        was given for it aside, and shared brings that back for its questions."""
        key = slot.path.rsplit(".", 1)[-1]
        question, hint = _SHARE_QUESTIONS.get(
            key, (f"Share {key}?", f"Local keeps {key} in each node's own H2.")
        )
        self.say(hint)
        shared = self.confirm(question, default)
        dbs = self.get(_databases_of(slot.path))
        if shared:
            if self.get(slot.path) is None and isinstance(dbs, dict):
                restored = self.take_back(dbs, key)
                if restored is not None:
                    dbs[key] = restored
        elif isinstance(dbs, dict):
            self.put_aside(dbs, key)
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
            names = {key: name for key, name, _ in _JDBC_DRIVERS}
            line += f" · {names.get(driver, driver)}"
        line += f" · TLS {'on' if db.get('tls') else 'off'}"
        self.say(line)
        for path, label, *_ in self.needed_specs():
            self.say(f"  {label}: {self.spec_summary(path)}")

    def ask_database_field(self, field: str) -> None:
        from wizard.catalog import ENGINES
        from wizard.fields import check_host, check_url_options

        db = self.answers.setdefault("database", {})
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
            db["engine"] = chosen
            self.fit_engine(db)
        elif field == "jdbc_driver":
            self.ask_jdbc_driver(db)
        elif field == "tls":
            self.say(_TLS_HINT)
            # Off is the model's default, and left out as the full-screen wizard leaves it.
            if self.confirm("Encrypt connections to the database (TLS)?", bool(db.get("tls"))):
                db["tls"] = True
            else:
                db.pop("tls", None)
        elif field == "host":
            db["host"] = self.text(
                "Database server host (host name or IP address):",
                default=str(db.get("host", "")),
                validate=_checker(check_host),
            )
        elif field == "port":
            default_port = engine.default_port if engine else 0
            value = int(
                self.text(
                    "Database server port:",
                    default=str(db.get("port", default_port)),
                    validate=_int_checker(1, 65535, "a TCP port"),
                )
            )
            # The engine's port stays implicit, so answers (and topology.toml) stay minimal.
            if value != default_port or "port" in db:
                db["port"] = value
        elif field == "url_options":
            default = db.get("url_options", engine.default_url_options if engine else "")
            value = self.text(
                "JDBC URL options (key=value pairs as the driver reads them):",
                default=str(default),
                validate=_optional(_checker(check_url_options)),
            )
            if engine is not None and value == engine.default_url_options:
                db.pop("url_options", None)
            else:
                db["url_options"] = value
        elif field == "layout":
            self.ask_layout()

    def fit_engine(self, db: dict[str, Any]) -> None:
        """After the engine changed: a JDBC driver chosen for MariaDB is put aside on an
        engine that offers no choice (the model would refuse it), and comes back with one
        that does."""
        from wizard.catalog import ENGINES

        engine = ENGINES.get(str(db.get("engine")))
        if engine is not None and engine.jdbc_drivers:
            if "jdbc_driver" not in db and (driver := self.take_back(db, "jdbc_driver")):
                db["jdbc_driver"] = driver
        else:
            self.put_aside(db, "jdbc_driver")

    def ask_jdbc_driver(self, db: dict[str, Any]) -> None:
        """Ask the driver where the engine offers a choice (MariaDB); elsewhere only a
        hand-edited answers file gives one, and removing it is offered."""
        from wizard.catalog import ENGINES

        engine = ENGINES.get(str(db.get("engine")))
        if engine is None or not engine.jdbc_drivers:
            if "jdbc_driver" in db:
                label = engine.label if engine is not None else "This engine"
                if self.confirm(f"{label} has one JDBC driver; remove jdbc_driver?", True):
                    db.pop("jdbc_driver")
            return
        offered = engine.jdbc_drivers
        choice = self.select(
            f"JDBC driver the nodes reach {engine.label} through:",
            [Choice(f"{name}: {means}", key) for key, name, means in _JDBC_DRIVERS],
            default=db.get("jdbc_driver") or offered[0],
        )
        # The default driver is left out, as the full-screen wizard leaves it out.
        if choice == offered[0]:
            db.pop("jdbc_driver", None)
        else:
            db["jdbc_driver"] = choice

    def ask_spec(self, path: str, label: str, name: str, user: str) -> None:
        spec = self.get(path)
        if not isinstance(spec, dict):
            spec = {}
            self.put(path, spec)
        spec["name"] = self.text(f"{label}: database name:", default=str(spec.get("name", name)))
        spec["user"] = self.text(f"{label}: user:", default=str(spec.get("user", user)))
        self.ask_password(path)

    def ask_password(self, spec_path: str) -> None:
        from wizard import answers as answers_mod
        from wizard.fields import check_env_name, check_password

        spec = self.get(spec_path)
        if not isinstance(spec, dict):
            spec = {}
            self.put(spec_path, spec)
        if "bind_dn" in spec:  # an LDAP server's table (the products step asks it)
            who = f"{spec['bind_dn']} (the LDAP bind DN)"
        else:
            who = f"{spec.get('user', '?')} ({spec.get('name', spec_path)})"
        choices = []
        if "password" in spec:
            choices.append(Choice("Keep the password typed earlier", "keep"))
        elif spec.get("password_env"):
            choices.append(Choice(f"Keep reading it from ${spec['password_env']}", "keep"))
        choices += [
            Choice("Type the password", "type"),
            Choice("Read it from an environment variable when the tree is written", "env"),
        ]
        how = self.select(f"Password of {who}:", choices)
        if how == "type":
            while True:
                first = self.secret(f"Password of {who}:", validate=_checker(check_password))
                again = self.secret("The same password again:")
                if first == again:
                    break
                self.say("The two passwords differ; type them again.")
            spec["password"] = first
            spec.pop("password_env", None)
        elif how == "env":
            spec["password_env"] = self.text(
                "Environment variable that will hold it:",
                default=str(spec.get("password_env") or answers_mod.password_env_name(spec_path)),
                validate=_checker(check_env_name),
            )
            spec.pop("password", None)

    # ---- layout -----------------------------------------------------------------------

    def step_layout(self) -> str:
        self.header("layout")
        created = self.ask_layout()
        while True:
            left = self.settle("layout", also=created)
            self.show_layout()
            db = self.answers.get("database") or {}
            actions = [
                Choice("Change the layout", "layout"),
                Choice("Change a product's config partition", "target"),
            ]
            if db.get("layout") == "split":
                actions.append(Choice("Give a product its own config database", "own"))
                if any(p.get("config_database") is not None for p in self.products()):
                    actions.append(Choice("Let a product use [database.config] again", "common"))
            action = self.menu("Registry layout", actions)
            if action == _CONTINUE:
                if not left and not steps.problems_for_step(self.answers, "layout"):
                    return "preview"
                self.say("Fix the problems above first.")
            elif action == "layout":
                created = self.ask_layout()
            elif action == "target":
                self.ask_config_target(self.pick_product("Which product?"))
            elif action == "own":
                pi = self.pick_product("Which product?")
                created = [self.add_config_database(pi)]
            elif action == "common":
                pi = self.pick_product("Which product?")
                self.answers["products"][pi].pop("config_database", None)
                if not isinstance(db.get("config"), dict):
                    self.ask_spec("database.config", *self.role_defaults("config"))
                    created = ["database.config"]

    def ask_layout(self) -> list[str]:
        """Ask shared or split; returns the database paths that switching created."""
        db = self.answers.setdefault("database", {})
        current = db.get("layout", "shared")
        chosen = self.select(
            "Registry layout:",
            [
                Choice("shared: config and governance registry in one database", "shared"),
                Choice("split: config and governance registry in two databases", "split"),
            ],
            default=current,
        )
        if chosen == current:
            return []
        db["layout"] = chosen
        created = []
        if chosen == "split":
            registry = db.pop("registry", None)
            base = registry if isinstance(registry, dict) else {}
            for role in ("config", "governance"):
                if not isinstance(db.get(role), dict):
                    label, name, _user = self.role_defaults(role)
                    db[role] = {k: v for k, v in base.items() if k != "name"}
                    self.ask_spec(f"database.{role}", label, name, base.get("user", _user))
                    created.append(f"database.{role}")
        else:
            config = db.pop("config", None)
            db.pop("governance", None)
            for product in self.products():
                if product.pop("config_database", None) is not None:
                    self.say(
                        f"{self.product_label(product)} now keeps its config in the registry "
                        "database"
                    )
            if not isinstance(db.get("registry"), dict):
                label, name, user = self.role_defaults("registry")
                base = config if isinstance(config, dict) else {}
                db["registry"] = {k: v for k, v in base.items() if k != "name"}
                self.ask_spec("database.registry", label, name, base.get("user", user))
                created.append("database.registry")
        return created

    def add_config_database(self, pi: int) -> str:
        path = f"products[{pi}].config_database"
        slot = database_slots.config_database_slot(self.answers["products"][pi], pi)
        self.ask_spec(path, slot.label, slot.name, slot.user)
        return path

    def ask_config_target(self, pi: int) -> None:
        from wizard.catalog import default_config_target
        from wizard.fields import check_registry_path

        product = self.answers["products"][pi]
        default = default_config_target(str(product.get("id")), product.get("profile"))
        value = self.text(
            f"Config partition of {self.product_label(product)} (mounted at /_system/config):",
            default=str(product.get("config_target", default)),
            validate=_checker(check_registry_path),
        )
        if value == default and "config_target" not in product:
            return
        product["config_target"] = value

    def show_layout(self) -> None:
        from wizard.catalog import default_config_target

        db = self.answers.get("database") or {}
        layout = db.get("layout", "shared")
        if layout == "shared":
            self.say(
                "shared: config and governance registry both in "
                + self.spec_summary("database.registry")
            )
        else:
            self.say("split: governance registry in " + self.spec_summary("database.governance"))
        for pi, product in enumerate(self.products()):
            target = product.get("config_target") or default_config_target(
                str(product.get("id")), product.get("profile")
            )
            if layout == "split" and isinstance(product.get("config_database"), dict):
                where = self.spec_summary(f"products[{pi}].config_database")
            elif layout == "split":
                where = self.spec_summary("database.config")
            else:
                where = "the registry database"
            self.say(f"  {self.product_label(product)}: config partition {target} in {where}")

    # ---- asking one field again ---------------------------------------------------------

    def reask(self, problem: Problem) -> bool:
        """Ask the question that changes the field `problem` names; False when none can."""
        path = problem.path
        parts = split_path(path)
        if problem.message.startswith("unknown key"):
            if self.confirm(f"Remove {path} from the answers?", default=True):
                self.drop(path)
                return True
            return False
        if not parts:
            return False
        head = parts[0]
        if head == "name":
            from wizard.fields import check_node_id

            self.answers["name"] = self.text(
                "Name of this plan:",
                default=str(self.answers.get("name", "")),
                validate=_checker(check_node_id),
            )
            if self.session is not None:
                self.session.name = self.answers["name"]
            return True
        if head == "description":
            self.answers["description"] = self.text(
                "Description:", default=str(self.answers.get("description", ""))
            )
            return True
        if head == "schema_version":
            self.answers["schema_version"] = 1
            return True
        if head == "cluster":
            if len(parts) > 1 and isinstance(parts[1], str):
                self.ask_cluster_field(parts[1])
                return True
            return False
        if head == "database":
            return self.reask_database(parts)
        if head == "products":
            return self.reask_product(parts)
        return False

    def reask_database(self, parts: list[str | int]) -> bool:
        if len(parts) == 1:
            for field in ("engine", "host", "port"):
                self.ask_database_field(field)
            return True
        field = parts[1]
        if field in ("engine", "jdbc_driver", "host", "port", "url_options", "tls"):
            self.ask_database_field(str(field))
            return True
        if field == "layout":
            self.ask_layout()
            return True
        if field in (*_REGISTRY_ROLES, "user_management"):
            path = f"database.{field}"
            return self.reask_spec(path, parts[2:], self.role_defaults(str(field)))
        return False

    def reask_product(self, parts: list[str | int]) -> bool:
        if len(parts) == 1:
            self.add_product()
            return True
        pi = parts[1]
        if not isinstance(pi, int) or pi >= len(self.products()):
            return False
        base = f"products[{pi}]"
        rest = parts[2:]
        if not rest or rest[0] == "id":
            choice = self.select(
                f"{self.product_label(self.products()[pi])}:",
                [Choice("Change the product", "change"), Choice("Remove it", "remove")],
            )
            if choice == "remove":
                self.answers["products"].pop(pi)
            else:
                self.ask_product_field(f"{base}.id")
            return True
        field = rest[0]
        if field in ("version", "profile", "distribution"):
            self.ask_product_field(f"{base}.{field}")
            return True
        if field == "load_balancer":
            self.ask_load_balancer(pi)
            return True
        if field == "user_store":
            return self.ask_user_store(pi)
        if field == "ldap":
            return self.reask_ldap(pi, rest[1:])
        if field == "nodes":
            if len(rest) == 1:
                self.add_nodes(pi)
                return True
            ni = rest[1]
            if not isinstance(ni, int):
                return False
            node_field = str(rest[2]) if len(rest) > 2 else "host"
            if node_field not in ("id", "host", "offset", "member_port"):
                return False
            self.ask_node_field(pi, ni, node_field)
            return True
        if field == "config_target":
            self.ask_config_target(pi)
            return True
        if field == "config_database":
            path = f"{base}.config_database"
            if len(rest) == 1:
                db = self.answers.get("database") or {}
                keep = db.get("layout") == "split" and self.confirm(
                    "Keep this product's own config database?", default=True
                )
                if not keep:
                    self.answers["products"][pi].pop("config_database", None)
                    return True
            spec = next((s for s in self.needed_specs() if s[0] == path), None)
            defaults = spec[1:] if spec else ("config database", "WSO2_CONFIG_DB", "wso2config")
            return self.reask_spec(path, rest[1:], defaults)
        if field == "databases" and len(rest) > 1:
            path = f"{base}.databases.{rest[1]}"
            spec = next((s for s in self.needed_specs() if s[0] == path), None)
            if spec is None:
                if self.confirm(f"{path} is not a database of this product; remove it?", True):
                    self.drop(path)
                    return True
                return False
            return self.reask_spec(path, rest[2:], spec[1:])
        return False

    def reask_ldap(self, pi: int, rest: list[str | int]) -> bool:
        product = self.products()[pi]
        if not rest:
            # The table is missing or unreadable (user_store = "ldap"), or there without
            # ldap chosen: choosing the store again puts it aside.
            if product.get("user_store") == "ldap":
                self.ask_ldap(pi)
                return True
            return self.ask_user_store(pi)
        key = rest[0]
        if key in ("password", "password_env"):
            self.ask_password(f"products[{pi}].ldap")
            return True
        if key in dict(_LDAP_QUESTIONS):
            self.ask_ldap_field(pi, str(key))
            return True
        return False

    def reask_spec(self, path: str, rest: list[str | int], defaults: Sequence[str]) -> bool:
        label, name, user = defaults[0], defaults[1], defaults[2]
        spec = self.get(path)
        if not rest or not isinstance(spec, dict):
            db = self.answers.get("database") or {}
            role = path.removeprefix("database.")
            needed = {p for p, *_ in self.needed_specs()}
            if path not in needed and role in _REGISTRY_ROLES:
                layout = db.get("layout", "shared")
                if self.confirm(
                    f"[{path}] is not used with layout '{layout}'; remove it?", default=True
                ):
                    self.drop(path)
                    return True
                return False
            self.ask_spec(path, label, name, user)
            return True
        field = rest[0]
        if field in ("password", "password_env"):
            self.ask_password(path)
        elif field in ("name", "user"):
            spec[field] = self.text(
                f"{label}: {'database name' if field == 'name' else 'user'}:",
                default=str(spec.get(field, name if field == "name" else user)),
            )
        elif field == "host":
            from wizard.fields import check_host

            value = self.text(
                f"{label}: server host (empty: the [database] host):",
                default=str(spec.get("host", "")),
                validate=_optional(_checker(check_host)),
            )
            if value:
                spec["host"] = value
            else:
                spec.pop("host", None)
        elif field == "port":
            value = self.text(
                f"{label}: server port (empty: the [database] port):",
                default=str(spec.get("port", "")),
                validate=_optional(_int_checker(1, 65535, "a TCP port")),
            )
            if value:
                spec["port"] = int(value)
            else:
                spec.pop("port", None)
        else:
            self.ask_spec(path, label, name, user)
        return True

    # ---- preview and write --------------------------------------------------------------

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

    def topology_and_plan(self) -> tuple[str | None, Plan | None]:
        """The plan of complete answers, or the step to go to when they are not complete."""
        from wizard import answers as answers_mod
        from wizard import plan as plan_mod
        from wizard.problems import AnswersError

        grouped = steps.problems_by_step(self.answers)
        if grouped:
            self.say("The answers are not complete yet:")
            return self.route(grouped), None
        try:
            topology = answers_mod.parse(copy.deepcopy(self.answers))
            return None, plan_mod.build(topology, self.env)
        except AnswersError as exc:
            return self.route(_group(exc.problems)), None

    def step_preview(self) -> str:
        from wizard.problems import AnswersError

        self.header("preview")
        goto, plan = self.topology_and_plan()
        if plan is None:
            return goto or "products"
        from wizard import picture, rules, tree

        self.say(picture.render(plan))
        try:
            # One rendering for the checks and, when asked for, the diffs.
            reviewed = tree.Review(plan)
            findings = rules.check_files(reviewed.tree.files)
        except AnswersError as exc:
            return self.route(_group(exc.problems))
        else:
            if findings:
                self.say(f"The rule checks found {len(findings)} problem(s):")
                for finding in findings:
                    self.say(f"  ✗ {finding}")
            else:
                self.say("Rule checks: no findings.")
        for note in plan.notes:
            self.say(f"note: {note}")
        for db in plan.missing_passwords:
            self.say(
                f"note: ${db.password_env} (password of {db.user}) is not set; you will be "
                "asked for it before writing"
            )
        choices = [
            Choice("Write the tree", "write"),
            Choice("Show the changes to each stock file (diffs)", "diffs"),
            Choice("Save these answers as a preset", "save-preset"),
        ] + [Choice(f"Go back to {s.title}", s.id) for s in STEPS[1:5]]
        while True:
            picked = str(self.select("Next:", choices, default="write"))
            if picked == "diffs":
                for diff in reviewed.diffs():
                    self.say(diff.diff or f"nodes/{diff.node}/{diff.path}: no change")
            elif picked == "save-preset":
                self.save_as_preset(plan.topology)
            else:
                return picked

    def save_as_preset(self, topology: Any) -> None:
        from wizard import locations, presets
        from wizard.fields import check_node_id
        from wizard.problems import AnswersError

        name = self.text(
            "Preset name:", default=str(topology.name), validate=_checker(check_node_id)
        )
        directory = locations.user_presets_dir(self.env)
        try:
            path = presets.save_preset(topology, name, directory)
        except AnswersError:
            if not self.confirm(f"A preset {name} exists already. Replace it?", default=False):
                return
            path = presets.save_preset(topology, name, directory, force=True)
        self.say(f"Saved preset {name} to {path} (no passwords; hosts and users to confirm).")

    def confirm_site_answers(self) -> bool:
        """Ask about every site-specific answer a preset marked; False when the operator
        changed one (the plan is then shown again before writing)."""
        pending = steps.pending_confirmations(self.answers)
        if not pending:
            return True
        self.say("These answers came from the preset and are site-specific:")
        changed = False
        for problem in steps.confirmation_problems(self.answers):
            value = steps.lookup(self.answers, problem.path)
            if self.confirm(f"Keep {problem.path} = {value!r} for this site?", default=True):
                steps.confirm(self.answers, problem.path)
            else:
                self.reask(problem)
                steps.confirm(self.answers, problem.path)
                changed = True
        self.save()
        return not changed

    def step_write(self) -> str | None:
        from wizard import tree
        from wizard.output import write_tree
        from wizard.problems import AnswersError

        self.header("write")
        if not self.confirm_site_answers():
            return "preview"
        goto, plan = self.topology_and_plan()
        if plan is None:
            return goto or "products"
        if plan.missing_passwords:
            for db in plan.missing_passwords:
                assert db.password_env is not None
                self.env[db.password_env] = self.secret(
                    f"${db.password_env} is not set; password of {db.user} on "
                    f"{db.host}:{db.port} (used for this run only):"
                )
            goto, plan = self.topology_and_plan()
            if plan is None:
                return goto or "products"
        try:
            built = tree.build(plan)
        except AnswersError as exc:
            return self.route(_group(exc.problems))
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
        result = write_tree(built, out, force=force)
        self.say(f"Wrote {result.files} files to {result.path}.")
        if result.backup:
            self.say(f"The previous contents are kept in {result.backup}.")
        try:
            self.say(tree.next_steps(built))
        except Exception:  # the summary is a courtesy; the README holds the same steps
            self.say(f"Next: read {result.path / 'README.md'}.")
        assert self.session is not None
        self.session.step = "write"
        self.save()
        self.say(
            f"Session {self.session.id} is kept; `carbon-wizard resume {self.session.id}`"
            " reopens this plan."
        )
        return None


def _databases_of(path: str) -> str:
    """`products[0].databases.ACTIVITI_DB` -> `products[0].databases`."""
    return path.rsplit(".", 1)[0]


def _group(problems: Sequence[Problem]) -> dict[str, list[Problem]]:
    grouped: dict[str, list[Problem]] = {}
    for p in problems:
        grouped.setdefault(step_for_path(p.path), []).append(p)
    order = {s.id: i for i, s in enumerate(STEPS)}
    return dict(sorted(grouped.items(), key=lambda item: order[item[0]]))
