"""The wizard's state: one answers dict (the shape of an answers TOML), as typed.

The screens write every keystroke here and read problems back from `wizard.steps`; the
answers are validated, never replaced, so nothing typed is lost. Answers a change makes
inapplicable (the registry database after switching to the split layout) are put aside and
come back when the change is undone.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from wizard import sessions, steps
from wizard.problems import Problem
from wizard.steps import STEP_IDS, split_path

if TYPE_CHECKING:
    # The database steps' slots: imported where used, not before the first screen.
    from wizard.database_slots import DatabaseSlot

T = TypeVar("T")

FORM_STEPS = ("start", "products", "nodes", "database", "layout")


@dataclass
class WizardState:
    sessions_dir: Path
    preset_dirs: list[Path]
    env: dict[str, str]
    """The environment for password_env, plus passwords typed for unset variables."""
    cwd: Path
    answers: dict[str, Any] = field(default_factory=lambda: {"schema_version": 1})
    origin: str = "new"
    """new | preset:<name> | session:<id>."""
    keep_passwords: bool = False
    session: sessions.Session | None = None
    lock: sessions.SessionLock | None = None
    visited: set[str] = field(default_factory=set)
    attempted: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)
    stash: dict[str, Any] = field(default_factory=dict)
    written: Path | None = None
    note: str = ""
    """Said on the start step once: why a session or preset asked for could not be opened."""
    out_dir: str = ""
    changed_since_write: bool = False
    _detected: dict[tuple[str, float | None], Any] = field(default_factory=dict, repr=False)
    _checked: tuple[str, dict[str, Any]] = field(default_factory=lambda: ("", {}), repr=False)
    """The answers last checked (their repr), and what was found for them, by step."""

    # ---- answers by path ----------------------------------------------------------------

    def get(self, path: str, default: Any = None) -> Any:
        return steps.lookup(self.answers, path, default)

    def put(self, path: str, value: Any) -> None:
        """Set `path`; None removes it. Missing tables on the way are created."""
        parts = split_path(path)
        node: Any = self.answers
        for part, after in itertools.pairwise(parts):
            if isinstance(part, str) and not isinstance(node.get(part), dict | list):
                if value is None:
                    return
                node[part] = [] if isinstance(after, int) else {}
            node = node[part]
        last = parts[-1]
        if value is None:
            if isinstance(node, dict):
                node.pop(last, None)
        else:
            node[last] = value
        self.changed_since_write = True

    def set_answer(self, path: str, value: Any) -> bool:
        """Store a typed value; False when it is what the answers already hold."""
        if self.get(path) == value:
            return False
        self.put(path, value)
        self.touched.add(path)
        # Changing a site-specific answer from a preset settles it as confirming would.
        steps.confirm(self.answers, path)
        return True

    def products(self) -> list[dict[str, Any]]:
        found = self.answers.get("products")
        return [p for p in found if isinstance(p, dict)] if isinstance(found, list) else []

    def product_list(self) -> list[Any]:
        if not isinstance(self.answers.get("products"), list):
            self.answers["products"] = []
        return self.answers["products"]  # type: ignore[no-any-return]

    def database(self) -> dict[str, Any]:
        if not isinstance(self.answers.get("database"), dict):
            self.answers["database"] = {}
        return self.answers["database"]  # type: ignore[no-any-return]

    def load(self, answers: dict[str, Any], origin: str) -> None:
        """Start over from other answers (a preset or a session)."""
        self.answers = answers
        self.origin = origin
        self.visited = {"start"}
        self.attempted.clear()
        self.touched.clear()
        self.stash.clear()
        self.written = None
        self.changed_since_write = False

    # ---- problems and step states -------------------------------------------------------

    def problems(self, step_id: str) -> list[Problem]:
        if step_id in ("preview", "write"):
            by_step = self._once("*", lambda: steps.problems_by_step(self.answers))
            return [p for ps in by_step.values() for p in ps] + self.distribution_problems()
        found = list(self._once(step_id, lambda: steps.problems_for_step(self.answers, step_id)))
        if step_id == "products":
            found += self.distribution_problems()
        return found

    def _once(self, what: str, check: Callable[[], T]) -> T:
        """`check()`, run once per state of the answers.

        A key press asks for a step's problems up to four times (its fields, the sidebar's
        step states, the note), and each check validates every node: ~10 ms at 500 nodes.
        The answers are changed in place, so their repr is the key.
        """
        key = repr(self.answers)
        if key != self._checked[0]:
            self._checked = (key, {})
        found = self._checked[1]
        if what not in found:
            found[what] = check()
        return found[what]  # type: ignore[no-any-return]

    def distribution_problems(self) -> list[Problem]:
        """A distribution that cannot be read, or that is another product or version."""
        from wizard.catalog import PRODUCTS

        out = []
        for pi, product in enumerate(self.products()):
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

    def detect(self, where: str) -> Any:
        """What `wizard.distribution.detect` says of `where`, or the reason it cannot."""
        import os

        from wizard.distribution import DistributionError, detect

        try:
            stamp = os.stat(os.path.expanduser(where)).st_mtime
        except OSError:
            stamp = None
        key = (where, stamp)
        if key not in self._detected:
            try:
                self._detected[key] = detect(where)
            except (DistributionError, OSError) as exc:
                self._detected[key] = str(exc)
        return self._detected[key]

    def state_of(self, step_id: str, current: str = "") -> str:
        if step_id == "write":
            return "done" if self.written and not self.changed_since_write else "todo"
        if step_id not in self.visited:
            return "todo"
        if self.problems(step_id):
            # The step being filled in is not yet wrong, unless Next was refused.
            quiet = step_id == current and step_id not in self.attempted
            return "todo" if quiet else "attention"
        return "done"

    def states(self, current: str = "") -> dict[str, str]:
        return {s: self.state_of(s, current) for s in STEP_IDS}

    # ---- databases the answers need -----------------------------------------------------

    def spec_slots(self, roles_only: bool = False) -> list[DatabaseSlot]:
        from wizard import database_slots

        return database_slots.needed(self.answers, roles_only)

    def config_database_slot(self, pi: int) -> DatabaseSlot:
        from wizard import database_slots

        return database_slots.config_database_slot(self.products()[pi], pi)

    def ensure_specs(self, slots: Sequence[DatabaseSlot]) -> None:
        """Give every needed database a table with the suggested name and user.

        An optional database (ACTIVITI_DB) is offered shared only to a product none of whose
        databases are in the answers yet: once the others are there, its absence means it
        was left on each node (by the choice, a preset or a session), and a later step must
        not undo that."""
        started = {
            slot.path for slot in slots if slot.optional and self.get(_databases_of(slot.path))
        }
        for slot in slots:
            held = self.get(slot.path)
            if isinstance(held, dict) or (held is None and slot.path in started):
                continue
            restored = self.stash.pop(slot.path, None)
            self.put(slot.path, restored or {"name": slot.name, "user": slot.user})

    def is_shared(self, slot: DatabaseSlot) -> bool:
        """Whether an optional database is one every node reaches: it is in the answers.
        Anything there counts, so that the model's word on a bad table shows at its fields."""
        return self.get(slot.path) is not None

    def share_database(self, slot: DatabaseSlot, shared: bool) -> bool:
        """Share an optional database, or leave it on each node's own H2; False when it
        already is. What was given for it is put aside, and comes back when shared again."""
        if self.is_shared(slot) == shared:
            return False
        if shared:
            restored = self.stash.pop(slot.path, None)
            self.put(slot.path, restored or {"name": slot.name, "user": slot.user})
        else:
            self.stash[slot.path] = self.get(slot.path)
            self.put(slot.path, None)
        self.touched.add(slot.path)
        return True

    def drop_unneeded_product_databases(self) -> None:
        """Product databases of a product that changed (e.g. EI profile) go to the stash."""
        from wizard.catalog import PRODUCTS

        for pi, product in enumerate(self.products()):
            dbs = product.get("databases")
            known = PRODUCTS.get(str(product.get("id")))
            if not isinstance(dbs, dict) or known is None:
                continue
            profile = known.profiles.get(product.get("profile") or known.default_profile)
            wanted = {d.key for d in profile.databases} if profile else set()
            for key in [k for k in dbs if k not in wanted]:
                self.stash[f"products[{pi}].databases.{key}"] = dbs.pop(key)
            if not dbs:
                product.pop("databases", None)

    def fit_engine(self) -> None:
        """After the engine changed: put aside the JDBC driver chosen for an engine that
        offers a choice (MariaDB) when the new one does not, where the model would refuse
        it, and bring it back when an engine offering the choice is chosen again."""
        from wizard.catalog import ENGINES

        db = self.database()
        engine = ENGINES.get(str(db.get("engine")))
        path = "database.jdbc_driver"
        if engine is not None and engine.jdbc_drivers:
            if "jdbc_driver" not in db and path in self.stash:
                db["jdbc_driver"] = self.stash.pop(path)
        elif "jdbc_driver" in db:
            self.stash[path] = db.pop("jdbc_driver")

    def set_layout(self, layout: str) -> None:
        from wizard import database_slots

        db = self.database()
        if db.get("layout", "shared") == layout:
            return
        if layout == "split":
            db["layout"] = "split"
            registry = db.pop("registry", None)
            if isinstance(registry, dict):
                self.stash["database.registry"] = registry
            for role in ("config", "governance"):
                if not isinstance(db.get(role), dict):
                    restored = self.stash.pop(f"database.{role}", None)
                    if restored is None and isinstance(registry, dict):
                        name = database_slots.role_slot(role).name
                        restored = {**copy.deepcopy(registry), "name": name}
                    if restored is not None:
                        db[role] = restored
        else:
            db.pop("layout", None)
            for role in ("config", "governance"):
                if isinstance(db.get(role), dict):
                    self.stash[f"database.{role}"] = db.pop(role)
            for pi, product in enumerate(self.products()):
                own = product.pop("config_database", None)
                if isinstance(own, dict):
                    self.stash[f"products[{pi}].config_database"] = own
            if not isinstance(db.get("registry"), dict):
                restored = self.stash.pop("database.registry", None)
                if restored is None and isinstance(self.stash.get("database.config"), dict):
                    name = database_slots.role_slot("registry").name
                    restored = {**copy.deepcopy(self.stash["database.config"]), "name": name}
                if restored is not None:
                    db["registry"] = restored
        self.changed_since_write = True

    def set_own_config_database(self, pi: int, own: bool) -> None:
        product = self.products()[pi]
        path = f"products[{pi}].config_database"
        if own and not isinstance(product.get("config_database"), dict):
            slot = self.config_database_slot(pi)
            product["config_database"] = self.stash.pop(path, None) or {
                "name": slot.name,
                "user": slot.user,
            }
        elif not own and isinstance(product.get("config_database"), dict):
            self.stash[path] = product.pop("config_database")
        self.changed_since_write = True

    # ---- products and nodes -------------------------------------------------------------

    def add_product(self, product_id: str) -> int:
        from wizard.catalog import PRODUCTS

        known = PRODUCTS[product_id]
        self.product_list().append({"id": product_id, "version": list(known.versions)[-1]})
        self.changed_since_write = True
        return len(self.product_list()) - 1

    def set_user_store(self, pi: int, store: str) -> bool:
        """Choose the primary user store of the product at `pi`; False when it already is.

        jdbc, the default, is left out of the answers. The LDAP server's answers are put
        aside while another store is chosen, and come back when ldap is chosen again.
        """
        product = self.products()[pi]
        path = f"products[{pi}]"
        if (product.get("user_store") or "jdbc") == store:
            return False
        if store == "jdbc":
            product.pop("user_store", None)
        else:
            product["user_store"] = store
        if store == "ldap":
            if not isinstance(product.get("ldap"), dict):
                # An empty table: each missing answer is then said at its own field.
                product["ldap"] = self.stash.pop(f"{path}.ldap", None) or {}
        elif isinstance(product.get("ldap"), dict):
            self.stash[f"{path}.ldap"] = product.pop("ldap")
        self.touched.add(f"{path}.user_store")
        steps.confirm(self.answers, f"{path}.user_store")
        self.changed_since_write = True
        return True

    def remove_product(self, pi: int) -> None:
        del self.product_list()[pi]
        # Stashed answers are kept by position; positions after the removed one shift.
        self.stash = {k: v for k, v in self.stash.items() if not k.startswith("products[")}
        self.changed_since_write = True

    def node_key(self, pi: int) -> str:
        from wizard.catalog import PRODUCTS

        product = self.products()[pi]
        key = str(product.get("id", "node"))
        known = PRODUCTS.get(key)
        if product.get("profile") and known and product["profile"] != known.default_profile:
            key = f"{key}-{product['profile']}"
        return key

    def used_node_ids(self) -> set[str]:
        return {
            str(n.get("id"))
            for p in self.products()
            for n in p.get("nodes") or []
            if isinstance(n, dict)
        }

    def add_nodes(self, pi: int, hosts: Sequence[str], prefix: str) -> list[str]:
        product = self.products()[pi]
        if not isinstance(product.get("nodes"), list):
            product["nodes"] = []
        used = self.used_node_ids()
        number = 1
        added = []
        for host in hosts:
            while f"{prefix}-{number}" in used:
                number += 1
            node: dict[str, Any] = {"id": f"{prefix}-{number}", "host": host}
            offset = self.free_offset(host) if host else 0
            if offset:
                node["offset"] = offset
            product["nodes"].append(node)
            used.add(node["id"])
            added.append(node["id"])
        self.changed_since_write = True
        return added

    def remove_node(self, pi: int, ni: int) -> None:
        del self.products()[pi]["nodes"][ni]
        self.changed_since_write = True

    def free_offset(self, host: str) -> int:
        return steps.free_offset(self.answers, host)

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
        index = STEP_IDS.index(session.step)
        self.visited = set(STEP_IDS[: index + 1]) - {"write"}
        return session.step if session.step != "start" else "products"

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def preset_data(self, path: Path) -> dict[str, Any]:
        import tomllib

        return tomllib.loads(path.read_text(encoding="utf-8"))

    def start_from_preset(self, name: str) -> str | None:
        """Load preset `name` as the answers; the reason when it cannot be read."""
        from wizard import presets

        try:
            data = self.preset_data(presets.find(name, self.preset_dirs))
        except Exception as exc:  # unknown name, unreadable file, bad TOML: say so
            return f"preset {name}: {exc}"
        self.load(data, f"preset:{name}")
        return None

    def pending(self) -> list[str]:
        """Site-specific answers from a preset still to be confirmed or changed."""
        return steps.pending_confirmations(self.answers)

    def confirm(self, paths: Sequence[str]) -> None:
        for path in paths:
            steps.confirm(self.answers, path)
        self.changed_since_write = True

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


def _databases_of(path: str) -> str:
    """`products[0].databases.ACTIVITI_DB` -> `products[0].databases`."""
    return path.rsplit(".", 1)[0]


def messages_for(paths: Sequence[str], problems: Sequence[Problem]) -> list[Problem]:
    return [p for p in problems if any(under(p.path, f) for f in paths)]


def under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")
