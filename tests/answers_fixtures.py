"""Valid answers the tests start from, as plain data, and small helpers to vary them."""

from __future__ import annotations

import copy
from typing import Any

from wizard import answers, plan
from wizard.model import Topology

PASSWORD = "p&<>\"'\\$%x"

SHARED: dict[str, Any] = {
    "schema_version": 1,
    "name": "apim-is-prod",
    "description": "two products",
    "database": {
        "engine": "mysql5.7",
        "host": "db.example.com",
        "layout": "shared",
        "registry": {"name": "WSO2_REG_DB", "user": "regadmin", "password": PASSWORD},
        "user_management": {"name": "WSO2_UM_DB", "user": "umadmin", "password": "um-secret"},
    },
    "products": [
        {
            "id": "apim",
            "version": "2.6.0",
            "databases": {
                "WSO2AM_DB": {"name": "WSO2AM_DB", "user": "amadmin", "password": "am-secret"}
            },
            "nodes": [
                {"id": "apim-1", "host": "10.0.1.11"},
                {"id": "apim-2", "host": "10.0.1.12"},
            ],
        },
        {
            "id": "is",
            "version": "5.7.0",
            "databases": {
                "WSO2_IDENTITY_DB": {
                    "name": "WSO2_IDENTITY_DB",
                    "user": "isadmin",
                    "password_env": "IS_DB_PASSWORD",
                }
            },
            "nodes": [{"id": "is-1", "host": "is-1.example.com"}],
        },
    ],
}

ENV = {"IS_DB_PASSWORD": "is-secret"}

IS_BPS_DS: dict[str, Any] = {"name": "WSO2IS_BPS_DB", "user": "isbpsadmin", "password": "bps-pw"}
"""Identity Server's workflow engine database (BPS_DS), which two or more IS nodes share."""


def with_is_workflow(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with BPS_DS given to every Identity Server cluster of two or more nodes."""
    for product in data["products"]:
        if product.get("id") == "is" and len(product.get("nodes", [])) > 1:
            product.setdefault("databases", {}).setdefault("BPS_DS", dict(IS_BPS_DS))
    return data


def split(data: dict[str, Any] | None = None) -> dict[str, Any]:
    out = copy.deepcopy(data or SHARED)
    reg = out["database"].pop("registry")
    out["database"]["layout"] = "split"
    out["database"]["config"] = dict(reg, name="WSO2_CONFIG_DB")
    out["database"]["governance"] = dict(reg, name="WSO2_GOV_DB")
    return out


def variant(path: str, value: Any, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of the answers with one value set (or removed when value is DELETE)."""
    out = copy.deepcopy(data or SHARED)
    node: Any = out
    parts = path.replace("[", ".[").split(".")
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    last = parts[-1]
    key: Any = int(last[1:-1]) if last.startswith("[") else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return out


DELETE = object()


def topology(data: dict[str, Any] | None = None) -> Topology:
    return answers.parse(copy.deepcopy(data or SHARED))


def build(data: dict[str, Any] | None = None) -> plan.Plan:
    return plan.build(topology(data), ENV)
