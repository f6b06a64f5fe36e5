"""A problem's field asked again: from the path the model names to the step's question."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from questionary import Choice

from wizard.prompt.asking import Asking, checker, int_checker, optional
from wizard.questions import (
    DATABASE_HOST_OWN,
    DATABASE_NAME,
    DATABASE_PORT_OWN,
    DATABASE_USER,
    LDAP_FIELDS,
)
from wizard.steps import split_path

if TYPE_CHECKING:
    from wizard.problems import Problem

_REGISTRY_ROLES = ("registry", "config", "governance")


class Reasking(Asking):
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

            name = self.text(
                "Name of this plan:",
                default=str(self.answers.get("name", "")),
                validate=checker(check_node_id),
            )
            self.give("name", name)
            if self.session is not None:
                self.session.name = name
            return True
        if head == "description":
            self.give(
                "description",
                self.text("Description:", default=str(self.answers.get("description", ""))),
            )
            return True
        if head == "schema_version":
            self.give("schema_version", 1)
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
            for server in ("engine", "host", "port"):
                self.ask_database_field(server)
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
                self.draft.remove_product(pi)
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
                keep = self.get("database.layout") == "split" and self.confirm(
                    "Keep this product's own config database?", default=True
                )
                if not keep:
                    self.drop(path)
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
        if not rest:
            # The table is missing or unreadable (user_store = "ldap"), or there without
            # ldap chosen: choosing the store again puts it aside.
            if self.get(f"products[{pi}].user_store") == "ldap":
                self.ask_ldap(pi)
                return True
            return self.ask_user_store(pi)
        key = rest[0]
        if key in ("password", "password_env"):
            self.ask_password(f"products[{pi}].ldap")
            return True
        if key in {q.key for q in LDAP_FIELDS}:
            self.ask_ldap_field(pi, str(key))
            return True
        return False

    def reask_spec(self, path: str, rest: list[str | int], defaults: Sequence[str]) -> bool:
        label, name, user = defaults[0], defaults[1], defaults[2]
        spec = self.get(path)
        if not rest or not isinstance(spec, dict):
            role = path.removeprefix("database.")
            needed = {p for p, *_ in self.needed_specs()}
            if path not in needed and role in _REGISTRY_ROLES:
                layout = self.get("database.layout", "shared")
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
            self.give(
                f"{path}.{field}",
                self.text(
                    (DATABASE_NAME if field == "name" else DATABASE_USER).ask(database=label),
                    default=str(spec.get(field, name if field == "name" else user)),
                ),
            )
        elif field == "host":
            from wizard.fields import check_host

            value = self.text(
                DATABASE_HOST_OWN.ask(database=label),
                default=str(spec.get("host", "")),
                validate=optional(checker(check_host)),
            )
            self.give(f"{path}.host", value or None)
        elif field == "port":
            value = self.text(
                DATABASE_PORT_OWN.ask(database=label),
                default=str(spec.get("port", "")),
                validate=optional(int_checker(1, 65535, "a TCP port")),
            )
            self.give(f"{path}.port", int(value) if value else None)
        else:
            self.ask_spec(path, label, name, user)
        return True
