"""The README.md of an output tree: what to do, in order, for this plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath

from wizard import readme_products, schema
from wizard.plan import Plan
from wizard.render.securevault import vault_readme

NEXT_STEPS = "## Next steps"


def render(
    plan: Plan,
    *,
    sql_files: Sequence[str],
    stock_labels: Mapping[str, str],
    node_files: Mapping[str, Mapping[str, bytes]] | None = None,
) -> str:
    """`node_files` (node id -> paths under PRODUCT_HOME) says which product files the tree
    holds; the others are listed element by element for the operator to set."""
    top = plan.topology
    out: list[str] = [f"# {top.name}: WSO2 cluster configuration", ""]
    if top.description:
        out += [top.description, ""]
    out += [
        f"Written by carbon-wizard for {len(plan.nodes)} node(s) of "
        f"{len(top.products)} product cluster(s) on {plan.engine.label} "
        f"(registry layout '{top.database.layout}'). The picture is in `topology.txt`; "
        "`manifest.json` lists every file with its SHA-256 (`sha256sum -c SHA256SUMS`).",
        "",
        "| node | product | host | offset | HTTPS | HTTP | files under PRODUCT_HOME |",
        "|---|---|---|---|---|---|---|",
    ]
    for node in plan.nodes:
        out.append(
            f"| {node.id} | {node.product_label} {node.version} | {node.host} | {node.offset} "
            f"| {node.https_port} | {node.http_port} | `{node.conf_dir}/` |"
        )
    out.append("")
    baseline = [key for key, label in stock_labels.items() if "baseline" in label]
    if baseline:
        out += [
            "> **Product-specific settings are not included** for "
            + ", ".join(f"`{k}`" for k in baseline)
            + ": no distribution was given, so these files were patched from the built-in "
            "Carbon 4.4.x kernel baseline. Copy only the shared-database parts (datasources, "
            "`dbConfig`/`remoteInstance`/`mount`, the realm `dataSource`) into the product's "
            'own files, or regenerate with `distribution = "<zip or PRODUCT_HOME>"` for '
            "each product to get complete files.",
            "",
        ]
    out += [NEXT_STEPS, ""]
    out += _database_steps(plan, sql_files)
    out += _driver_step(plan)
    out += _copy_step(plan, set(baseline))
    files = node_files or {}
    wiring = readme_products.section(plan, 5, lambda n, path: path in files.get(n.id, {}))
    out += wiring
    number = 6 if wiring else 5
    vault = vault_readme(plan)
    if vault:
        out += [vault.replace("## Secure Vault", f"### {number}. Secure Vault", 1)]
        number += 1
    out += _start_step(plan, number)
    if plan.notes:
        out += ["## Read before you start", ""]
        out += [f"- {note}" for note in plan.notes]
        out.append("")
    out += [
        "## Regenerate",
        "",
        "`topology.toml` holds the answers without passwords. Export the variables it names "
        "in `password_env`, then:",
        "",
        "```sh",
        "carbon-wizard generate --answers topology.toml --out <new-dir>",
        "carbon-wizard check <new-dir>",
        "```",
        "",
    ]
    return "\n".join(out)


def next_steps_section(readme_text: str) -> str:
    start = readme_text.find(NEXT_STEPS)
    if start < 0:
        return readme_text
    end = readme_text.find("\n## Regenerate", start)
    return readme_text[start : end if end > 0 else None].strip() + "\n"


def _database_steps(plan: Plan, sql_files: Sequence[str]) -> list[str]:
    return [
        "### 1. Create the databases and users (database admin)",
        "",
        "Setup scripts, one per database server: "
        + ", ".join(f"`{f}`" for f in sql_files)
        + ". Run each from this folder (the commands name them as `db/...`). They are safe "
        "to run twice and drop nothing. They hold the database passwords: delete any copy "
        "once it has run.",
        "",
        schema.readme_section(plan).strip(),
        "",
    ]


def _driver_step(plan: Plan) -> list[str]:
    libs = sorted({n.lib_dir for n in plan.nodes})
    jar = plan.topology.cluster.driver_jar
    if jar:
        name = PurePath(jar).name
        return [
            "### 3. The JDBC driver is in the node folders",
            "",
            f"`{name}` (from `{jar}`) is already in every node folder, under "
            + " / ".join(f"`{lib}/`" for lib in libs)
            + ": step 4 puts it in place. Carbon turns it into an OSGi bundle at start-up; "
            "do not put it in `dropins`.",
            "",
        ]
    return [
        "### 3. Place the JDBC driver on every node",
        "",
        f"Copy the {plan.engine.label} driver jar (e.g. `{plan.engine.driver_jar}`) into "
        + " / ".join(f"`<PRODUCT_HOME>/{lib}/`" for lib in libs)
        + " on every node. Carbon turns it into an OSGi bundle at start-up; do not put it "
        "in `dropins`.",
        "",
    ]


def _copy_step(plan: Plan, baseline: set[str]) -> list[str]:
    out = [
        "### 4. Copy each node's files over its PRODUCT_HOME",
        "",
        "Each `nodes/<id>/` folder mirrors PRODUCT_HOME. The files hold database passwords: "
        "keep them mode 0600 on the node, owned by the user that runs the server.",
        "",
    ]
    copied = [n for n in plan.nodes if n.product_key not in baseline]
    merged = [n for n in plan.nodes if n.product_key in baseline]
    if copied:
        out.append("```sh")
        for node in copied:
            out.append(
                f"rsync -rv --chmod=D700,F600 nodes/{node.id}/ {node.host}:<PRODUCT_HOME>/  "
                f"# {node.product_label} {node.version}"
            )
        out += ["```", ""]
    if merged:
        out += [
            "These nodes were patched from the kernel baseline, so **do not copy their XML "
            "files over the product's own**: that would drop the product's handlers and "
            "datasources. Merge instead — compare each file with the node's, and carry over "
            "the shared datasources, the `dbConfig`/`remoteInstance`/`mount` block and the "
            "realm `dataSource`:",
            "",
            "```sh",
        ]
        for node in merged:
            out.append(
                f"diff -u <PRODUCT_HOME>/{node.conf_dir}/registry.xml "
                f"nodes/{node.id}/{node.conf_dir}/registry.xml   # on {node.host}, and so "
                "for each file"
            )
        out += ["```", ""]
    out += [
        "Then, on each node, check that it reaches every database it uses "
        "(its network is not this machine's):",
        "",
        "```sh",
        "sh <PRODUCT_HOME>/check-databases.sh",
        "```",
        "",
    ]
    return out


def _start_step(plan: Plan, number: int) -> list[str]:
    firsts = []
    for product in plan.topology.products:
        firsts.append(f"`{product.nodes[0].id}` ({product.key})")
    return [
        f"### {number}. Start the nodes — the first start matters",
        "",
        "On its first start each node records its registry mounts in its own local database "
        "(`/_system/local`, the node's H2 file). Start one node per product first and wait "
        "for `WSO2 Carbon started` in its log: " + ", ".join(firsts) + ". Then start the "
        "others. Do not start a node with its stock files first: it would record the wrong "
        "mounts. If one was started that way, stop it and delete its "
        "`repository/database/WSO2CARBON_DB*` files before starting it with these files.",
        "",
    ]
