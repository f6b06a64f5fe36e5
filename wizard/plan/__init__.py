"""Topology -> Plan: which databases exist, and what every node's files must say.

A pure function of the answers (and the environment, for `password_env`). The renderers,
the rules, the preview and the writer all read the same Plan; none of them decides a name.

The Plan and `build` are here; the parts live by subject: `databases` (the databases
created), `nodes` (each node's files), `notes` (what the operator should read) and
`passwords` (refusing placeholders). Every public name is importable from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from wizard.catalog import Engine
from wizard.model import Topology
from wizard.plan.databases import DatabasePlan, plan_databases
from wizard.plan.nodes import (
    ClusterPlan,
    DatasourcePlan,
    DbConfig,
    Mount,
    NodePlan,
    RegistryPlan,
    RemoteInstance,
    node_plan,
    product_nodes,
)
from wizard.plan.notes import plan_notes, tls_note
from wizard.plan.passwords import require_secrets
from wizard.wiring import FileEdits, KeyManagerLink, LdapPlan, UserStorePlan, key_manager_links

__all__ = [
    "REDACTED",
    "ClusterPlan",
    "DatabasePlan",
    "DatasourcePlan",
    "DbConfig",
    "FileEdits",
    "KeyManagerLink",
    "LdapPlan",
    "Mount",
    "NodePlan",
    "Plan",
    "RegistryPlan",
    "RemoteInstance",
    "UserStorePlan",
    "build",
    "require_secrets",
    "tls_note",
]

REDACTED = "********"


@dataclass(frozen=True)
class Plan:
    topology: Topology
    engine: Engine
    databases: tuple[DatabasePlan, ...]
    nodes: tuple[NodePlan, ...]
    notes: tuple[str, ...] = ()
    """Things the operator should read (e.g. product-specific files the tree leaves alone)."""
    key_managers: tuple[KeyManagerLink, ...] = ()

    def database(self, key: str) -> DatabasePlan:
        for db in self.databases:
            if db.key == key:
                return db
        raise KeyError(key)

    def node(self, node_id: str) -> NodePlan:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    @property
    def missing_passwords(self) -> tuple[DatabasePlan, ...]:
        return tuple(db for db in self.databases if db.password is None)

    def redacted(self) -> Plan:
        """The same plan with every password replaced, for previews and logs."""
        # The nodes of a cluster define equal datasources (one tuple, see `nodes.product_nodes`):
        # each distinct one is copied once, and each node's tuple once.
        hidden: dict[DatasourcePlan, DatasourcePlan] = {}
        tuples: dict[int, tuple[DatasourcePlan, ...]] = {}

        def redact(d: DatasourcePlan) -> DatasourcePlan:
            if d not in hidden:
                hidden[d] = replace(d, password=REDACTED)
            return hidden[d]

        def redacted(sources: tuple[DatasourcePlan, ...]) -> tuple[DatasourcePlan, ...]:
            # By identity: `self` keeps every tuple alive meanwhile, so no id is reused.
            if id(sources) not in tuples:
                tuples[id(sources)] = tuple(map(redact, sources))
            return tuples[id(sources)]

        stores: dict[UserStorePlan, UserStorePlan] = {}

        def store(s: UserStorePlan | None) -> UserStorePlan | None:
            if s is None or s.ldap is None:
                return s
            if s not in stores:
                stores[s] = replace(s, ldap=replace(s.ldap, password=REDACTED))
            return stores[s]

        return replace(
            self,
            databases=tuple(replace(db, password=REDACTED) for db in self.databases),
            nodes=tuple(
                replace(n, datasources=redacted(n.datasources), user_store=store(n.user_store))
                for n in self.nodes
            ),
        )

    @property
    def ldap(self) -> LdapPlan | None:
        for node in self.nodes:
            if node.user_store is not None and node.user_store.ldap is not None:
                return node.user_store.ldap
        return None


def build(topology: Topology, env: Mapping[str, str] | None = None) -> Plan:
    """The plan for `topology`; passwords from `password_env` are read from `env`."""
    env = env if env is not None else {}
    engine = topology.database.engine_spec
    databases = plan_databases(topology, engine, env)
    by_key = {db.key: db for db in databases}
    nodes: list[NodePlan] = []
    for product in topology.products:
        nodes += product_nodes(topology, product, by_key, env)
    links = key_manager_links(topology)
    return Plan(topology, engine, databases, tuple(nodes), plan_notes(topology), links)


# One node planned on its own, under the name it had when the plan was one module.
_node = node_plan
