"""An answer named as the forms show it, for the operator: where it sits, then its label.

`products[0].databases.WSO2AM_DB.user` is "API Manager · WSO2AM_DB · User": the Database
step's card, then the field it is typed into. Both front ends list the answers a preset
leaves to confirm in these words. A path no form asks for is given as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wizard import questions as q
from wizard.steps import lookup, split_path

SEPARATOR = " · "

_TOP = {"name": q.PLAN_NAME.label, "description": "Description"}
_DATABASE = {
    "engine": "Engine",
    "host": q.DATABASE_HOST.label,
    "port": q.DATABASE_PORT.label,
    "url_options": q.URL_OPTIONS.label,
    "tls": q.TLS_QUESTION,
    "jdbc_driver": "JDBC driver",
}
_CLUSTER = {
    "clustering": ("Nodes", q.CLUSTERING.label),
    "port_offsets": ("Nodes", q.PORT_OFFSETS.label),
    "driver_jar": ("Database", q.DRIVER_JAR.label),
    "secure_vault": ("Database", q.SECURE_VAULT.label),
}
_SPEC = {
    "name": q.DATABASE_NAME.label,
    "user": q.DATABASE_USER.label,
    "password": "Password",
    "password_env": "Password",
    "host": q.DATABASE_HOST.label,
    "port": q.DATABASE_PORT.label,
}
_PRODUCT = {
    "id": "Product",
    "version": "Version",
    "profile": "Profile",
    "distribution": q.DISTRIBUTION.label,
    "load_balancer": q.LOAD_BALANCER.label,
    "user_store": "User store",
    "config_target": q.CONFIG_TARGET.label,
}
_LDAP = {
    **{f.key: f.label for f in q.LDAP_FIELDS},
    "password": q.LDAP_PASSWORD_LABEL,
    "password_env": q.LDAP_PASSWORD_LABEL,
}
_NODE = {"id": q.NODE_ID.label, "host": q.NODE_HOST.label, "offset": q.NODE_OFFSET.label}
_ROLES = ("registry", "config", "governance", "user_management")


def field_label(data: Any, path: str) -> str:
    """The answer at `path` as the forms label it, e.g. "Database · Server host"."""
    parts = split_path(path)
    named = _named(data if isinstance(data, Mapping) else {}, parts)
    return SEPARATOR.join(named) if named else path


def _named(data: Mapping[str, Any], parts: list[str | int]) -> list[str]:
    match parts:
        case [str(key)] if key in _TOP:
            return [_TOP[key]]
        case ["database", str(key)] if key in _DATABASE:
            return ["Database", _DATABASE[key]]
        case ["database", str(role), str(key)] if role in _ROLES and key in _SPEC:
            from wizard.database_slots import role_slot

            return [role_slot(role).label, _SPEC[key]]
        case ["cluster", str(key)] if key in _CLUSTER:
            return list(_CLUSTER[key])
        case ["products", int(pi), *rest]:
            return _product_named(data, pi, rest)
    return []


def _product_named(data: Mapping[str, Any], pi: int, rest: list[str | int]) -> list[str]:
    product = lookup(data, f"products[{pi}]")
    if not isinstance(product, Mapping):
        return []
    label = product_name(product)
    products = data.get("products")
    if isinstance(products, list):
        names = [product_name(p) for p in products if isinstance(p, Mapping)]
        if names.count(label) > 1:
            label = f"{pi + 1}. {label}"  # as the Products step's cards are titled
    match rest:
        case [str(key)] if key in _PRODUCT:
            return [label, _PRODUCT[key]]
        case ["ldap", str(key)] if key in _LDAP:
            return [label, _LDAP[key]]
        case ["nodes", int(ni), str(key)] if key in _NODE:
            node = lookup(product, f"nodes[{ni}]")
            node_id = node.get("id") if isinstance(node, Mapping) else None
            return [label, f"node {node_id or ni + 1}", _NODE[key]]
        case ["config_database", str(key)] if key in _SPEC:
            from wizard.database_slots import config_database_slot

            return [config_database_slot(product, pi).label, _SPEC[key]]
        case ["databases", str(db), str(key)] if key in _SPEC:
            from wizard.database_slots import needed

            path = f"products[{pi}].databases.{db}"
            card = next((s.label for s in needed(data) if s.path == path), None)
            return [card or f"{label}{SEPARATOR}{db}", _SPEC[key]]
    return []


def product_name(product: Mapping[str, Any]) -> str:
    """A product as the questions about it name it: its label, and its profile where the
    answers give one ("Enterprise Integrator (integrator profile)")."""
    from wizard.catalog import PRODUCTS

    known = PRODUCTS.get(str(product.get("id")))
    label = known.label if known else str(product.get("id") or "product")
    return f"{label} ({product['profile']} profile)" if product.get("profile") else label
