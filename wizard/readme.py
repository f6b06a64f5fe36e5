"""The README.md of an output tree: what to do, in order, for this plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath

from wizard import readme_mermaid, readme_products, schema
from wizard.distribution import baseline_clusters
from wizard.plan import NodePlan, Plan
from wizard.questions import TLS_QUESTION
from wizard.render import xmltools
from wizard.render.ansible import readme_section as ansible_section
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
    out += ["## Topology", ""]
    out += readme_mermaid.diagram(plan)
    out += [""]
    baseline = baseline_clusters(stock_labels)
    # What to know before anything: then the steps, in the order the operator works.
    out += [READ_FIRST, ""]
    if baseline:
        out += [
            "> **Product-specific settings are not included** for "
            + ", ".join(f"`{k}`" for k in baseline)
            + ": no distribution was given, so these files were patched from the built-in "
            "Carbon 4.4.x kernel baseline. Merge only the shared-database parts (datasources, "
            "`dbConfig`/`remoteInstance`/`mount`, the realm `dataSource`) into the product's "
            'own files (step 4), or regenerate with `distribution = "<zip or PRODUCT_HOME>"` '
            "for each product to get complete files.",
            "",
        ]
    out += [f"- {note}" for note in plan.notes]
    out += [""] if plan.notes else []
    out += _datasources_section(plan, node_files or {})
    out += [NEXT_STEPS, ""]
    out += _database_steps(plan, sql_files)
    out += _driver_step(plan)
    files = node_files or {}
    out += _copy_step(plan, set(baseline), files)
    wiring = readme_products.section(plan, 5, lambda n, path: path in files.get(n.id, {}))
    out += wiring
    number = 6 if wiring else 5
    vault = vault_readme(plan)
    if vault:
        out += [vault.replace("## Secure Vault", f"### {number}. Secure Vault", 1)]
        number += 1
    out += _start_step(plan, number)
    out += _verify_step(plan, number + 1)
    out += ansible_section(plan, set(baseline))
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


READ_FIRST = "## Read before you start"


def next_steps_section(readme_text: str) -> str:
    """What to read first (files left to merge by hand, notes) and the ordered steps: what
    both front ends show after writing. A write result that opened at step 1 hid the
    warnings the README puts before it."""
    start = readme_text.find(NEXT_STEPS)
    if start < 0:
        return readme_text
    end = readme_text.find("\n## ", start + len(NEXT_STEPS))
    steps = readme_text[start : end if end > 0 else None].strip() + "\n"
    first = readme_text.find(READ_FIRST)
    if first < 0 or first > start:
        return steps
    ends = readme_text.find("\n## ", first + len(READ_FIRST))
    read_first = readme_text[first : ends if ends > 0 else start].strip()
    if read_first == READ_FIRST:
        return steps
    return read_first + "\n\n" + steps


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


def _copy_step(
    plan: Plan, baseline: set[str], node_files: Mapping[str, Mapping[str, bytes]]
) -> list[str]:
    out = [
        "### 4. Put each node's files in place",
        "",
        "Each `nodes/<id>/` folder mirrors PRODUCT_HOME. The files hold database passwords: "
        "keep them mode 0600 on the node, owned by the user that runs the server. Stop a "
        "node that runs before its files change.",
        "",
    ]
    copied = [n for n in plan.nodes if n.product_key not in baseline]
    merged = [n for n in plan.nodes if n.product_key in baseline]
    if copied:
        out += [
            "Copy them over PRODUCT_HOME. These lines are dry runs (`-n`): they list what "
            "would change and change nothing; then run each again with `-rv` in place of "
            "`-rvn`:",
            "",
            "```sh",
        ]
        for node in copied:
            out.append(
                f"rsync -rvn --chmod=D700,F600 nodes/{node.id}/ {node.host}:<PRODUCT_HOME>/  "
                f"# {node.product_label} {node.version}, dry run"
            )
        out += ["```", ""]
    if merged:
        out += [
            "These nodes were patched from the kernel baseline, so **do not copy their XML "
            "files over the product's own**: that would drop the product's handlers and "
            "datasources. Merge instead: for each file below, compare the node's own copy "
            "with the tree's and carry over the shared datasources, the "
            "`dbConfig`/`remoteInstance`/`mount` block and the realm `dataSource` (plus what "
            "step 5 lists). Copy the tree's file to the node first (here as `.planned`), then "
            "compare there:",
            "",
            "```sh",
        ]
        for node in merged:
            # Only what the tree holds: the baseline has no product file (identity.xml,
            # api-manager.xml, ...), and a command for one failed with "No such file".
            held = node_files.get(node.id)
            for path in (p for p in _node_files(node) if held is None or p in held):
                out.append(
                    f"scp nodes/{node.id}/{path} {node.host}:<PRODUCT_HOME>/{path}.planned && "
                    f"ssh {node.host} diff -u <PRODUCT_HOME>/{path} <PRODUCT_HOME>/{path}.planned"
                )
        out += [
            "```",
            "",
            "Delete each `.planned` copy once merged: it holds the passwords.",
            "",
        ]
    return out


def _node_files(node: NodePlan) -> list[str]:
    """The node's patched configuration files (under PRODUCT_HOME), in a fixed order."""
    from wizard.render.node import render_node_paths

    paths = [p for p in render_node_paths(node) if p.endswith(".xml")]
    return list(dict.fromkeys(paths))


def _start_step(plan: Plan, number: int) -> list[str]:
    firsts = [f"`{p.nodes[0].id}` ({p.key})" for p in plan.topology.products]
    return [
        f"### {number}. Start the nodes",
        "",
        "Start one node per product first and wait for `WSO2 Carbon started` in its log: "
        + ", ".join(firsts)
        + ". The first node fills the shared registry partitions with the product's "
        "defaults; then start the others.",
        "",
        "Each node records its registry mounts in its own local database (`/_system/local`, "
        "the node's H2 file under `repository/database/`). The mounts here are "
        '`overwrite="true"`, so a node that was already started with its stock files needs '
        "nothing more: stop it, put these files in place and start it, and it mounts the "
        "shared partitions over what it kept locally (WSO2 Carbon 4.4 registry: a mount "
        'with overwrite="true" replaces a resource at its path; only overwrite="false" '
        "refuses). **Do not delete `repository/database/WSO2CARBON_DB*`**: it is the "
        "node's local registry, shipped pre-populated (on Identity Server it also holds "
        "data the pack created at build time), and the node cannot start without it.",
        "",
        *_deployment_sync(plan),
    ]


def _deployment_sync(plan: Plan) -> list[str]:
    """What clustering and this tree do not copy between the nodes of a cluster: deployed
    artifacts. Carbon 4.4's clustering guide keeps `repository/deployment/server` the same on
    every node of a cluster (its Deployment Synchronizer; AS500 "Introduction to Deployment
    Synchronizer", https://wso2docs.atlassian.net/wiki/spaces/AS500/pages/24510781)."""
    clusters = [p.key for p in plan.topology.products if len(p.nodes) > 1]
    if not clusters:
        return []
    return [
        "What is deployed on one node (the `repository/deployment/server` folder of "
        "PRODUCT_HOME, or of the EI profile: proxies, APIs, services, web apps, Carbon apps) "
        "reaches no other node: neither Hazelcast clustering nor this tree copies it. Deploy "
        "each artifact on every node of "
        + ", ".join(f"`{key}`" for key in clusters)
        + ", or keep that folder the same on all of them (a shared file system, or rsync "
        "from one node), as WSO2's Carbon 4.4 clustering guide has it (Deployment "
        "Synchronizer).",
        "",
    ]


def _verify_step(plan: Plan, number: int) -> list[str]:
    return [
        f"### {number}. Verify",
        "",
        "On each node, check that it reaches every database it uses (its network is not "
        "this machine's):",
        "",
        "```sh",
        "sh <PRODUCT_HOME>/check-databases.sh",
        "```",
        "",
        "Here, check this tree again after any hand edit (the same rules the wizard applied):",
        "",
        "```sh",
        "carbon-wizard check .",
        "```",
        "",
        "In each node's `repository/logs/wso2carbon.log` (EI profiles: under "
        "`wso2/<profile>/`), `WSO2 Carbon started` must come without a datasource or "
        "mount ERROR before it.",
        "",
    ]


# The kernel's pool settings, which a datasource the stock file lacks gets (render.datasources).
_NEW_POOL = "maxActive 50, maxWait 60000, validationInterval 30000"
# Why an engine's validationQuery is not the stock files' `SELECT 1` (reference §4.1).
_QUERY_REASONS = {
    "oracle": "Oracle refuses a SELECT without FROM",
    "db2": "DB2 refuses a SELECT without FROM",
    "postgresql": (
        "where defaultAutoCommit is false; with it true the stock `SELECT 1` stays. WSO2's "
        "PostgreSQL guide adds the COMMIT to end the transaction a validation opens; with "
        "auto-commit on there is none, and PostgreSQL would log 'there is no transaction in "
        "progress' on every validation"
    ),
}


def _datasources_section(plan: Plan, node_files: Mapping[str, Mapping[str, bytes]]) -> list[str]:
    """The JDBC driver, TLS, and each datasource setting that differs from the stock files."""
    engine, db = plan.engine, plan.topology.database
    out = ["## Datasources: driver, TLS, and what differs from the stock files", ""]
    out.append(
        f"**Driver:** `{engine.driver_class}` (`{engine.driver_jar}`), URLs "
        f"`{engine.url('HOST', engine.default_port, 'DB', '')}`."
    )
    if engine.jdbc_drivers and db.jdbc_driver == "mariadb":
        out[-1] += (
            ' This is MariaDB Connector/J, chosen with `jdbc_driver = "mariadb"`; WSO2\'s '
            "4.4.x guide (Changing to MariaDB) reaches MariaDB with the MySQL driver "
            "(`com.mysql.jdbc.Driver`, `jdbc:mysql://` URLs, mysql-connector-java 5.1): leave "
            "jdbc_driver out for that. The databases and scripts are the same either way."
        )
    elif engine.jdbc_drivers:
        out[-1] += (
            " MariaDB is reached as WSO2's 4.4.x guide (Changing to MariaDB) does it: with "
            'the MySQL driver, URLs and scripts. `jdbc_driver = "mariadb"` under [database] '
            "switches the datasources to MariaDB Connector/J (`org.mariadb.jdbc.Driver`, "
            "`jdbc:mariadb://` URLs, mariadb-java-client in the lib folder instead); the "
            "databases and scripts stay the same."
        )
    out += ["", _tls_line(plan), ""]
    out += [
        "**Datasource settings changed from the stock files, and why.** A shared datasource "
        "the stock file defines (e.g. `WSO2AM_DB`, `BPS_DS`) is edited in place; the others "
        "are added. Of a stock datasource only these change:",
        "",
        "- `url`, `username`, `password`, `driverClassName`: the shared database instead of "
        "the node's embedded H2 one, which is what the tree is for. A stock `encrypted` or "
        "`svns:secretAlias` attribute goes with the old password.",
    ]
    reason = _QUERY_REASONS.get(engine.kind)
    queries = {engine.validation_query, engine.validation_query_for(False)} - {"SELECT 1"}
    if reason and queries:
        out.append(
            "- `validationQuery`: " + " / ".join(f"`{q}`" for q in sorted(queries)) + " instead "
            f"of the stock `SELECT 1` ({reason})."
        )
    out += [
        "- `testOnBorrow`: `true`, as every stock file has it; added where a file lacks it, so "
        "that a connection the database dropped is replaced, not handed out (not where the "
        "stock datasource tests idle connections instead, as DAS's analytics ones do).",
        "",
        "Kept as the stock file has them: `defaultAutoCommit` (WSO2's guides change only the "
        "connection settings) and every pool setting. A datasource a stock file lacks gets "
        f"the kernel's pool settings ({_NEW_POOL}){_stock_pools(plan)}. Per datasource:",
        "",
        "| product | file | datasource | defaultAutoCommit | validationQuery |",
        "|---|---|---|---|---|",
    ]
    out += [f"| {' | '.join(row)} |" for row in _datasource_rows(plan, node_files)]
    return [*out, ""]


def _stock_pools(plan: Plan) -> str:
    """The product pool settings a datasource added to a file without it also gets."""
    by_pool: dict[str, set[str]] = {}
    for node in plan.nodes:
        for ds in node.datasources:
            if ds.stock_pool:
                pool = ", ".join(f"{k} {v}" for k, v in ds.stock_pool)
                by_pool.setdefault(pool, set()).add(ds.name)
    return "".join(
        f", plus {pool} for {' and '.join(sorted(names))}, as the product ships them"
        for pool, names in sorted(by_pool.items())
    )


def _tls_line(plan: Plan) -> str:
    engine, db = plan.engine, plan.topology.database
    options = engine.tls_url_options
    if options is None:
        return f"**TLS:** {engine.tls_default}. {engine.tls_how}."
    if db.url_options is not None:
        return (
            f"**TLS:** the URLs carry your `url_options` (`{db.url_options}`), which decide "
            f"it. `tls = true` in their place writes `{options}`; then {engine.tls_trust}."
        )
    if db.tls:
        return (
            f"**TLS:** on (`tls = true`): every URL carries `{options}`, so the driver "
            "encrypts and refuses a server whose certificate it cannot check. Before the "
            f"nodes start, {engine.tls_trust}."
        )
    return (
        f"**TLS:** off: {engine.tls_default}. To turn it on, answer yes to “{TLS_QUESTION}” "
        "on the Database step (`tls = true` under "
        f"[database] in an answers file) and regenerate: the URLs then carry `{options}`, and "
        f"{engine.tls_trust}."
    )


def _datasource_rows(
    plan: Plan, node_files: Mapping[str, Mapping[str, bytes]]
) -> list[tuple[str, ...]]:
    """Each product cluster's shared datasources as its first node's files hold them (the
    plan's values where the tree has no files)."""
    rows: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for node in plan.nodes:
        if node.product_key in seen:
            continue
        seen.add(node.product_key)
        written = _written_settings(node.conf_dir, node_files.get(node.id, {}))
        for ds in node.datasources:
            auto, query = written.get(
                (ds.file, ds.name), (str(ds.auto_commit).lower(), ds.validation_query)
            )
            shown = auto if auto is not None else "unset (the driver's default: on)"
            rows.append((node.product_key, f"`{ds.file}`", ds.name, shown, f"`{query}`"))
    return rows


def _written_settings(
    conf_dir: str, files: Mapping[str, bytes]
) -> dict[tuple[str, str], tuple[str | None, str]]:
    """(file, datasource) -> (defaultAutoCommit or None, validationQuery) as written."""
    out: dict[tuple[str, str], tuple[str | None, str]] = {}
    prefix = f"{conf_dir}/"
    for path, content in files.items():
        if not (path.startswith(prefix) and path.endswith("-datasources.xml")):
            continue
        root = xmltools.parse(content).getroot()
        for d in root.iterfind("datasources/datasource"):
            config = d.find("definition/configuration")
            if config is None:
                continue
            auto = config.findtext("defaultAutoCommit")
            key = (path[len(prefix) :], (d.findtext("name") or "").strip())
            out[key] = (auto.strip() if auto else None, config.findtext("validationQuery") or "")
    return out
