"""Checks of single values (host names, identifiers, passwords) with messages that say the fix."""

from __future__ import annotations

import ipaddress
import re
from pathlib import PurePath

from wizard import names
from wizard.catalog import Engine
from wizard.problems import REQUIRED

# Every pattern here is used with fullmatch: `$` also matches before a final newline, and a
# name ending in one would become a folder, a script line and a checksum entry of its own.
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_REG_PATH = re.compile(r"/_system/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
_q = names.shown  # a value quoted back in a message: no control character, not too long

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def check_host(value: str) -> str:
    """A host name (RFC 1123) or an IPv4/IPv6 address."""
    value = value.strip()
    if not value:
        raise ValueError("no value; give a host name (db1.example.com) or an IP address")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        pass
    if re.fullmatch(r"[0-9.]+", value):
        raise ValueError(f"'{_q(value)}' is not a valid IPv4 address (four numbers 0-255)")
    name = value[:-1] if value.endswith(".") else value
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        raise ValueError(
            f"'{_q(value)}' is not a host name or IP address; use letters, digits, '-' and '.' "
            "(labels of 1-63 characters, not starting or ending with '-')"
        )
    return name.lower()


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() in LOOPBACK_NAMES


def check_port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError(f"{value} is not a TCP port; use 1-65535")
    return value


def check_node_id(value: str) -> str:
    """A node id or plan name: it names a folder, a session and files (wizard.names)."""
    if not names.is_safe_name(value):
        raise ValueError(
            f"'{_q(value)}' cannot be a folder name; use 1-{names.NAME_MAX} "
            f"{names.SAFE_NAME_RULE} (e.g. apim-1)"
        )
    return value


def check_env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(
            f"'{_q(value)}' is not an environment variable name; use letters, digits and '_', "
            "not starting with a digit (e.g. REG_DB_PASSWORD)"
        )
    return value


def xml_invalid(value: str) -> str | None:
    """Describe the first character the files cannot carry (a control character, C1
    included, or a code point XML 1.0 refuses), or None when all are fine."""
    return names.control_char(value)


def check_xml_text(value: str) -> str:
    bad = xml_invalid(value)
    if bad:
        raise ValueError(f"holds a {bad}, which the configuration files cannot carry; remove it")
    return value


def check_non_empty_text(value: str) -> str:
    if not value.strip():
        raise ValueError(REQUIRED)
    return check_xml_text(value)


def check_password(value: str) -> str:
    if value == "":
        raise ValueError(
            "no value; type the password, or name the environment variable that holds it"
        )
    if value.strip() == "":
        # Carbon's checks and most operators read a blank password as a missing one.
        raise ValueError("is only blanks; give the database user's real password")
    bad = xml_invalid(value)
    if bad:
        raise ValueError(
            f"holds a {bad}, which the configuration files cannot carry; choose a password "
            "of printable characters"
        )
    return value


def vault_password_problem(password: str | None) -> str | None:
    """Why `password` cannot go through Secure Vault's cipher tool, or None when it can.

    The tool encrypts the text between the first `[` and the first `]` of the value, so a
    password holding `]` would be cut short and the datasource would fail to log in.
    """
    if password is not None and "]" in password:
        return (
            "contains ']', which Secure Vault's cipher tool cannot store (it cuts the value "
            "at the first ']'); choose a password without ']' or set cluster.secure_vault = false"
        )
    return None


# DB2 takes users from the operating system and refuses these (CREATE USER / GRANT rules).
_DB2_RESERVED_USERS = {"USERS", "ADMINS", "GUESTS", "PUBLIC", "LOCAL"}
_DB2_RESERVED_PREFIXES = ("SYS", "IBM", "SQL")


def identifier_noun(engine: Engine | None, what: str) -> str:
    """What a database's `what` (name or user) is called on `engine`: Oracle's database name
    is its service name (each user is its own schema); None, an engine not chosen yet."""
    oracle = engine is not None and engine.kind == "oracle"
    return "service name" if (oracle and what == "name") else f"database {what}"


def empty_identifier(engine: Engine | None, what: str) -> str:
    """The one sentence for a database name or user left empty, wherever it is said."""
    return f"no value; give the {identifier_noun(engine, what)}"


def check_identifier(value: str, engine: Engine, what: str) -> str | None:
    """Return a message when `value` cannot name a database or user on `engine`."""
    if engine.kind == "db2" and what == "user" and value:
        upper = value.upper()
        if upper in _DB2_RESERVED_USERS or upper.startswith(_DB2_RESERVED_PREFIXES):
            return (
                f"'{_q(value)}' is reserved on DB2 (no USERS, ADMINS, GUESTS, PUBLIC, LOCAL, and "
                "nothing starting with SYS, IBM or SQL); choose another user"
            )
    limit = engine.name_max if what == "name" else engine.user_max
    noun = identifier_noun(engine, what)
    if not value:
        return empty_identifier(engine, what)
    first = "[A-Za-z]" if engine.kind in ("oracle", "db2") else "[A-Za-z_]"
    rest = "[A-Za-z0-9_.]" if (engine.kind == "oracle" and what == "name") else "[A-Za-z0-9_]"
    if not re.fullmatch(f"{first}{rest}*", value):
        start = "a letter" if first == "[A-Za-z]" else "a letter or '_'"
        return (
            f"'{_q(value)}' is not a valid {engine.label} {noun}; use letters, digits and '_', "
            f"starting with {start}"
        )
    if len(value) > limit:
        return (
            f"'{_q(value)}' has {len(value)} characters; {engine.label} allows at most {limit} "
            f"for a {noun}"
        )
    return None


def check_registry_path(value: str) -> str:
    if not _REG_PATH.fullmatch(value):
        raise ValueError(
            f"'{_q(value)}' is not a registry path under /_system/ (e.g. /_system/apimconfig)"
        )
    for reserved in ("/_system/governance", "/_system/local"):
        if value == reserved or value.startswith(reserved + "/"):
            raise ValueError(
                f"'{_q(value)}' is inside {reserved}, which is not the config partition; "
                "choose a path such as /_system/apimconfig"
            )
    return value


def check_url_options(value: str) -> str:
    if any(c.isspace() for c in value):
        raise ValueError("holds white space; JDBC URL options are key=value pairs without spaces")
    if "&amp;" in value:
        raise ValueError("holds '&amp;'; write '&' plainly: the files escape it exactly once")
    if value.startswith(("?", ";", ":")):
        raise ValueError(f"starts with '{value[0]}'; leave it out: the wizard adds the separator")
    # Pairs are joined by '&' (MySQL, PostgreSQL) or ';' (SQL Server, DB2, which also ends the
    # last one with ';'): an empty pair or a bare key reaches every node's URL, and no
    # driver says which option it dropped.
    pairs = re.split(r"[&;]", value.removesuffix(";")) if value else []  # "": no options
    for pair in pairs:
        if not pair:
            raise ValueError(
                f"'{_q(value)}' has an empty option (two separators in a row, or one at an "
                "end); write key=value pairs joined by one '&' (or ';')"
            )
        if not pair.partition("=")[0] or "=" not in pair:
            raise ValueError(
                f"'{_q(pair)}' is not key=value; write each option as key=value, e.g. useSSL=false"
            )
    return check_xml_text(value)


def check_local_path(value: str) -> str:
    """A file or folder on this machine (a distribution, a driver jar): any name the file
    system takes, but no control character, which the tree's README and manifest would
    carry as a line break or a terminal command."""
    if not value.strip():
        raise ValueError("no value; give the path of a file or folder on this machine")
    bad = names.control_char(value)
    if bad:
        raise ValueError(f"holds a {bad}; a path on this machine cannot be written with it")
    if len(value) > 4096:
        raise ValueError(f"has {len(value)} characters; a path is at most 4096")
    return value


def check_driver_jar(value: str) -> str:
    check_local_path(value)
    if not value.endswith(".jar"):
        raise ValueError(f"'{_q(value)}' is not a .jar file; give the path of the JDBC driver jar")
    # The jar keeps its name in every node's lib folder and in SHA256SUMS.
    base = PurePath(value).name
    if not names.is_safe_name(base, 255):
        raise ValueError(
            f"'{_q(base)}' cannot name a file in the tree; rename the jar to "
            f"{names.SAFE_NAME_RULE} (e.g. mysql-connector-java-5.1.49.jar)"
        )
    return value


def check_load_balancer(value: str) -> str:
    """`host` or `host:port` (IPv6: `[addr]:port`), the HTTPS front of a product cluster."""
    host, port = split_load_balancer(value)
    check_host(host)
    check_port(port)
    return value.strip()


def split_load_balancer(value: str) -> tuple[str, int]:
    """(host, port) of a load balancer answer; the port is 443 when none is given."""
    value = value.strip()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        host, _, port_text = value.partition(":")
    else:
        host, port_text = value, ""
    if not port_text:
        return host, 443
    # Not str.isdigit: it takes '²' and other digits int() then refuses.
    if re.fullmatch(r"[0-9]{1,5}", port_text) is None:
        raise ValueError(
            f"'{_q(value)}' does not end in a port number; write host or host:port "
            "(e.g. km.example.com or km.example.com:8443)"
        )
    return host, int(port_text)


def check_ldap_url(value: str) -> str:
    value = value.strip()
    if not value.startswith(("ldap://", "ldaps://")):
        raise ValueError(
            f"'{_q(value)}' is not an LDAP URL; write ldap://host:389 or ldaps://host:636"
        )
    rest = value.split("://", 1)[1].rstrip("/")
    host = rest.rsplit(":", 1)[0] if rest.count(":") == 1 else rest
    if not host:
        raise ValueError(f"'{_q(value)}' names no host; write ldap://host:389 or ldaps://host:636")
    if is_loopback(host.strip("[]")):
        raise ValueError(
            f"'{_q(value)}' is this node's own address; every node must reach one shared LDAP "
            "server: give its real host name"
        )
    return check_xml_text(value)


_ANSWER_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[\d{1,6}\]|\.[A-Za-z_][A-Za-z0-9_]*)*")


def check_answer_path(value: str) -> str:
    if len(value) > 512 or not _ANSWER_PATH.fullmatch(value):
        raise ValueError(
            f"'{_q(value)}' is not an answer path; write it like database.host or "
            "products[0].nodes[1].host"
        )
    return value


# PRODUCT_HOME on a node: the playbook hands it to a shell (check-databases.sh) and to
# Jinja, so only characters that need no quoting in either are taken.
_HOME_PART = re.compile(r"[A-Za-z0-9_+@][A-Za-z0-9._+@-]*")
_SYSTEM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")


def check_home(value: str) -> str:
    """An absolute POSIX directory path of plain names: no `.`, `..`, blanks or quotes."""
    example = "(e.g. /opt/wso2/wso2am-2.6.0)"
    if not value.startswith("/"):
        raise ValueError(f"'{_q(value)}' is not an absolute path; write it from / {example}")
    if len(value) > 4096:
        raise ValueError(f"has {len(value)} characters; a path is at most 4096 {example}")
    parts = value.rstrip("/").split("/")[1:]
    if not parts:
        raise ValueError(f"'{_q(value)}' is the root folder; give the product's own {example}")
    for part in parts:
        if part in {"", ".", ".."} or not _HOME_PART.fullmatch(part) or len(part) > 255:
            raise ValueError(
                f"'{_q(value)}' has the part '{_q(part)}'; use folder names of letters, digits and "
                f"'.', '_', '+', '@' or '-' (not '.' or '..'), separated by single '/' {example}"
            )
    return "/" + "/".join(parts)


def check_system_name(value: str) -> str:
    """A user or group name on the nodes, portable across Linux and other POSIX systems."""
    if not _SYSTEM_NAME.fullmatch(value):
        raise ValueError(
            f"'{_q(value)}' is not a user or group name; use up to 32 letters, digits, '_', '.' "
            "or '-', starting with a letter or '_' (e.g. wso2)"
        )
    return value
