"""Plan -> the files of the output tree, in memory.

Everything the operator gets is rendered here from one Plan: the per-node files (patched
stock XML), the database scripts, topology.toml/.txt, manifest.json, README.md and
SHA256SUMS. The preview renders the same tree from the redacted plan, so what the operator
reviews is what gets written.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from wizard import answers, picture, readme
from wizard.distribution import (
    Stock,
    baseline_clusters,
    check_matches,
    detect,
    missing_scripts,
    open_stock,
)
from wizard.engines import url_host
from wizard.plan import Plan, require_secrets
from wizard.problems import AnswersError, Problem, join_path
from wizard.render import ansible
from wizard.render.checkscript import check_databases_script
from wizard.render.node import render_node, stock_files
from wizard.render.sql import setup_script_paths, setup_scripts
from wizard.schema import schema_steps

GENERATOR = "carbon-wizard 0.1.0"
CHECK_SCRIPT = "check-databases.sh"


@dataclass
class Tree:
    files: dict[str, bytes]
    """Tree-relative POSIX path -> content."""
    readme: str
    executables: frozenset[str] = field(default_factory=frozenset)
    stock_labels: dict[str, str] = field(default_factory=dict)
    """Product cluster key -> where its stock files came from."""
    node_files: dict[str, dict[str, bytes]] = field(default_factory=dict)
    """Node id -> its patched files by path under PRODUCT_HOME (the same bytes as `files`)."""

    @property
    def baseline(self) -> tuple[str, ...]:
        """Product cluster keys whose files come from the kernel baseline: merged by hand,
        refused by the push."""
        return baseline_clusters(self.stock_labels)


@dataclass(frozen=True)
class FileDiff:
    node: str
    path: str
    """Path relative to the node folder (= PRODUCT_HOME)."""
    diff: str


def build(plan: Plan) -> Tree:
    """The tree to write: refuses missing or placeholder passwords and unusable
    distributions, all of them in one report."""
    problems: list[Problem] = []
    try:
        require_secrets(plan)
    except AnswersError as exc:
        problems += exc.problems
    try:
        stocks = _stocks(plan)
    except AnswersError as exc:
        problems += exc.problems
    if problems:
        raise AnswersError(problems)
    return _render(plan, stocks)


def preview(plan: Plan) -> Tree:
    """The same tree with every password redacted; never needs a secret."""
    return _render(plan.redacted())


def diffs(plan: Plan) -> list[FileDiff]:
    """Per node, per file: a unified diff against the stock file (passwords redacted)."""
    plan = plan.redacted()
    stocks = _stocks(plan)
    rendered = {n.id: render_node(n, stocks[n.product_key]) for n in plan.nodes}
    return _diffs(plan, stocks, rendered)


def review(plan: Plan) -> tuple[Tree, list[FileDiff]]:
    """`preview` and `diffs` from one rendering."""
    reviewed = Review(plan)
    return reviewed.tree, reviewed.diffs()


class Review:
    """What a preview screen shows: the preview tree (passwords redacted) and each node
    file's diff against its stock file, diffed only when asked for. A big estate has
    thousands of files and the screen shows one diff at a time."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan.redacted()
        self._stocks = _stocks(self.plan)
        self.tree = _render(self.plan, self._stocks)
        self._nodes = {node.id: node for node in self.plan.nodes}
        self._before: dict[str, dict[str, bytes]] = {}

    @property
    def files(self) -> dict[str, list[str]]:
        """Node id -> the paths of its files, in the order `diffs` lists them."""
        return {node_id: list(files) for node_id, files in self.tree.node_files.items()}

    def diff(self, node_id: str, path: str) -> FileDiff:
        node = self._nodes[node_id]
        before = self._before.get(node_id)
        if before is None:
            before = self._before[node_id] = stock_files(node, self._stocks[node.product_key])
        return _file_diff(node_id, path, before.get(path), self.tree.node_files[node_id][path])

    def diffs(self) -> list[FileDiff]:
        return [self.diff(n, p) for n, paths in self.files.items() for p in paths]


def _diffs(
    plan: Plan, stocks: dict[str, Stock], rendered: dict[str, dict[str, bytes]]
) -> list[FileDiff]:
    out = []
    for node in plan.nodes:
        before = stock_files(node, stocks[node.product_key])
        for path, new in rendered[node.id].items():
            out.append(_file_diff(node.id, path, before.get(path), new))
    return out


def _file_diff(node_id: str, path: str, old: bytes | None, new: bytes) -> FileDiff:
    if path.endswith(".jar"):
        # The driver jar is copied as it is; a diff of its bytes says nothing.
        return FileDiff(
            node_id, path, f"Binary file nodes/{node_id}/{path} ({len(new)} bytes) is added\n"
        )
    body = _diff_body(old, new)
    head = f"--- {f'stock/{path}' if old is not None else '/dev/null'}\n"
    return FileDiff(node_id, path, f"{head}+++ nodes/{node_id}/{path}\n{body}" if body else "")


@lru_cache(maxsize=1024)
def _diff_body(old: bytes | None, new: bytes) -> str:
    """The hunks of a unified diff, without its two header lines; nodes of one cluster share
    most of their files, so each distinct pair is diffed once."""
    old_lines = _text(old).splitlines(keepends=True) if old is not None else []
    lines = list(difflib.unified_diff(old_lines, _text(new).splitlines(keepends=True)))
    return "".join(lines[2:])


def next_steps(tree: Tree) -> str:
    """The README's ordered steps, for the end of the TUI and the CLI."""
    return readme.next_steps_section(tree.readme)


def _render(plan: Plan, stocks: dict[str, Stock] | None = None) -> Tree:
    stocks = stocks if stocks is not None else _stocks(plan)
    files: dict[str, bytes] = {}
    sums: dict[str, str] = {}
    """Tree path -> SHA-256, computed once for the manifest and SHA256SUMS alike."""
    digests: dict[int, str] = {}
    heads = _HeadHashes()

    def digest(content: bytes) -> str:
        # The renderers share one bytes object among a cluster's identical files, so each
        # is hashed once; `node_files` keeps every one alive, so no id is reused.
        key = id(content)
        if key not in digests:
            digests[key] = heads.sha(content)
        return digests[key]

    executables: set[str] = set()
    node_entries = []
    node_files: dict[str, dict[str, bytes]] = {}
    for node in plan.nodes:
        rendered = render_node(node, stocks[node.product_key])
        node_files[node.id] = rendered
        script = f"nodes/{node.id}/{CHECK_SCRIPT}"
        files[script] = check_databases_script(node, plan).encode()
        executables.add(script)
        for path, content in rendered.items():
            files[f"nodes/{node.id}/{path}"] = content
        node_entries.append(
            {
                "id": node.id,
                "product": node.product,
                "product_key": node.product_key,
                "version": node.version,
                "profile": node.profile,
                "host": node.host,
                "offset": node.offset,
                "https_port": node.https_port,
                "http_port": node.http_port,
                "conf_dir": node.conf_dir,
                "lib_dir": node.lib_dir,
                "stock": stocks[node.product_key].label,
                "load_balancer": _host_port(node.load_balancer),
                "files": [
                    {
                        "path": path,
                        "sha256": sums.setdefault(f"nodes/{node.id}/{path}", digest(content)),
                    }
                    for path, content in sorted(rendered.items())
                ],
            }
        )
    sql = setup_scripts(plan)
    files.update({path: text.encode() for path, text in sql.items()})
    labels = {key: stock.label for key, stock in stocks.items()}
    files.update(
        ansible.render(plan, files, frozenset(executables), set(baseline_clusters(labels)))
    )
    manifest = _manifest(plan, node_entries)
    # A script the README runs from a distribution that lacks it is a warning, not a refusal:
    # the node files are still right, and WSO2 ships some scripts for no engine of a kind
    # (no DB2 message-broker store script), so another distribution would not help; the
    # operator must know before running the steps, which the README's notes say.
    notes = _missing_script_notes(plan, manifest, stocks)
    readme_text = readme.render(
        replace(plan, notes=plan.notes + notes) if notes else plan,
        sql_files=sorted(sql),
        stock_labels=labels,
        node_files=node_files,
    )
    files["README.md"] = readme_text.encode()
    files["topology.toml"] = answers.dumps(plan.topology, header=_TOML_HEADER).encode()
    files["topology.txt"] = picture.render(plan).encode()
    files["manifest.json"] = _json(manifest).encode()
    files["SHA256SUMS"] = "".join(
        f"{sums.get(path) or _sha(content)}  {path}\n" for path, content in sorted(files.items())
    ).encode()
    return Tree(files, readme_text, frozenset(executables), labels, node_files)


def _stocks(plan: Plan) -> dict[str, Stock]:
    """One stock source per product cluster; a distribution must match the answers."""
    stocks: dict[str, Stock] = {}
    problems = []
    for pi, product in enumerate(plan.topology.products):
        path = join_path("products", pi, "distribution")
        try:
            stock = open_stock(product.distribution)
            if product.distribution:
                message = check_matches(product, detect(product.distribution, stock), path)
                if message:
                    problems.append(Problem(path, message))
        except Exception as exc:  # DistributionError and OS errors carry the operator's message
            problems.append(Problem(path, str(exc)))
            continue
        stocks[product.key] = stock
    if problems:
        raise AnswersError(problems)
    return stocks


def _missing_script_notes(
    plan: Plan, manifest: dict[str, object], stocks: dict[str, Stock]
) -> tuple[str, ...]:
    """What the README must say about schema scripts a given distribution lacks."""
    labels = {node.product_key: f"{node.product_label} {node.version}" for node in plan.nodes}
    notes = []
    for key, stock in stocks.items():
        for database, scripts in missing_scripts(manifest, key, stock).items():
            listed = ", ".join(f"`{s}`" for s in scripts)
            notes.append(
                f"{labels.get(key, key)} ({key}): the {stock.label} has no {listed}, which "
                f"step 2 runs from it for `{database}`; run {_them(scripts)} from a complete "
                f"{labels.get(key, key)} PRODUCT_HOME, or create those tables another way, "
                "before the first node starts."
            )
    return tuple(notes)


def _them(items: list[str]) -> str:
    return "it" if len(items) == 1 else "them"


def _manifest(plan: Plan, nodes: list[dict[str, object]]) -> dict[str, object]:
    steps = {step.database_key: step for step in schema_steps(plan)}
    setup = setup_script_paths(plan)
    top = plan.topology
    databases = []
    for db in plan.databases:
        databases.append(
            {
                "key": db.key,
                "role": db.role,
                "engine": db.engine,
                "host": db.host,
                "port": db.port,
                "name": db.name,
                "user": db.user,
                "password_env": db.password_env,
                "datasource": db.datasource_name,
                "jndi_name": db.jndi_name or None,  # None: looked up by datasource name
                "url": db.url,
                "cache_id": db.cache_id,
                "products": list(db.products),
                "nodes": list(db.nodes),
                "schema_scripts": list(steps[db.key].scripts),
                # Whose PRODUCT_HOME the README runs them from (`distribution.missing_scripts`).
                "scripts_from": list(steps[db.key].products) if steps[db.key].scripts else [],
                "setup_script": setup.get(db.key),
            }
        )
    manifest = {
        "generator": GENERATOR,
        "schema_version": 1,
        "name": top.name,
        "engine": top.database.engine,
        "layout": top.database.layout,
        "clustering": top.cluster.clustering,
        "port_offsets": top.cluster.port_offsets,
        "secure_vault": top.cluster.secure_vault,
        "driver_jars": top.cluster.driver_jar is not None,
        "ansible": ansible.paths(plan),
        "nodes": nodes,
        "databases": databases,
    }
    return manifest


def _host_port(address: tuple[str, int] | None) -> str | None:
    if address is None:
        return None
    host, port = address
    return f"{url_host(host)}:{port}"


def _json(manifest: dict[str, object]) -> str:
    """manifest.json with one line per node and per database: `indent` would send every value
    through json's pure-Python encoder, which costs more than the rest of the manifest."""
    parts = []
    for key, value in manifest.items():
        name = json.dumps(key)
        if isinstance(value, list) and value:
            items = ",\n".join("    " + json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f"  {name}: [\n{items}\n  ]")
        else:
            parts.append(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class _HeadHashes:
    """SHA-256 of files that share a long head: a cluster's axis2.xml files are one file
    but for each node's localMemberHost, so the bytes before it are hashed once per cluster
    and each node's file from there on (~15 ms of 30 MB at 1000 nodes)."""

    MARK = b"localMemberHost"
    MIN_HEAD = 4096

    def __init__(self) -> None:
        self._last: tuple[bytes, Any] | None = None
        """The last head and the hash state after it: a cluster's nodes come one after
        another, so a file that starts with it is not searched for the mark."""

    def sha(self, content: bytes) -> str:
        last = self._last
        if last is None or not content.startswith(last[0]):
            cut = content.find(self.MARK)
            if cut < self.MIN_HEAD:
                return _sha(content)
            head = content[:cut]
            last = self._last = (head, hashlib.sha256(head))
        state = last[1].copy()
        state.update(memoryview(content)[len(last[0]) :])
        return state.hexdigest()


def _text(content: bytes) -> str:
    # Stock files may be ISO-8859-1 (registry.xml declares it); diffs only need to be readable.
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


_TOML_HEADER = """\
# The answers that produced this tree. Passwords are not stored here: each database names
# the environment variable (password_env) that must hold its password. To reproduce the tree:
#   export <each password_env variable>=...
#   carbon-wizard generate --answers topology.toml --out <dir>

"""
