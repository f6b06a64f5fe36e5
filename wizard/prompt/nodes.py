"""The Nodes step: each product's nodes (id, host, port offset) and the cluster options."""

from __future__ import annotations

from questionary import Choice

from wizard import steps
from wizard.prompt.asking import CONTINUE, Asking, checker, int_checker, optional
from wizard.questions import (
    ADD_HOSTS,
    CLUSTERING,
    DRIVER_JAR,
    NODE_HOST,
    NODE_ID,
    NODE_OFFSET,
    PORT_OFFSETS,
    SECURE_VAULT,
)

_CLUSTER_QUESTIONS = {
    "clustering": (CLUSTERING.question, True),
    "port_offsets": (PORT_OFFSETS.question, True),
    "secure_vault": (SECURE_VAULT.question, False),
}
"""The cluster's yes/no answers: the question and the model's default (left out)."""


class NodesStep(Asking):
    def step_nodes(self) -> str:
        self.header("nodes")
        for i, product in enumerate(self.products()):
            if not product.get("nodes"):
                self.add_nodes(i)
        while True:
            left = self.settle("nodes")
            self.show_nodes()
            action = self.menu(
                "Nodes",
                [
                    Choice("Add nodes from a host pattern (e.g. 10.0.1.{11..13})", "add"),
                    Choice("Change a node (id, host, offset)", "change"),
                    Choice("Remove a node", "remove"),
                    Choice("Cluster options (clustering, port offsets)", "cluster"),
                ],
            )
            if action == CONTINUE:
                if self.done("nodes", left):
                    return "layout"
            elif action == "add":
                self.add_nodes(self.pick_product("Add nodes to which product?"))
            elif action in ("change", "remove"):
                picked = self.pick_node("Which node?")
                if picked is None:
                    continue
                pi, ni = picked
                if action == "remove":
                    self.draft.remove_node(pi, ni)
                else:
                    for field in ("id", "host", "offset"):
                        self.ask_node_field(pi, ni, field)
            elif action == "cluster":
                self.ask_cluster_field("clustering")
                self.ask_cluster_field("port_offsets")

    def show_nodes(self) -> None:
        cluster = self.answers.get("cluster") or {}
        for product in self.products():
            self.say(self.product_label(product))
            for node in product.get("nodes") or []:
                if isinstance(node, dict):
                    self.say(
                        f"  {node.get('id', '?'):<16} {node.get('host', '?'):<24} "
                        f"offset {node.get('offset', 0)}"
                    )
        clustering = "on" if cluster.get("clustering", True) else "off"
        self.say(f"Hazelcast clustering: {clustering}")

    def pick_node(self, message: str) -> tuple[int, int] | None:
        choices = [
            Choice(f"{node.get('id', '?')} ({node.get('host', '?')})", (pi, ni))
            for pi, product in enumerate(self.products())
            for ni, node in enumerate(product.get("nodes") or [])
            if isinstance(node, dict)
        ]
        if not choices:
            self.say("There are no nodes yet.")
            return None
        pi, ni = self.select(message, choices)
        return int(pi), int(ni)

    def add_nodes(self, pi: int) -> None:
        from wizard.fields import check_host, check_node_id

        product = self.products()[pi]
        label = self.product_name(product)

        def check_pattern(value: str) -> None:
            for host in steps.expand_hosts(value):
                check_host(host)

        pattern = self.text(
            ADD_HOSTS.ask(product=label),
            validate=checker(check_pattern),
            keep_refused=True,  # a pattern or a list of hosts: mended, not typed again
        )
        prefix = self.text(
            "Node ids are <prefix>-<number>; prefix:",
            default=self.draft.node_key(pi),
            validate=checker(lambda v: check_node_id(f"{v}-1")),
        )
        hosts = steps.expand_hosts(pattern)
        added = self.draft.add_nodes(pi, hosts, prefix)
        self.draft.touched.add(f"products[{pi}].nodes")
        self.say("Added: " + ", ".join(f"{n} ({h})" for n, h in zip(added, hosts, strict=True)))

    def ask_node_field(self, pi: int, ni: int, field: str) -> None:
        from wizard.catalog import MAX_OFFSET
        from wizard.fields import check_host, check_node_id

        path = f"products[{pi}].nodes[{ni}]"
        node = self.get(path)
        name = node.get("id", f"node {ni + 1}")
        if field == "id":
            self.give(
                f"{path}.id",
                self.text(
                    NODE_ID.ask(),
                    default=str(node.get("id", "")),
                    validate=checker(check_node_id),
                ),
            )
        elif field == "host":
            self.give(
                f"{path}.host",
                self.text(
                    NODE_HOST.ask(node=name),
                    default=str(node.get("host", "")),
                    validate=checker(check_host),
                    # A host name: one slip (db..example.com) in a long name, mended in
                    # place, as the form keeps it in its box.
                    keep_refused=True,
                ),
            )
        elif field == "offset":
            value = int(
                self.text(
                    NODE_OFFSET.ask(node=name, host=str(node.get("host", "?"))),
                    default=str(node.get("offset", 0)),
                    validate=int_checker(0, MAX_OFFSET, "a port offset"),
                )
            )
            if value or "offset" in node:
                self.give(f"{path}.offset", value)
        elif field == "member_port":
            text = self.text(
                f"Cluster member port of {name} (empty: 4000 + offset):",
                default=str(node.get("member_port", "")),
                validate=optional(int_checker(1, 65535, "a TCP port")),
            )
            self.give(f"{path}.member_port", int(text) if text else None)

    def ask_cluster_field(self, field: str) -> None:
        cluster = self.answers.get("cluster")
        current = cluster if isinstance(cluster, dict) else {}
        if field in _CLUSTER_QUESTIONS:
            message, default = _CLUSTER_QUESTIONS[field]
            value = self.confirm(message, default=bool(current.get(field, default)))
            if value != default or field in current:
                self.give(f"cluster.{field}", value)
        elif field == "driver_jar":
            text = self.text(
                DRIVER_JAR.question,
                default=str(current.get("driver_jar", "")),
            )
            self.give("cluster.driver_jar", text or None)
