"""The answers being edited: one model for the full-screen app and the prompt mode.

The answers are a dict in the shape of an answers TOML, as typed: they are validated (by
`wizard.steps`), never replaced, so nothing typed is lost. Every change goes through a
method here, which counts it in `revision`: a front end that caches what it found for the
answers keys the cache by the revision.

Answers a change makes inapplicable (the registry database after switching to the split
layout, the LDAP server after choosing jdbc, the JDBC driver after leaving MariaDB) are
put aside in `stash`, by path, and come back when the change is undone.

No UI is imported here, and the heavy core (pydantic, the catalog's consumers) loads only
where a method needs it, so a front end's first screen pays for none of it.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wizard import steps
from wizard.steps import split_path

if TYPE_CHECKING:
    from wizard.database_slots import DatabaseSlot


@dataclass(kw_only=True)
class Draft:
    answers: dict[str, Any] = field(default_factory=lambda: {"schema_version": 1})
    stash: dict[str, Any] = field(default_factory=dict)
    """Answers put aside by a change that made them inapplicable, by path."""
    touched: set[str] = field(default_factory=set)
    """Paths the operator has given an answer for in this run."""
    revision: int = 0
    """Counts the changes: equal revisions mean equal answers."""

    # ---- answers by path ----------------------------------------------------------------

    def get(self, path: str, default: Any = None) -> Any:
        return steps.lookup(self.answers, path, default)

    def changed(self) -> None:
        """Count a change made to the answers in place."""
        self.revision += 1

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
            elif isinstance(node, list) and isinstance(last, int) and last < len(node):
                del node[last]
        else:
            node[last] = value
        self.changed()

    def give(self, path: str, value: Any) -> None:
        """Store a value the operator gave (None: left out). Given, even unchanged, it is
        theirs: a preset's mark on it is settled."""
        self.put(path, value)
        self.touched.add(path)
        steps.confirm(self.answers, path)

    def set_answer(self, path: str, value: Any) -> bool:
        """`give`, unless it is what the answers already hold (then False)."""
        if self.get(path) == value:
            return False
        self.give(path, value)
        return True

    def put_aside(self, path: str) -> None:
        """Move the answer at `path` (if any) to the stash."""
        held = self.get(path)
        if held is not None:
            self.stash[path] = held
            self.put(path, None)

    def take_back(self, path: str) -> Any:
        """The answer put aside at `path` (removed from the stash), or None."""
        return self.stash.pop(path, None)

    def bring_back(self, path: str, new: Any) -> bool:
        """Put at `path` what was put aside there, or else `new`; True when it is `new`."""
        restored = self.take_back(path)
        self.put(path, restored or new)
        return not restored

    def load(self, answers: dict[str, Any]) -> None:
        """Start over from other answers (a preset or a session)."""
        self.answers = answers
        self.stash.clear()
        self.touched.clear()
        self.changed()

    def products(self) -> list[dict[str, Any]]:
        found = self.answers.get("products")
        return [p for p in found if isinstance(p, dict)] if isinstance(found, list) else []

    def product_list(self) -> list[Any]:
        if not isinstance(self.answers.get("products"), list):
            self.answers["products"] = []
            self.changed()
        products: list[Any] = self.answers["products"]
        return products

    def database(self) -> dict[str, Any]:
        if not isinstance(self.answers.get("database"), dict):
            self.answers["database"] = {}
            self.changed()
        database: dict[str, Any] = self.answers["database"]
        return database

    def normalize(self) -> list[str]:
        """Drop list entries that are not tables (only a hand-edited file has them), so that
        product and node numbers mean the same in every question; says what was dropped."""
        notes: list[str] = []
        products = self.answers.get("products")
        if not isinstance(products, list):
            return notes
        for i, product in reversed(list(enumerate(products))):
            if not isinstance(product, dict):
                notes.append(f"products[{i}] is not a table ({product!r}); left out")
                del products[i]
                continue
            nodes = product.get("nodes")
            if isinstance(nodes, list):
                for j, node in reversed(list(enumerate(nodes))):
                    if not isinstance(node, dict):
                        notes.append(f"products[{i}].nodes[{j}] is not a table; left out")
                        del nodes[j]
        if notes:
            self.changed()
        return notes

    # ---- answers a preset marks as site-specific ----------------------------------------

    def pending(self) -> list[str]:
        """Site-specific answers from a preset still to be confirmed or changed."""
        return steps.pending_confirmations(self.answers)

    def confirm(self, paths: Sequence[str]) -> None:
        for path in paths:
            steps.confirm(self.answers, path)
        self.changed()

    # ---- products -----------------------------------------------------------------------

    def add_product(self, product_id: str) -> int:
        """Add a product at its newest version; its index."""
        from wizard.catalog import PRODUCTS

        known = PRODUCTS[product_id]
        self.product_list().append({"id": product_id, "version": list(known.versions)[-1]})
        self.changed()
        return len(self.product_list()) - 1

    def remove_product(self, pi: int) -> dict[str, Any]:
        removed: dict[str, Any] = self.product_list().pop(pi)
        # Stashed answers are kept by position; positions after the removed one shift.
        self.stash = {k: v for k, v in self.stash.items() if not k.startswith("products[")}
        self.changed()
        return removed

    def set_product_id(self, pi: int, product_id: str) -> None:
        """Make the product at `pi` another product; only Identity Server chooses a user
        store, so the answers another product would refuse are put aside, and come back
        when the product becomes Identity Server again."""
        from wizard.catalog import PRODUCTS

        base = f"products[{pi}]"
        self.put(f"{base}.id", product_id)
        known = PRODUCTS[product_id]
        for key in ("user_store", "ldap"):
            path = f"{base}.{key}"
            if not known.chooses_user_store:
                self.put_aside(path)
            elif self.get(path) is None and (value := self.take_back(path)):
                self.put(path, value)

    def set_user_store(self, pi: int, store: str) -> bool:
        """Choose the primary user store of the product at `pi`; False when it already is.

        jdbc, the default, is left out of the answers. The LDAP server's answers are put
        aside while another store is chosen, and come back when ldap is chosen again.
        """
        base = f"products[{pi}]"
        if (self.get(f"{base}.user_store") or "jdbc") == store:
            return False
        self.put(f"{base}.user_store", None if store == "jdbc" else store)
        if store == "ldap":
            if not isinstance(self.get(f"{base}.ldap"), dict):
                # An empty table: each missing answer is then said at its own field.
                self.bring_back(f"{base}.ldap", {})
        elif isinstance(self.get(f"{base}.ldap"), dict):
            self.put_aside(f"{base}.ldap")
        self.touched.add(f"{base}.user_store")
        steps.confirm(self.answers, f"{base}.user_store")
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
        self.changed()

    # ---- nodes --------------------------------------------------------------------------

    def node_key(self, pi: int) -> str:
        """The default prefix of the product's node ids: its id, and a profile not the
        default (`ei-business-process`)."""
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
        """A node per host, numbered `<prefix>-<n>` after the ids in use, each on the lowest
        port offset free on its host; the ids added."""
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
        self.changed()
        return added

    def remove_node(self, pi: int, ni: int) -> None:
        del self.products()[pi]["nodes"][ni]
        self.changed()

    def free_offset(self, host: str) -> int:
        return steps.free_offset(self.answers, host)

    # ---- databases the answers need -----------------------------------------------------

    def spec_slots(self, roles_only: bool = False) -> list[DatabaseSlot]:
        from wizard import database_slots

        return database_slots.needed(self.answers, roles_only)

    def config_database_slot(self, pi: int) -> DatabaseSlot:
        from wizard import database_slots

        return database_slots.config_database_slot(self.products()[pi], pi)

    def ensure_specs(self, slots: Sequence[DatabaseSlot]) -> list[str]:
        """Give every needed database a table with the suggested name and user; the paths
        of the tables made new (not brought back from the stash).

        An optional database (ACTIVITI_DB) is offered shared only to a product none of whose
        databases are in the answers yet: once the others are there, its absence means it
        was left on each node (by the choice, a preset or a session), and a later step must
        not undo that. One offered local by default (IS as Key Manager's BPS_DS) is left
        out until the operator shares it."""
        made = []
        for slot in self.unanswered(slots):
            if slot.optional and not slot.shared_by_default:
                continue
            if self.bring_back(slot.path, {"name": slot.name, "user": slot.user}):
                made.append(slot.path)
        return made

    def unanswered(self, slots: Sequence[DatabaseSlot]) -> list[DatabaseSlot]:
        """The databases of `slots` with no table in the answers, but an optional one left
        out once its product's other databases are there: that absence is a choice."""
        started = {
            slot.path for slot in slots if slot.optional and self.get(_databases_of(slot.path))
        }
        return [
            slot
            for slot in slots
            if not isinstance(held := self.get(slot.path), dict)
            and not (held is None and slot.path in started)
        ]

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
            self.bring_back(slot.path, {"name": slot.name, "user": slot.user})
        else:
            self.put_aside(slot.path)
        self.touched.add(slot.path)
        return True

    def fit_engine(self) -> None:
        """After the engine changed: put aside the JDBC driver chosen for an engine that
        offers a choice (MariaDB) when the new one does not, where the model would refuse
        it, and bring it back when an engine offering the choice is chosen again."""
        from wizard.catalog import ENGINES

        engine = ENGINES.get(str(self.get("database.engine")))
        path = "database.jdbc_driver"
        if engine is not None and engine.jdbc_drivers:
            if self.get(path) is None and path in self.stash:
                self.put(path, self.take_back(path))
        else:
            self.put_aside(path)

    def set_layout(self, layout: str) -> list[str]:
        """Config and governance in one database (shared) or two (split); the database
        paths switching created, each from what was put aside or from the database it
        replaces (its user and password kept, the suggested name)."""
        from wizard import database_slots

        db = self.database()
        if db.get("layout", "shared") == layout:
            return []
        created: list[str] = []
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
                        created.append(f"database.{role}")
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
                    created.append("database.registry")
                if restored is not None:
                    db["registry"] = restored
        self.changed()
        return created

    def set_own_config_database(self, pi: int, own: bool) -> str | None:
        """Give the product at `pi` its own config database (split layout), or let it use
        [database.config] again; the path of a table made new."""
        product = self.products()[pi]
        path = f"products[{pi}].config_database"
        made = None
        if own and not isinstance(product.get("config_database"), dict):
            slot = self.config_database_slot(pi)
            if self.bring_back(path, {"name": slot.name, "user": slot.user}):
                made = path
        elif not own and isinstance(product.get("config_database"), dict):
            self.put_aside(path)
        self.changed()
        return made


def _databases_of(path: str) -> str:
    """`products[0].databases.ACTIVITI_DB` -> `products[0].databases`."""
    return path.rsplit(".", 1)[0]
