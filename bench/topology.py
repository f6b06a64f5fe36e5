"""Synthetic estates for the benchmarks: N products x M nodes, split layout, clustering on."""

from __future__ import annotations

from typing import Any

from wizard import answers
from wizard.model import Topology

# Ten product clusters on the kernel baseline, with the product databases each one needs.
PRODUCTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("apim", "2.6.0", {"WSO2AM_DB": "am"}),
    ("is", "5.7.0", {"WSO2_IDENTITY_DB": "identity", "BPS_DS": "isbps"}),
    ("ei", "6.4.0", {}),
    ("esb", "5.0.0", {}),
    ("dss", "3.5.1", {}),
    ("as", "5.3.0", {}),
    ("bps", "3.6.0", {"BPS_DS": "bps"}),
    ("mb", "3.2.0", {"WSO2_MB_STORE_DB": "mb"}),
    (
        "das",
        "3.2.0",
        {
            "WSO2_ANALYTICS_EVENT_STORE_DB": "dasevent",
            "WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB": "dasprocessed",
        },
    ),
    ("greg", "5.4.0", {}),
)

PASSWORD = "bench-secret"


def _db(name: str) -> dict[str, str]:
    return {"name": f"wso2_{name}_db", "user": f"wso2{name}", "password": PASSWORD}


def estate(nodes: int, products: int = 10) -> dict[str, Any]:
    """Answers for `nodes` nodes spread evenly over `products` product clusters."""
    if not 1 <= products <= len(PRODUCTS) or nodes < products:
        raise ValueError(f"need 1..{len(PRODUCTS)} products and at least one node each")
    per, extra = divmod(nodes, products)
    out: list[dict[str, Any]] = []
    for pi, (pid, version, dbs) in enumerate(PRODUCTS[:products]):
        count = per + (1 if pi < extra else 0)
        out.append(
            {
                "id": pid,
                "version": version,
                "databases": {key: _db(short) for key, short in dbs.items()},
                # One host per node: member ports and offsets never clash.
                "nodes": [
                    {"id": f"{pid}-{i}", "host": f"10.{pi}.{i // 250}.{i % 250 + 1}"}
                    for i in range(1, count + 1)
                ],
            }
        )
    return {
        "schema_version": 1,
        "name": f"bench-{nodes}",
        "database": {
            "engine": "postgresql",
            "host": "pg.example.com",
            "layout": "split",
            "config": _db("config"),
            "governance": _db("gov"),
            "user_management": _db("um"),
        },
        "cluster": {"clustering": True, "port_offsets": True},
        "products": out,
    }


def topology(nodes: int, products: int = 10) -> Topology:
    return Topology.model_validate(estate(nodes, products))


def answers_toml(nodes: int, products: int = 10) -> str:
    """The estate as an answers file (passwords included, as `generate --answers` needs)."""
    return answers.dumps(topology(nodes, products), keep_passwords=True)
