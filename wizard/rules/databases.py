"""Rule 37 (reference §8): the product data a cluster's nodes must share. Business Process
Server and EI's business-process profile keep BPEL data in BPS_DS (bps-datasources.xml) and
BPMN data in ACTIVITI_DB (activiti-datasources.xml); EI's broker profile and Message Broker
keep their store in WSO2_MB_STORE_DB. Each ships on an embedded H2 file, so in a cluster of
more than one node each node would keep its own: a process instance or a message one node
wrote would be unknown to the others.

Data Analytics Server keeps its analytics records in WSO2_ANALYTICS_EVENT_STORE_DB and
WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB (analytics-datasources.xml), shared by every node of a
DAS cluster (CLUSTER44x "Minimum High Availability Deployment for WSO2 DAS 3.1.0").

ACTIVITI_DB is judged only where the cluster shares it: BPMN is optional (catalog
`ProductDatabase.optional`), and a cluster that leaves it on each node's H2 runs no BPMN
processes across nodes. It is shared where a node of the cluster defines it on a database
server, or where manifest.json lists it as a database of the cluster.

Which products hold which of these follows the catalog, so API Manager's broker store, which
stays on each node (reference §5), is never judged. The datasources are found as the products
look them up: by JNDI name (bps.xml's `bpsds`, activiti.xml's `jdbc/ActivitiDB`, broker.xml's
`WSO2MBStoreDB`), or by datasource name where the product names no JNDI (DAS's
analytics-config.xml).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wizard import catalog
from wizard.rules.across import majority, product_clusters
from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.models import Datasource
from wizard.rules.reading import is_embedded_h2
from wizard.rules.tree import manifest_data

RULE = 37
# The product databases rule 37 is about (reference §8 rule 37), by datasource name.
JUDGED = (
    "BPS_DS",
    "ACTIVITI_DB",
    "WSO2_MB_STORE_DB",
    "WSO2_ANALYTICS_EVENT_STORE_DB",
    "WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB",
)
_HOLDS = {
    "BPS_DS": "BPEL processes, human tasks and their instances",
    "ACTIVITI_DB": "BPMN processes and their instances",
    "WSO2_MB_STORE_DB": "queues, subscriptions and messages",
    "WSO2_ANALYTICS_EVENT_STORE_DB": "received events (the analytics record store)",
    "WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB": "analysed data (summaries the dashboards read)",
}


@dataclass(frozen=True)
class _Store:
    """One product database of a node's profile that rule 37 judges."""

    key: str
    jndi: str
    """"" where the product looks the datasource up by its name (DAS)."""
    file: str
    """The datasources file the stock defines it in, relative to the conf dir."""
    optional: bool

    @property
    def label(self) -> str:
        return self.jndi or self.key

    @property
    def where(self) -> str:
        return (
            f"datasource[jndiConfig/name='{self.jndi}']"
            if self.jndi
            else f"datasource[name='{self.key}']"
        )

    def found(self, node: NodeFiles) -> Datasource | None:
        """The node's datasource for this store, found as the product looks it up; by name,
        the first of the name (Carbon refuses a second)."""
        if self.jndi:
            return node.by_jndi.get(self.jndi)
        return next((ds for ds in node.datasources if ds.name.strip() == self.key), None)


def check(nodes: Sequence[NodeFiles], manifest: bytes | None, out: Report) -> None:
    listed = _listed(manifest)
    for cluster, members in product_clusters(nodes).items():
        if len(members) < 2:
            continue  # one node: its own H2 is the only copy, and that is fine
        for store in _stores(members[0]):
            if store.optional and not _shared(store, cluster, members, listed):
                continue
            _check_cluster(store, cluster, members, out)


def _stores(node: NodeFiles) -> tuple[_Store, ...]:
    product = catalog.PRODUCTS.get(node.info.product or "")
    if product is None:
        return ()
    # The manifest gives each node's conf dir; EI's profiles each have their own.
    profile = next(
        (p for p in product.profiles.values() if p.conf_dir == node.info.conf_dir),
        product.profile(None),
    )
    return tuple(
        _Store(db.key, db.jndi_name, db.datasources_file, db.optional)
        for db in profile.databases
        if db.key in JUDGED
    )


def _listed(manifest: bytes | None) -> set[tuple[str, str]]:
    """(product cluster, datasource name) of every database manifest.json lists."""
    try:
        data = manifest_data(manifest) if manifest is not None else {}
    except ValueError:
        return set()  # rule 0 reports it
    databases = data.get("databases") if isinstance(data, Mapping) else None
    found = set()
    for entry in databases if isinstance(databases, list) else []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("datasource"), str):
            continue
        products = entry.get("products")
        for cluster in products if isinstance(products, list) else []:
            if isinstance(cluster, str):
                found.add((cluster, entry["datasource"]))
    return found


def _shared(
    store: _Store, cluster: str, members: Sequence[NodeFiles], listed: set[tuple[str, str]]
) -> bool:
    if (cluster, store.key) in listed:
        return True
    for node in members:
        ds = store.found(node)
        if ds is not None and ds.url is not None and not is_embedded_h2(ds.url):
            return True
    return False


def _check_cluster(store: _Store, cluster: str, members: Sequence[NodeFiles], out: Report) -> None:
    holds = _HOLDS.get(store.key, "data")
    size = len(members)
    shared = []
    for node in members:
        ds = store.found(node)
        if ds is None:
            if node.datasources_complete:
                message = (
                    f"no datasource is '{store.label}': the node keeps its stock "
                    f"{store.file}, whose {store.key} is an embedded H2 file, so its "
                    f"{holds} stay on this node while the {size}-node cluster {cluster} must "
                    f"share them; define {store.key} on the cluster's shared database"
                )
                out.add(RULE, node.id, node.conf(store.file), store.where, message)
            continue
        if ds.url is None:
            continue  # rule 5 reports it
        if ds is node.local_datasource or is_embedded_h2(ds.url):
            message = (
                f"'{store.label}' is '{ds.url}', a database inside this node: its {holds} "
                f"would be this node's alone, but the {size}-node cluster {cluster} must "
                "share them; point it at the database every node of the cluster uses"
            )
            out.add(RULE, node.id, ds.file, ds.at("url"), message)
            continue
        shared.append((node, ds))
    if len(shared) < 2:
        return
    reference, holders = majority([(n, ds.url) for n, ds in shared])
    for node, ds in shared:
        if ds.url != reference:
            message = (
                f"'{store.label}' is '{ds.url}' here but '{reference}' on "
                f"{', '.join(holders)}: the nodes of {cluster} share one {store.key} database"
            )
            out.add(RULE, node.id, ds.file, ds.at("url"), message)
