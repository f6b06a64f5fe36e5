"""The environment variable suggested for a password, and the one a secret-free
topology.toml names for a password that was typed.

Made of the database's name, as the presets name theirs: WSO2AM_DB → `WSO2_AM_DB_PASSWORD`,
WSO2_UM_DB → `WSO2_UM_DB_PASSWORD` (on Oracle, where the name is a service every schema
shares, of the database's role or key). One variable per login: two tables for the same user on
the same database share it; two different logins never do (the second takes its role's
name, e.g. `WSO2_UM_DB_PASSWORD`, then a number). The same answers always give the same
names, in the order the Database step lists the databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

_ROLES = ("registry", "config", "governance", "user_management")
_PATH = re.compile(r"products\[(\d+)\]\.(config_database|ldap|databases\.(.+))")


def password_env_name(path: str, answers: Mapping[str, Any] | None = None) -> str:
    """The variable to suggest for the password of the table at `path`: from its database
    name and unique among `answers`' logins; without `answers`, from `path` alone."""
    if answers is None:
        return _variable(_path_base(path, None)) or "WSO2_DB_PASSWORD"
    return password_env_names(answers, suggest_for=path).get(path) or password_env_name(path)


def password_env_names(answers: Mapping[str, Any], suggest_for: str = "") -> dict[str, str]:
    """answers path -> variable, for every table with a password: the one it names, else
    a default (see the module). `suggest_for` is given a default even when it names one."""
    tables = list(_tables(answers))
    taken: dict[str, tuple[str, ...]] = {}
    out: dict[str, str] = {}
    for path, table in tables:
        named = table.get("password_env")
        if path != suggest_for and isinstance(named, str) and named:
            out[path] = named
            taken.setdefault(named, _login(answers, table))
    for path, table in tables:
        if path in out:
            continue
        login = _login(answers, table)
        for candidate in _candidates(path, table, answers):
            if taken.get(candidate, login) == login:
                taken[candidate] = login
                out[path] = candidate
                break
    return out


def _candidates(path: str, table: Mapping[str, Any], answers: Mapping[str, Any]) -> Iterator[str]:
    name = table.get("name")
    db = answers.get("database")
    # On Oracle the name is the service, which every schema (user) shares: no name to go by.
    oracle = isinstance(db, Mapping) and db.get("engine") == "oracle"
    first = _variable(name) if isinstance(name, str) and not oracle else None
    if first:
        yield first
    base = _path_base(path, answers)
    role = _variable(base)
    if role:
        yield role
    match = _PATH.fullmatch(path)
    if match:
        product = _product(answers, int(match.group(1)))
        infix = _variable(f"{product.get('id', '')}_{base}")
        if infix:
            yield infix
    stem = (first or role or "WSO2_DB_PASSWORD").removesuffix("_PASSWORD")
    for n in range(2, 10_000):
        yield f"{stem}_{n}_PASSWORD"


def _variable(name: str | None) -> str | None:
    """`name` as a variable: upper case, `_` for anything else, `WSO2_` in front."""
    if not name:
        return None
    cleaned = re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")
    if not cleaned:
        return None
    if cleaned.startswith("WSO2") and cleaned != "WSO2" and not cleaned.startswith("WSO2_"):
        cleaned = "WSO2_" + cleaned[4:]  # WSO2AM_DB reads as WSO2_AM_DB, as in the presets
    elif not cleaned.startswith("WSO2"):
        cleaned = "WSO2_" + cleaned
    return cleaned + "_PASSWORD"


def _path_base(path: str, answers: Mapping[str, Any] | None) -> str:
    """The name the Database step suggests for the table at `path` (its role's, or its
    product database's key)."""
    from wizard import database_slots

    if path.startswith("database."):
        role = path.removeprefix("database.")
        if role in database_slots.ROLES:
            return database_slots.ROLES[role][1]
    match = _PATH.fullmatch(path)
    if match:
        pi, kind, key = int(match.group(1)), match.group(2), match.group(3)
        if key:
            return key
        if kind == "ldap":
            return "WSO2_LDAP"
        product = _product(answers, pi) if answers is not None else {}
        if product.get("id"):
            return database_slots.config_database_slot(product, pi).name
        return f"WSO2_PRODUCT{pi + 1}_CONFIG_DB"
    return path


def _tables(answers: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every table that holds a password, with its path, in the Database step's order."""
    db = answers.get("database")
    if isinstance(db, Mapping):
        for role in _ROLES:
            if isinstance(db.get(role), Mapping):
                yield f"database.{role}", db[role]
    products = answers.get("products")
    for pi, product in enumerate(products if isinstance(products, list) else []):
        if not isinstance(product, Mapping):
            continue
        if isinstance(product.get("config_database"), Mapping):
            yield f"products[{pi}].config_database", product["config_database"]
        databases = product.get("databases")
        if isinstance(databases, Mapping):
            for key, table in databases.items():
                if isinstance(table, Mapping):
                    yield f"products[{pi}].databases.{key}", table
        if isinstance(product.get("ldap"), Mapping):
            yield f"products[{pi}].ldap", product["ldap"]


def _login(answers: Mapping[str, Any], table: Mapping[str, Any]) -> tuple[str, ...]:
    """Who logs in where: tables with the same login may share one variable."""
    if "bind_dn" in table or "url" in table:
        return ("ldap", str(table.get("url", "")), str(table.get("bind_dn", "")))
    db = answers.get("database")
    db = db if isinstance(db, Mapping) else {}
    return (
        str(table.get("host", db.get("host", ""))),
        str(table.get("port", db.get("port", ""))),
        str(table.get("name", "")),
        str(table.get("user", "")),
    )


def _product(answers: Mapping[str, Any] | None, pi: int) -> Mapping[str, Any]:
    products = answers.get("products") if answers is not None else None
    if isinstance(products, list) and pi < len(products) and isinstance(products[pi], Mapping):
        return products[pi]  # type: ignore[no-any-return]
    return {}
