"""The WSO2 rules (reference §8) over a written tree.

`check_files` is the one checker: it reads a tree held in memory (tree-relative POSIX path ->
bytes), with `manifest.json` saying which node folder is which product, on which host, with
which conf dir. `check_tree` only reads a directory into that form. Rule numbers are the
reference's; rule 0 is the tree itself (manifest, node folders, required files).

Not checked here, and why:
- 21 (the stock registry.xml's non-mount content is kept) needs the stock file, which the tree
  does not carry; the registry patcher's tests compare against it.
- 27 and 28 are about the databases' contents; `check-databases.sh` and `probe` look at those.
- 26 is checked only for the product files a tree happens to carry (api-manager.xml,
  identity/identity.xml, consent-mgt-config.xml); the wizard does not write them.
- 32-36 (product level: user store, identity data, IS as Key Manager, load balancers) live
  in `product_rules`; 37 (BPEL, BPMN and broker data shared) in `database_rules`.

The checker is deliberately independent of the renderers: it re-derives everything from the
files, so a renderer bug is not shared by the check that is meant to catch it.
"""

from __future__ import annotations

import io
import ipaddress
import json
import os
import re
import stat
import zipfile
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any, Generic, TypeVar

from lxml import etree

from wizard import catalog

RULE_TITLES: dict[int, str] = {
    0: "The tree has a manifest, and its node folders and files match it",
    1: "Every XML file parses; datasources files have the right root and declare svns",
    2: "master-datasources.xml keeps the RDBMSDataSourceReader provider",
    3: "Every datasource has a name, unique across the node's datasources files",
    4: "JNDI names are non-empty and unique across the node's datasources files",
    5: "Every definition is RDBMS with url, username, password, driver; elements known and typed",
    6: "The JDBC URL's scheme and the driver class agree",
    7: "validationQuery fits the engine and defaultAutoCommit; testOnBorrow is true",
    8: "No URL holds '&amp;' after parsing (an '&' escaped twice)",
    9: "WSO2_CARBON_DB (jdbc/WSO2CarbonDB) is a node-local H2 file used by nothing else",
    10: "The lib folder holds a jar with every non-H2 driver class in use",
    11: "Every Secure Vault alias is in cipher-tool and cipher-text; secret-conf is configured",
    12: "registry.xml: one currentDBConfig, naming the node-local dbConfig",
    13: "Every dbConfig has a unique name and a dataSource defined in the datasources files",
    14: "Every remoteInstance has a unique id and a shared dbConfig, and no username/password",
    15: "remoteInstance readOnly is true|false, registryRoot is '/', enableCache is true",
    16: "remoteInstance cacheId is <username>@<url> of its dbConfig's datasource",
    17: "Every mount has path, instanceId, targetPath; config/governance only; overwrite true",
    18: "Governance is mounted at /_system/governance from one database on every node",
    19: "A product's nodes share one config partition; products on one config DB do not overlap",
    20: "Config and governance use one database (layout shared) or two (layout split)",
    22: "The dbConfig/remoteInstance/mount block is the same on every node of a product",
    23: "The realm dataSource resolves to the shared user store, one database for every node",
    24: "Every UserStoreManager dataSource property resolves",
    25: "user-mgt.xml has the admin, everyone role, TenantManager and AuthorizationManager",
    26: "Every JNDI name a product file uses is defined in the datasources files",
    29: "carbon.xml Ports/Offset is an integer >= 0 and ports are unique per host",
    30: "Hazelcast wka clustering: one domain per product, real and unique member addresses",
    31: "EI 6.x files live under conf/ or wso2/<profile>/conf/, never repository/conf/",
    32: "IS is not on its embedded LDAP when it shares users; all nodes use one primary store",
    33: "identity.xml and consent-mgt-config.xml name a shared, non-H2 datasource per cluster",
    34: "IS as Key Manager defines and names API Manager's WSO2AM_DB (same URL and user)",
    35: "api-manager.xml: API Manager and the key manager name each other's front; WSClient",
    36: "Behind a load balancer: carbon.xml host names and Tomcat proxyPorts are the balancer's",
    37: "BPEL, BPMN (where shared) and broker data: one non-H2 database per cluster of 2+ nodes",
    38: "A loopback database host serves only nodes that all run on that one machine",
    39: "README.md gives what to read first, then the steps in the order the operator works",
}

MANIFEST = "manifest.json"
MASTER_DATASOURCES = "datasources/master-datasources.xml"
SVNS = "http://org.wso2.securevault/configuration"
SECRET_ALIAS = f"{{{SVNS}}}secretAlias"
CARBON_NS = "http://wso2.org/projects/carbon/carbon.xml"
RDBMS_READER = "org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader"
HAZELCAST_AGENT = "org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent"
LOCAL_DATASOURCE = catalog.LOCAL_DATASOURCE
LOCAL_JNDI = catalog.LOCAL_JNDI
CONFIG = catalog.CONFIG_PATH
GOVERNANCE = catalog.GOVERNANCE_PATH
DEFAULT_MEMBER_PORT = catalog.DEFAULT_MEMBER_PORT

T = TypeVar("T")


class _cached(Generic[T]):
    """functools.cached_property without its lock: Python 3.11 takes one on every first
    read, and the rules read ~10 such facts per node."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> T:
        if obj is None:
            return self  # type: ignore[return-value]
        # Stored in the instance's dict, which later reads find first (no __set__ here).
        value = obj.__dict__[self.name] = self.compute(obj)
        return value


@dataclass(frozen=True)
class Finding:
    rule: int
    node: str
    """Node id, or "" for a finding about the whole tree."""
    file: str
    """Path relative to the node folder; tree-relative when `node` is ""."""
    element: str
    """XPath-like locator inside the file, e.g. `remoteInstance[id='gov']/cacheId`."""
    message: str

    def __str__(self) -> str:
        parts = [f"rule {self.rule}", self.node or "tree"]
        parts += [part for part in (self.file, self.element) if part]
        return f"{' · '.join(parts)}: {self.message}"


class _Report:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, rule: int, node: str, file: str, element: str, message: str) -> None:
        self.findings.append(Finding(rule, node, file, element, message))


# ============================================================================================
# Entry points
# ============================================================================================


def check_tree(path: Path) -> list[Finding]:
    """Every regular file under `path`, read into memory and checked by `check_files`."""
    return check_files(_read_tree(Path(path)))


def check_files(files: Mapping[str, bytes]) -> list[Finding]:
    """The rules over a tree held in memory; keys are tree-relative POSIX paths."""
    out = _Report()
    manifest = _load_manifest(files, out)
    shared = _Shared()
    nodes = _node_folders(files, manifest, out, shared)
    for node in nodes:
        _check_node(node, manifest, out, shared)
        node.release()
    _check_across(nodes, out)
    # Imported here, as product_rules: database_rules builds on this module's node model,
    # and reads manifest.json's databases (which product databases a cluster shares).
    from wizard import database_rules

    database_rules.check(nodes, files.get(MANIFEST), out)
    from wizard import readme_rules

    out.findings += readme_rules.check(files.get(readme_rules.README))
    return sorted(out.findings, key=lambda f: (f.node, f.file, f.rule))


def _read_tree(root: Path) -> dict[str, bytes]:
    root = root.resolve()
    files: dict[str, bytes] = {}
    _read_dir(str(root), "", root, files)
    return files


def _read_dir(directory: str, prefix: str, root: Path, files: dict[str, bytes]) -> None:
    """What `os.walk` would list, in its order, without a stat per file: a tree of a
    thousand nodes has thousands of files, and the dirent type says which are plain."""
    try:
        with os.scandir(directory) as listing:
            entries = list(listing)
    except OSError:
        return
    subdirs = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not entry.is_symlink():  # never descends into linked dirs
                subdirs.append(entry)
            continue
        try:
            if entry.is_symlink():
                # A link may point anywhere; only what stays inside the tree is read.
                real = Path(entry.path).resolve()
                if not real.is_relative_to(root) or not stat.S_ISREG(os.stat(real).st_mode):
                    continue
                target = str(real)
            elif entry.is_file(follow_symlinks=False):
                target = entry.path
            else:
                continue  # fifos, sockets, devices: reading one could block or mislead
            with open(target, "rb", buffering=0) as handle:
                files[prefix + entry.name] = handle.read()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop
            continue  # unreadable: the rules then report the file as missing
    for entry in subdirs:
        _read_dir(entry.path, f"{prefix}{entry.name}/", root, files)


# ============================================================================================
# The manifest and the node folders (rule 0)
# ============================================================================================


@dataclass(frozen=True)
class NodeInfo:
    """What the manifest says about one node (guessed from its files when it says nothing)."""

    id: str
    product: str | None
    cluster: str | None
    """Product cluster key (`apim`, `ei-broker`); None when unknown."""
    host: str | None
    conf_dir: str
    lib_dir: str
    driver_jars: bool
    secure_vault: bool
    listed_files: tuple[str, ...] = ()
    load_balancer: str | None = None
    """`host:port` of the node's product cluster's load balancer (rules 35, 36)."""
    offset: int | None = None
    """The manifest's port offset; the rules read carbon.xml's first, which the node obeys."""


@dataclass(frozen=True)
class Manifest:
    present: bool
    layout: str | None
    nodes: tuple[NodeInfo, ...]


def _load_manifest(files: Mapping[str, bytes], out: _Report) -> Manifest:
    absent = Manifest(False, None, ())
    raw = files.get(MANIFEST)
    if raw is None:
        out.add(
            0,
            "",
            MANIFEST,
            "",
            "no manifest.json: the nodes' products and hosts are unknown, so the rules that "
            "compare the nodes of a product or of a host were skipped; regenerate the tree",
        )
        return absent
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        out.add(0, "", MANIFEST, "", f"manifest.json is not JSON ({exc}); regenerate the tree")
        return absent
    if not isinstance(data, dict):
        out.add(0, "", MANIFEST, "", "manifest.json is not a JSON object; regenerate the tree")
        return absent
    if data.get("schema_version") != 1:
        out.add(
            0,
            "",
            MANIFEST,
            "schema_version",
            f"schema_version {data.get('schema_version')!r} is not 1, the version this "
            "checker reads",
        )
    layout = data.get("layout")
    if layout not in ("shared", "split"):
        layout = _layout_from_databases(data.get("databases"))
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, list):
        out.add(0, "", MANIFEST, "nodes", "manifest.json has no list of nodes")
        return Manifest(True, layout, ())
    vault = data.get("secure_vault") is True
    jars = data.get("driver_jars") is True
    nodes: list[NodeInfo] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw_nodes, start=1):
        where = f"nodes[{i}]"
        if not isinstance(entry, dict):
            out.add(0, "", MANIFEST, where, "a node entry is not a JSON object")
            continue
        node_id = entry.get("id")
        if not isinstance(node_id, str) or not _safe_node_id(node_id):
            out.add(0, "", MANIFEST, f"{where}/id", f"{node_id!r} is not a node folder name")
            continue
        if node_id in seen:
            out.add(0, "", MANIFEST, f"nodes[id='{node_id}']", f"node '{node_id}' is listed twice")
            continue
        seen.add(node_id)
        nodes.append(_node_info(node_id, entry, vault, jars))
    return Manifest(True, layout, tuple(nodes))


def _layout_from_databases(databases: object) -> str | None:
    if not isinstance(databases, list):
        return None
    roles = {d.get("role") for d in databases if isinstance(d, dict)}
    if "registry" in roles:
        return "shared"
    if "governance" in roles:
        return "split"
    return None


def _safe_node_id(node_id: str) -> bool:
    return bool(node_id) and node_id not in {".", ".."} and not re.search(r"[/\\\x00]", node_id)


def _node_info(node_id: str, entry: Mapping[str, Any], vault: bool, jars: bool) -> NodeInfo:
    product = _str(entry.get("product"))
    profile = _str(entry.get("profile"))
    conf_dir, lib_dir = _product_dirs(product, profile)
    offset = entry.get("offset")
    listed = entry.get("files")
    paths = tuple(
        f["path"]
        for f in (listed if isinstance(listed, list) else [])
        if isinstance(f, dict) and isinstance(f.get("path"), str)
    )
    return NodeInfo(
        id=node_id,
        product=product,
        cluster=_str(entry.get("product_key")) or product,
        host=_str(entry.get("host")),
        conf_dir=(_str(entry.get("conf_dir")) or conf_dir).strip("/"),
        lib_dir=(_str(entry.get("lib_dir")) or lib_dir).strip("/"),
        driver_jars=jars or entry.get("driver_jars") is True,
        secure_vault=vault or entry.get("secure_vault") is True,
        listed_files=paths,
        load_balancer=_str(entry.get("load_balancer")),
        offset=offset if isinstance(offset, int) and not isinstance(offset, bool) else None,
    )


@lru_cache(maxsize=64)
def _product_dirs(product: str | None, profile: str | None) -> tuple[str, str]:
    spec = catalog.PRODUCTS.get(product or "")
    if spec is not None:
        try:
            chosen = spec.profile(profile if profile and profile != "default" else None)
            return chosen.conf_dir, chosen.lib_dir
        except KeyError:
            pass
    return "repository/conf", "repository/components/lib"


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _node_folders(
    files: Mapping[str, bytes], manifest: Manifest, out: _Report, shared: _Shared
) -> list[NodeFiles]:
    groups: dict[str, dict[str, bytes]] = defaultdict(dict)
    for path, content in files.items():
        if not path.startswith("nodes/"):
            continue
        node_id, _, rest = path[len("nodes/") :].partition("/")
        if not rest:
            out.add(0, "", path, "", "a file where a node folder (nodes/<id>/) belongs")
            continue
        groups[node_id][rest] = content
    nodes: list[NodeFiles] = []
    for info in manifest.nodes:
        folder = groups.pop(info.id, None)
        if folder is None:
            out.add(
                0,
                info.id,
                "",
                "",
                f"manifest.json lists node '{info.id}' but the tree has no nodes/{info.id}/",
            )
            continue
        nodes.append(NodeFiles(info, folder, shared))
    for node_id in sorted(groups):
        if manifest.present:
            out.add(
                0,
                node_id,
                "",
                "",
                f"nodes/{node_id}/ is not in manifest.json: its product and host are unknown, "
                "so it is left out of the rules that compare a product's or a host's nodes",
            )
        info = _guessed_info(node_id, groups[node_id])
        nodes.append(NodeFiles(info, groups[node_id], shared))
    return nodes


def _guessed_info(node_id: str, files: Mapping[str, bytes]) -> NodeInfo:
    """Conf dir from where the files are, for a folder the manifest does not describe."""
    conf_dir = "repository/conf"
    for marker in (MASTER_DATASOURCES, "registry.xml", "user-mgt.xml"):
        found = sorted((p for p in files if p == marker or p.endswith("/" + marker)), key=len)
        if found:
            conf_dir = found[0][: -len(marker)].rstrip("/")
            break
    ei_like = conf_dir == "conf" or conf_dir.startswith("wso2/")
    lib_dir = "lib" if ei_like else "repository/components/lib"
    return NodeInfo(node_id, None, None, None, conf_dir, lib_dir, False, False)


# ============================================================================================
# One node's files, parsed once
# ============================================================================================


@dataclass(frozen=True, eq=False)
class Datasource:
    file: str
    locator: str
    """`datasource[name='X']` (or `datasource[N]` when it has no name)."""
    name: str
    jndi: str | None
    element: etree._Element

    @_cached
    def configuration(self) -> etree._Element | None:
        return self.element.find("definition/configuration")

    def setting(self, tag: str) -> str | None:
        conf = self.configuration
        return None if conf is None else _text(conf.find(tag))

    @_cached
    def url(self) -> str | None:
        # Read once: the cross-node rules ask every node's partitions for it, and the
        # nodes of a cluster share one parsed datasources file.
        url = self.setting("url")
        if url is None and self.configuration is not None:
            # XA form: the URL is a dataSourceProps property (`url` or `URL`).
            for prop in self.configuration.findall("dataSourceProps/property"):
                if (prop.get("name") or "").lower() == "url":
                    return _text(prop)
        return url

    @property
    def username(self) -> str | None:
        return self.setting("username")

    @property
    def driver(self) -> str | None:
        return self.setting("driverClassName")

    def at(self, tag: str) -> str:
        return f"{self.locator}/definition/configuration/{tag}"


@dataclass(frozen=True)
class RegDbConfig:
    name: str
    locator: str
    datasource: str | None
    url: str | None
    """Legacy form: a dbConfig with its own url instead of a dataSource."""
    user: str | None
    children: Mapping[str, str]


@dataclass(frozen=True)
class RegRemote:
    id: str
    locator: str
    children: Mapping[str, str]
    """First text of every child element, by tag."""

    @property
    def db_config(self) -> str | None:
        return self.children.get("dbConfig")


@dataclass(frozen=True)
class RegMount:
    path: str | None
    locator: str
    instance_id: str | None
    target_path: str | None
    attributes: Mapping[str, str]
    children: Mapping[str, str]


@dataclass(frozen=True)
class Registry:
    current: tuple[str, ...]
    enable_cache: str | None
    db_configs: tuple[RegDbConfig, ...]
    remotes: tuple[RegRemote, ...]
    mounts: tuple[RegMount, ...]


@dataclass(frozen=True)
class Partition:
    """Where a mount leads: remote instance -> dbConfig -> datasource -> URL."""

    mount: RegMount
    remote: RegRemote
    db_config: RegDbConfig
    source: str
    """The JNDI name (or, for a legacy dbConfig, `url:<url>`)."""
    url: str | None
    user: str | None
    file: str
    """Where the URL is written (a datasources file, or registry.xml for a legacy dbConfig)."""
    locator: str


@dataclass(frozen=True)
class Clustering:
    enabled: bool
    agent: str | None
    params: Mapping[str, str]
    members: tuple[tuple[int, str | None, str | None], ...]
    """(1-based index, hostName, port) per `members/member`."""


class _Shared:
    """What the nodes of one tree have in common, worked out once.

    The nodes of a product cluster carry byte-identical registry.xml, user-mgt.xml and
    datasources files, so each distinct content is parsed once, the facts read from it are
    read once, and the checks that read only such files run once per distinct input. Parsed
    trees are shared between nodes and so are only ever read.
    """

    # A parsed tree takes ~10 times its file's size; the distinct files of one cluster fit.
    PARSED_KEPT = 16

    def __init__(self) -> None:
        self._parsed: OrderedDict[bytes, tuple[etree._Element | None, str | None]] = OrderedDict()
        self._facts: dict[tuple[object, ...], object] = {}
        self._interned: dict[Any, Any] = {}
        self._findings: dict[tuple[object, ...], tuple[str, list[Finding]] | None] = {}
        self._bases: dict[str, list[_Base]] = {}

    def parse(self, content: bytes) -> tuple[etree._Element | None, str | None]:
        found = self._parsed.get(content)
        if found is None:
            found = self._parsed[content] = _parse(content)
            if len(self._parsed) > self.PARSED_KEPT:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(content)
        return found

    def intern(self, value: T) -> T:
        """One shared copy of an equal (hashable) value, e.g. a cluster's member list."""
        return self._interned.setdefault(value, value)  # type: ignore[no-any-return]

    def fact(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        if key not in self._facts:
            self._facts[key] = compute()
        return self._facts[key]  # type: ignore[return-value]

    def run(
        self,
        key: tuple[object, ...],
        node: NodeFiles,
        out: _Report,
        checks: Sequence[Callable[[NodeFiles, _Report], None]],
    ) -> None:
        """`checks` on `node`, or, when a node with the same `key` (every input the checks
        read but the node id) was checked already, its findings under this node's id."""
        known = self._findings.get(key, _UNSEEN)
        if isinstance(known, tuple):
            out.findings += [replace(f, node=node.id) for f in known[1]]
            return
        mine = _Report()
        for check in checks:
            check(node, mine)
        out.findings += mine.findings
        if known is _UNSEEN:
            # A finding that names the node outside its `node` field cannot be relabelled.
            reusable = all(
                f.node == node.id and node.id not in f"{f.file}\0{f.element}\0{f.message}"
                for f in mine.findings
            )
            self._findings[key] = (node.id, mine.findings) if reusable else None

    def add_base(self, path: str, content: bytes, root: etree._Element) -> None:
        """`content` (parsed as `root`) is one that later files at `path` may be variants of."""
        bases = self._bases.setdefault(path, [])
        if not any(b.content is content for b in bases):
            bases.insert(0, _Base(content, root))
            del bases[self.BASES_KEPT :]

    def variant(self, path: str, content: bytes) -> _Variant | None:
        """`content` as a known file at `path` with one leaf element's text changed, when
        it is one; the most recently useful base is tried first."""
        if content in self._parsed:
            return None  # parsed already: nothing to save
        bases = self._bases.get(path, [])
        for i, base in enumerate(bases):
            found = base.variant(content)
            if found is not None:
                bases.insert(0, bases.pop(i))
                return found
        return None

    # Enough for the clusters whose nodes come interleaved in a tree's node order.
    BASES_KEPT = 8


_UNSEEN = object()

# Text that means the same to every parser and in every ASCII-compatible encoding: no markup
# or reference characters, no CR (parsers turn it into LF), nothing outside printable ASCII.
_PLAIN_TEXT = re.compile(rb"[\t\n !-%'-;=?-~]*")
# What holds no element however it reads: comments, CDATA sections, processing instructions.
_NOT_ELEMENTS = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
_PARAMETER_TAG = re.compile(rb"""<parameter(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*>""")
_ASCII_COMPATIBLE = re.compile(r"utf-8|us-ascii|ascii|iso-8859-\d+|latin-?1|windows-125\d", re.I)


class _Base:
    """A parsed axis2.xml that the same file of other nodes may differ from in one place.

    A cluster's nodes write one axis2.xml each, alike but for the node's own member host:
    a thousand distinct files of 30 KB. When a file equals a parsed one but for the text of
    one clustering parameter (both texts plain, see `_PLAIN_TEXT`), it is well-formed, and
    its tree is that one with the text changed; the bytes are compared, so nothing is taken
    on trust.
    """

    def __init__(self, content: bytes, root: etree._Element) -> None:
        self.content = content
        self.root = root
        self._start = 0
        self._at: dict[int, etree._Element | None] = {}

    @_cached
    def parameters(self) -> tuple[tuple[etree._Element, str, str], ...]:
        """(element, name, text) of each parameter `_clustering_of` reads."""
        clustering = self.root.find("clustering") if self.root.tag == "axisconfig" else None
        if clustering is None:
            return ()
        return tuple(
            (p, p.get("name") or "", p.text or "") for p in clustering.iterchildren("parameter")
        )

    @_cached
    def _by_ordinal(self) -> dict[int, etree._Element]:
        """The parameters by their place among the file's elements (0 for the root); empty
        when the file's markup cannot be counted from its bytes (see `_countable`)."""
        if not _countable(self.content, self.root):
            return {}
        place = "count(preceding::*) + count(ancestor::*)"
        return {int(p.xpath(place)): p for p, _, _ in self.parameters if len(p) == 0}

    def parameter_at(self, start: int) -> etree._Element | None:
        """The clustering parameter whose start tag ends at byte `start`, if one does."""
        if start not in self._at:
            self._at[start] = self._parameter_at(start)
        return self._at[start]

    def _parameter_at(self, start: int) -> etree._Element | None:
        by_ordinal = self._by_ordinal
        if not by_ordinal:
            return None
        head = _NOT_ELEMENTS.sub(b"", self.content[:start])
        if b"<!" in head or b"<?" in head:
            return None  # `start` is inside a comment, CDATA section or instruction
        tag = head[head.rfind(b"<") :]
        if not _PARAMETER_TAG.fullmatch(tag):
            return None
        # Every '<' left is an element's start or end tag ('<' cannot be in a value).
        return by_ordinal.get(head.count(b"<") - head.count(b"</") - 1)

    def variant(self, content: bytes) -> _Variant | None:
        a, b = self.content, content
        # Where the last variant's text began first: a cluster's nodes differ in one place.
        hint = self._start
        if 0 < hint <= len(b) and a[:hint] == b[:hint]:
            found = self._text_changed(b, hint)
            if found is not None:
                return found
        # From the first byte that differs back to the last '>' before it.
        start = a.rfind(b">", 0, _common_prefix(a, b)) + 1
        found = self._text_changed(b, start) if start != hint else None
        if found is not None:
            self._start = start
        return found

    def _text_changed(self, content: bytes, start: int) -> _Variant | None:
        """`content` as this file with the text of the parameter at `start` changed, given
        that the two are equal up to `start`."""
        a, b = self.content, content
        end_a, end_b = a.find(b"<", start), b.find(b"<", start)
        # Equal up to `start` and from the next '<' on: only the text between may differ.
        if start == 0 or end_a < 0 or end_b < 0 or a[end_a:] != b[end_b:]:
            return None
        old, new = a[start:end_a], b[start:end_b]
        if not (a.startswith(b"</", end_a) and _PLAIN_TEXT.fullmatch(old)):
            return None
        if not _PLAIN_TEXT.fullmatch(new):
            return None
        element = self.parameter_at(start)
        if element is None or (element.text or "") != old.decode("ascii"):
            return None
        return _Variant(self, element, new.decode("ascii"))


@dataclass(frozen=True)
class _Variant:
    base: _Base
    element: etree._Element
    """The clustering parameter of the base's tree whose text differs."""
    text: str
    """Its text in this file."""


def _countable(data: bytes, root: etree._Element) -> bool:
    """Whether each start tag in `data` is one element of `root`'s tree: an encoding in which
    bytes below 128 are ASCII, no DOCTYPE (its entities could stand for elements), and as
    many start tags as lxml found elements."""
    encoding = root.getroottree().docinfo.encoding or "utf-8"
    if not _ASCII_COMPATIBLE.fullmatch(encoding):
        return False
    markup = _NOT_ELEMENTS.sub(b"", data)
    if b"<!" in markup or b"<?" in markup:
        return False
    return markup.count(b"<") - markup.count(b"</") == int(root.xpath("count(//*)"))


def _common_prefix(a: bytes, b: bytes) -> int:
    """How many leading bytes `a` and `b` share (a binary search of slice comparisons)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


class NodeFiles:
    """One node folder: its files, each XML parsed once, and the facts the rules read."""

    def __init__(
        self, info: NodeInfo, files: Mapping[str, bytes], shared: _Shared | None = None
    ) -> None:
        self.info = info
        self.files = dict(files)
        self.shared = shared if shared is not None else _Shared()
        self._parsed: dict[str, etree._Element | None] = {}
        self._variants: dict[str, _Variant | None] = {}
        self.parse_errors: dict[str, str] = {}

    @property
    def id(self) -> str:
        return self.info.id

    def conf(self, relative: str) -> str:
        return f"{self.info.conf_dir}/{relative}" if self.info.conf_dir else relative

    def xml(self, path: str) -> etree._Element | None:
        """The parsed root of `path`; None when absent or when it does not parse."""
        if path not in self._parsed:
            content = self.files.get(path)
            root = None
            if content is not None:
                root, error = self.shared.parse(content)
                if error is not None:
                    self.parse_errors[path] = error
                elif path == self.axis2_file:
                    self.shared.add_base(path, content, root)
            self._parsed[path] = root
        return self._parsed[path]

    def load(self, path: str) -> None:
        """Parse `path`, unless it is a variant of a file parsed before (see `_Base`)."""
        if self.clustering_variant(path) is None:
            self.xml(path)

    def root_tag(self, path: str) -> str | None:
        variant = self.clustering_variant(path)
        if variant is not None:
            return str(variant.base.root.tag)
        root = self.xml(path)
        return None if root is None else str(root.tag)

    def clustering_variant(self, path: str) -> _Variant | None:
        """axis2.xml as another node's but for the text of one of its clustering parameters
        (its own localMemberHost, typically): all that `_clustering_of` reads, known
        without parsing the file again."""
        if path != self.axis2_file or path in self._parsed:
            return None
        if path not in self._variants:
            content = self.files.get(path)
            found = None if content is None else self.shared.variant(path, content)
            self._variants[path] = found
        return self._variants[path]

    def release(self) -> None:
        """Drop this node's parsed files, keeping the facts the cross-node rules read: a
        thousand nodes' parsed axis2.xml alone would take hundreds of MB."""
        for fact in (
            "datasources",
            "by_jndi",
            "local_datasource",
            "registry",
            "realm_jndi",
            "carbon_offset",
            "clustering",
            "member_endpoint",
        ):
            getattr(self, fact)
        self._parsed.clear()
        self._variants.clear()

    def fact(self, kind: str, paths: Sequence[str], compute: Callable[[], T]) -> T:
        """A fact read from `paths` only: computed once per distinct (path, content) set."""
        key = (kind, *((p, self.files.get(p)) for p in paths))
        return self.shared.fact(key, compute)

    @_cached
    def jar_paths(self) -> tuple[str, ...]:
        lib = self.info.lib_dir + "/"
        return tuple(
            sorted(
                p
                for p in self.files
                if p.startswith(lib) and "/" not in p[len(lib) :] and p.endswith(".jar")
            )
        )

    def shared_key(self, layout: str | None) -> tuple[object, ...]:
        """Everything the datasources, registry and user-mgt checks read, but the node id."""
        paths = [
            *self.datasource_files,
            self.registry_file,
            self.user_mgt_file,
            *(self.conf(relative) for relative, _ in _PRODUCT_FILES),
            *self.jar_paths,
        ]
        info = self.info
        return (
            layout,
            info.conf_dir,
            info.lib_dir,
            info.driver_jars,
            *((p, self.files.get(p)) for p in paths),
        )

    # ---- datasources ----------------------------------------------------------------------

    @_cached
    def datasource_files(self) -> tuple[str, ...]:
        """master-datasources.xml first, then the other `*-datasources.xml`, as Carbon loads."""
        folder = self.conf("datasources/")
        others = sorted(
            p
            for p in self.files
            if p.startswith(folder)
            and "/" not in p[len(folder) :]
            and p.endswith("-datasources.xml")
            and p != self.conf(MASTER_DATASOURCES)
        )
        master = self.conf(MASTER_DATASOURCES)
        return ((master,) if master in self.files else ()) + tuple(others)

    @_cached
    def datasources(self) -> tuple[Datasource, ...]:
        return self.fact("datasources", self.datasource_files, self._read_datasources)

    def _read_datasources(self) -> tuple[Datasource, ...]:
        found: list[Datasource] = []
        for path in self.datasource_files:
            root = self.xml(path)
            if root is None or root.tag != "datasources-configuration":
                continue
            for i, el in enumerate(root.findall("datasources/datasource"), start=1):
                name = _text(el.find("name")) or ""
                locator = f"datasource[name='{name}']" if name.strip() else f"datasource[{i}]"
                jndi = _text(el.find("jndiConfig/name"))
                found.append(Datasource(path, locator, name, jndi, el))
        return tuple(found)

    @_cached
    def datasources_complete(self) -> bool:
        """Whether every datasources file parsed: only then is "not defined" a finding."""
        if self.conf(MASTER_DATASOURCES) not in self.files:
            return False
        for path in self.datasource_files:
            root = self.xml(path)
            if root is None or root.tag != "datasources-configuration":
                return False
        return True

    @_cached
    def by_jndi(self) -> dict[str, Datasource]:
        # Carbon binds with context.rebind: a later duplicate JNDI name wins.
        return {ds.jndi: ds for ds in self.datasources if ds.jndi}

    @_cached
    def local_datasource(self) -> Datasource | None:
        return next((ds for ds in self.datasources if ds.name == LOCAL_DATASOURCE), None)

    @property
    def local_jndi(self) -> str:
        local = self.local_datasource
        return local.jndi if local is not None and local.jndi else LOCAL_JNDI

    # ---- registry.xml ---------------------------------------------------------------------

    @property
    def registry_file(self) -> str:
        return self.conf("registry.xml")

    @_cached
    def registry(self) -> Registry | None:
        path = self.registry_file
        return self.fact("registry", (path,), lambda: _registry_of(self.xml(path)))

    def db_config(self, name: str | None) -> RegDbConfig | None:
        # Carbon keeps dbConfigs in a map by name: a later duplicate replaces the earlier.
        reg = self.registry
        if reg is None or name is None:
            return None
        return next((d for d in reversed(reg.db_configs) if d.name == name), None)

    def remote(self, rid: str | None) -> RegRemote | None:
        reg = self.registry
        if reg is None or rid is None:
            return None
        return next((r for r in reg.remotes if r.id == rid), None)

    def mount(self, path: str) -> RegMount | None:
        reg = self.registry
        if reg is None:
            return None
        return next((m for m in reg.mounts if m.path == path), None)

    def partition(self, path: str) -> Partition | None:
        """Where the mount at `path` leads, when every link of the chain resolves."""
        mount = self.mount(path)
        remote = self.remote(mount.instance_id) if mount else None
        db_config = self.db_config(remote.db_config) if remote else None
        if mount is None or remote is None or db_config is None:
            return None
        if db_config.datasource is not None:
            ds = self.by_jndi.get(db_config.datasource)
            if ds is None:
                return None
            return Partition(
                mount,
                remote,
                db_config,
                db_config.datasource,
                ds.url,
                ds.username,
                ds.file,
                ds.at("url"),
            )
        if db_config.url is None:
            return None
        return Partition(
            mount,
            remote,
            db_config,
            f"url:{db_config.url}",
            db_config.url,
            db_config.user,
            self.registry_file,
            f"{db_config.locator}/url",
        )

    @_cached
    def registry_caching(self) -> bool:
        reg = self.registry
        if reg is None:
            return False
        return reg.enable_cache == "true" or any(
            r.children.get("enableCache") == "true" for r in reg.remotes
        )

    # ---- user-mgt.xml ---------------------------------------------------------------------

    @property
    def user_mgt_file(self) -> str:
        return self.conf("user-mgt.xml")

    @_cached
    def realm_jndi(self) -> str | None:
        path = self.user_mgt_file
        return self.fact("realm", (path,), lambda: _realm_jndi_of(self.xml(path)))

    # ---- carbon.xml and axis2.xml ---------------------------------------------------------

    @_cached
    def carbon_offset(self) -> int | None:
        """Ports/Offset when carbon.xml is here and the value is a valid offset."""
        path = self.conf("carbon.xml")
        return self.fact("offset", (path,), lambda: _carbon_offset_of(self.xml(path)))

    @property
    def axis2_file(self) -> str:
        return self.conf("axis2/axis2.xml")

    @_cached
    def clustering(self) -> Clustering | None:
        path = self.axis2_file
        return self.fact("clustering", (path,), lambda: self._read_clustering(path))

    @_cached
    def member_endpoint(self) -> tuple[str, int] | None:
        c = self.clustering
        if c is None or not c.enabled:
            return None
        host = c.params.get("localMemberHost", "").strip()
        port = _port(c.params.get("localMemberPort", str(DEFAULT_MEMBER_PORT)))
        if not host or port is None:
            return None
        return _host_key(host), port

    def _read_clustering(self, path: str) -> Clustering | None:
        variant = self.clustering_variant(path)
        if variant is None:
            return self._shared_members(_clustering_of(self.xml(path)))
        key = ("clustering", (path, variant.base.content))
        base = self.shared.fact(
            key, lambda: self._shared_members(_clustering_of(variant.base.root))
        )
        assert base is not None  # the element is a clustering parameter of the base
        params: dict[str, str] = {}
        for element, name, text in variant.base.parameters:
            params.setdefault(name, variant.text if element is variant.element else text)
        return Clustering(base.enabled, base.agent, params, base.members)

    def _shared_members(self, found: Clustering | None) -> Clustering | None:
        if found is not None and found.members:
            # Every node lists the whole cluster; one copy per distinct list is enough.
            found = replace(found, members=self.shared.intern(found.members))
        return found


def _realm_jndi_of(root: etree._Element | None) -> str | None:
    if root is None or root.tag != "UserManager":
        return None
    return _property(root.find("Realm/Configuration"), "dataSource")


def _carbon_offset_of(root: etree._Element | None) -> int | None:
    if root is None or root.tag != f"{{{CARBON_NS}}}Server":
        return None
    value = _offset_text(root)
    if value is None or not re.fullmatch(r"\s*\d+\s*", value):
        return None
    return int(value)


def _clustering_of(root: etree._Element | None) -> Clustering | None:
    if root is None or root.tag != "axisconfig":
        return None
    el = root.find("clustering")
    if el is None:
        return Clustering(False, None, {}, ())
    params: dict[str, str] = {}
    for p in el.iterchildren("parameter"):
        params.setdefault(p.get("name") or "", p.text or "")
    enabled = (el.get("enable") or "").strip().lower() == "true"
    return Clustering(enabled, el.get("class"), params, _members(el))


def _members(clustering: etree._Element) -> tuple[tuple[int, str | None, str | None], ...]:
    """(index, hostName, port) per `members/member`, each the first such child's text (as
    `find` reads it). A plain loop: a large cluster lists every member on every node, and
    two `find` calls per member were the checker's largest cost."""
    found: list[tuple[int, str | None, str | None]] = []
    for group in clustering.iterchildren("members"):
        for member in group.iterchildren("member"):
            host = port = None
            for child in member:
                tag = child.tag
                if tag == "hostName":
                    if host is None:
                        host = child.text or ""
                elif tag == "port" and port is None:
                    port = child.text or ""
            found.append((len(found) + 1, host, port))
    return tuple(found)


def _registry_of(root: etree._Element | None) -> Registry | None:
    if root is None or root.tag != "wso2registry":
        return None
    db_configs = []
    for i, el in enumerate(root.findall("dbConfig"), start=1):
        name = el.get("name") or ""
        locator = f"dbConfig[@name='{name}']" if name else f"dbConfig[{i}]"
        db_configs.append(
            RegDbConfig(
                name,
                locator,
                _text(el.find("dataSource")),
                _text(el.find("url")),
                _text(el.find("userName")),
                _children(el),
            )
        )
    remotes = []
    for i, el in enumerate(root.findall("remoteInstance"), start=1):
        children = _children(el)
        rid = children.get("id", "")
        locator = f"remoteInstance[id='{rid}']" if rid.strip() else f"remoteInstance[{i}]"
        remotes.append(RegRemote(rid, locator, children))
    mounts = []
    for i, el in enumerate(root.findall("mount"), start=1):
        path = el.get("path")
        locator = f"mount[@path='{path}']" if path else f"mount[{i}]"
        children = _children(el)
        mounts.append(
            RegMount(
                path,
                locator,
                children.get("instanceId"),
                children.get("targetPath"),
                dict(el.attrib),
                children,
            )
        )
    return Registry(
        current=tuple(_text(el) or "" for el in root.findall("currentDBConfig")),
        enable_cache=_text(root.find("enableCache")),
        db_configs=tuple(db_configs),
        remotes=tuple(remotes),
        mounts=tuple(mounts),
    )


# ============================================================================================
# Per node
# ============================================================================================


def _check_node(node: NodeFiles, manifest: Manifest, out: _Report, shared: _Shared) -> None:
    _check_required_files(node, out)
    for path in sorted(node.files):
        if path.endswith(".xml"):
            node.load(path)
    for path, error in node.parse_errors.items():
        out.add(1, node.id, path, "", f"does not parse as XML: {error}")
    # The checks of files a product cluster's nodes share run once per distinct content.
    key = node.shared_key(manifest.layout)
    shared.run(
        ("datasources", *key),
        node,
        out,
        (_check_datasources, _check_local_database, _check_driver_jars),
    )
    _check_secure_vault(node, out)

    def registry(n: NodeFiles, o: _Report) -> None:
        _check_registry(n, manifest.layout, o)

    shared.run(("registry", *key), node, out, (registry, _check_user_mgt, _check_product_files))
    carbon = node.conf("carbon.xml")
    shared.run(("carbon", carbon, node.files.get(carbon)), node, out, (_check_carbon_xml,))
    _check_axis2_xml(node, out)
    _check_ei_layout(node, out)
    # Imported here: product_rules builds on this module's node model.
    from wizard import product_rules

    product_rules.check_node(node, manifest, out)


def _check_required_files(node: NodeFiles, out: _Report) -> None:
    required = [node.conf(p) for p in ("registry.xml", "user-mgt.xml", MASTER_DATASOURCES)]
    for path in dict.fromkeys([*required, *node.info.listed_files]):
        if path not in node.files:
            why = "every node needs it" if path in required else "manifest.json lists it"
            out.add(0, node.id, path, "", f"is missing ({why})")


# ---- rules 1-8: the datasources files -----------------------------------------------------

_INTEGER = {
    "maxActive",
    "maxIdle",
    "minIdle",
    "initialSize",
    "maxWait",
    "validationQueryTimeout",
    "timeBetweenEvictionRunsMillis",
    "numTestsPerEvictionRun",
    "minEvictableIdleTimeMillis",
    "removeAbandonedTimeout",
    "abandonWhenPercentageFull",
    "suspectTimeout",
}
_LONG = {"validationInterval", "maxAge"}
_BOOLEAN = {
    "defaultAutoCommit",
    "defaultReadOnly",
    "testOnBorrow",
    "testOnReturn",
    "testWhileIdle",
    "alternateUsernameAllowed",
    "accessToUnderlyingConnectionAllowed",
    "removeAbandoned",
    "logAbandoned",
    "jmxEnabled",
    "fairQueue",
    "useEquals",
    "commitOnReturn",
    "rollbackOnReturn",
}
_STRING = {
    "url",
    "username",
    "password",
    "driverClassName",
    "defaultCatalog",
    "validationQuery",
    "validatorClassName",
    "connectionProperties",
    "initSQL",
    "jdbcInterceptors",
    "dataSourceClassName",
}
_ISOLATION = {"NONE", "READ_COMMITTED", "READ_UNCOMMITTED", "REPEATABLE_READ", "SERIALIZABLE"}
_KNOWN = (
    _INTEGER
    | _LONG
    | _BOOLEAN
    | _STRING
    | {"defaultTransactionIsolation", "dataSourceProps", "databaseProps"}
)
# WSO2's own bps-datasources.xml (BPS, EI, IS) puts this jndiConfig attribute inside
# configuration; JAXB drops it, and rule 21 wants stock content kept, so it is not a finding.
_TOLERATED = {"useDataSourceFactory"}
_INT_RANGE = (-(2**31), 2**31 - 1)
_LONG_RANGE = (-(2**63), 2**63 - 1)

# URL prefix -> driver classes that accept it, and the engine's validation query (§4.1).
# MariaDB is reached either way: WSO2's 4.4.x guide uses the MySQL pair, kernel 4.6 the
# MariaDB one. PostgreSQL's query depends on defaultAutoCommit (see _POSTGRESQL_MANUAL).
_ENGINES: tuple[tuple[str, frozenset[str], str], ...] = (
    ("jdbc:mysql:", frozenset({"com.mysql.jdbc.Driver", "com.mysql.cj.jdbc.Driver"}), "SELECT 1"),
    ("jdbc:mariadb:", frozenset({"org.mariadb.jdbc.Driver"}), "SELECT 1"),
    ("jdbc:postgresql:", frozenset({"org.postgresql.Driver"}), "SELECT 1"),
    (
        "jdbc:oracle:thin:",
        frozenset({"oracle.jdbc.OracleDriver", "oracle.jdbc.driver.OracleDriver"}),
        "SELECT 1 FROM DUAL",
    ),
    (
        "jdbc:sqlserver:",
        frozenset({"com.microsoft.sqlserver.jdbc.SQLServerDriver"}),
        "SELECT 1",
    ),
    ("jdbc:jtds:", frozenset({"net.sourceforge.jtds.jdbc.Driver"}), "SELECT 1"),
    ("jdbc:db2:", frozenset({"com.ibm.db2.jcc.DB2Driver"}), "SELECT 1 FROM SYSIBM.SYSDUMMY1"),
    ("jdbc:h2:", frozenset({"org.h2.Driver"}), "SELECT 1"),
)


def _check_datasources(node: NodeFiles, out: _Report) -> None:
    master = node.conf(MASTER_DATASOURCES)
    for path in node.datasource_files:
        root = node.xml(path)
        if root is None:
            continue
        if root.tag != "datasources-configuration":
            out.add(
                1,
                node.id,
                path,
                "",
                f"the root element is <{root.tag}>, not <datasources-configuration>",
            )
            continue
        aliased = any(el.get(SECRET_ALIAS) is not None for el in root.iter(etree.Element))
        if aliased and SVNS not in root.nsmap.values():
            out.add(
                1,
                node.id,
                path,
                "datasources-configuration/@xmlns:svns",
                f'svns:secretAlias is used but the root does not declare xmlns:svns="{SVNS}"',
            )
        if path == master:
            providers = [(_text(p) or "").strip() for p in root.findall("providers/provider")]
            if RDBMS_READER not in providers:
                out.add(
                    2,
                    node.id,
                    path,
                    "providers/provider",
                    f"{RDBMS_READER} is not among the providers, so no RDBMS datasource loads; "
                    "keep the stock providers block",
                )
    names: dict[str, Datasource] = {}
    jndis: dict[str, Datasource] = {}
    for ds in node.datasources:
        if not ds.name.strip():
            out.add(3, node.id, ds.file, f"{ds.locator}/name", "the datasource has no name")
        elif ds.name in names:
            first = names[ds.name]
            out.add(
                3,
                node.id,
                ds.file,
                f"{ds.locator}/name",
                f"datasource name '{ds.name}' is already defined in {first.file}; Carbon stops "
                f"with 'System datasource {ds.name} can not be updated'",
            )
        else:
            names[ds.name] = ds
        jndi_config = ds.element.find("jndiConfig")
        if jndi_config is not None:
            if not (ds.jndi or "").strip():
                out.add(4, node.id, ds.file, f"{ds.locator}/jndiConfig/name", "empty JNDI name")
            elif ds.jndi in jndis:
                first = jndis[ds.jndi]
                out.add(
                    4,
                    node.id,
                    ds.file,
                    f"{ds.locator}/jndiConfig/name",
                    f"JNDI name '{ds.jndi}' is also {first.locator} in {first.file}; Carbon "
                    "silently binds the later one in place of the earlier",
                )
            else:
                jndis[ds.jndi or ""] = ds
        _check_definition(node, ds, out)


def _check_definition(node: NodeFiles, ds: Datasource, out: _Report) -> None:
    definition = ds.element.find("definition")
    if definition is None:
        out.add(5, node.id, ds.file, f"{ds.locator}/definition", "the datasource has no definition")
        return
    if definition.get("type") != "RDBMS":
        out.add(
            5,
            node.id,
            ds.file,
            f"{ds.locator}/definition/@type",
            f"type is {definition.get('type')!r}, not 'RDBMS'",
        )
        return
    conf = ds.configuration
    if conf is None:
        out.add(
            5,
            node.id,
            ds.file,
            f"{ds.locator}/definition/configuration",
            "the RDBMS definition has no configuration",
        )
        return
    xa = conf.find("dataSourceClassName") is not None
    required = (
        ("username", "password") if xa else ("url", "username", "password", "driverClassName")
    )
    for tag in required:
        el = conf.find(tag)
        if el is None or not ((_text(el) or "").strip() or el.get(SECRET_ALIAS)):
            out.add(5, node.id, ds.file, ds.at(tag), f"<{tag}> is missing or empty")
    for child in conf:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag
        message = _setting_problem(tag, _text(child) or "")
        if message:
            out.add(5, node.id, ds.file, ds.at(tag), message)
    _check_engine(node, ds, out)
    if ds.url is not None and "&amp;" in ds.url:
        out.add(8, node.id, ds.file, ds.at("url"), _DOUBLE_ESCAPED)


_DOUBLE_ESCAPED = (
    "holds '&amp;' after parsing: the '&' was escaped twice, so the driver gets 'amp;' in a "
    "parameter name; write '&amp;' once in the file"
)


def _setting_problem(tag: str, value: str) -> str | None:
    if tag in _TOLERATED:
        return None
    if tag not in _KNOWN:
        return (
            f"<{tag}> is not a datasource setting (reference §1.2): Carbon ignores it silently; "
            "check the spelling"
        )
    if "${" in value:
        return None  # substituted from system properties at start-up
    text = value.strip()
    if tag in _INTEGER or tag in _LONG:
        low, high = _INT_RANGE if tag in _INTEGER else _LONG_RANGE
        if not re.fullmatch(r"[+-]?\d+", text) or not low <= int(text) <= high:
            return f"<{tag}> must be a whole number, not {value!r}"
    elif tag in _BOOLEAN:
        if text not in {"true", "false", "1", "0"}:
            return f"<{tag}> must be true or false, not {value!r}"
    elif tag == "defaultTransactionIsolation" and text not in _ISOLATION:
        return f"<{tag}> must be one of {', '.join(sorted(_ISOLATION))}, not {value!r}"
    return None


def _engine_of(url: str) -> tuple[str, frozenset[str], str] | None:
    return next((e for e in _ENGINES if url.startswith(e[0])), None)


def _check_engine(node: NodeFiles, ds: Datasource, out: _Report) -> None:
    url, driver = ds.setting("url"), ds.driver
    if url is None or url.startswith("${"):
        return
    engine = _engine_of(url)
    if not url.startswith("jdbc:"):
        out.add(6, node.id, ds.file, ds.at("url"), f"'{url}' is not a JDBC URL (jdbc:...)")
        return
    if engine is None:
        return  # an engine the reference does not cover: nothing to compare against
    prefix, drivers, query = engine
    if driver is not None and driver.strip() and driver.strip() not in drivers:
        out.add(
            6,
            node.id,
            ds.file,
            ds.at("driverClassName"),
            f"{driver} does not take {prefix} URLs; use {' or '.join(sorted(drivers))}",
        )
    actual = ds.setting("validationQuery")
    message = _validation_problem(prefix, query, actual, ds.setting("defaultAutoCommit"))
    if message:
        out.add(7, node.id, ds.file, ds.at("validationQuery"), message)
    on_borrow = ds.setting("testOnBorrow")
    if (on_borrow or "").strip().lower() != "true":
        out.add(
            7,
            node.id,
            ds.file,
            ds.at("testOnBorrow"),
            "testOnBorrow must be true, so a connection the database dropped is replaced",
        )


# WSO2's PostgreSQL query for datasources whose connections start without auto-commit: the
# COMMIT ends the transaction the SELECT opened (ADMIN44x "Changing to PostgreSQL"). With
# auto-commit on there is none, and PostgreSQL logs "there is no transaction in progress"
# on every validation.
_POSTGRESQL_MANUAL = "SELECT 1; COMMIT"


def _validation_problem(
    prefix: str, query: str, actual: str | None, auto_commit: str | None
) -> str | None:
    """What is wrong with `actual` as the validationQuery, or None. `auto_commit` is the
    datasource's defaultAutoCommit text (absent: the driver's default, on)."""
    if prefix != "jdbc:postgresql:":
        if actual is not None and _sql(actual) == _sql(query):
            return None
        shown = "missing" if actual is None else f"'{actual}'"
        return f"validationQuery is {shown}; {prefix} needs '{query}'"
    flag = (auto_commit or "true").strip().lower()
    on = {"true": True, "1": True, "false": False, "0": False}.get(flag)
    fits = [q for q, wanted in ((query, True), (_POSTGRESQL_MANUAL, False)) if on in (None, wanted)]
    if actual is not None and _sql(actual) in {_sql(q) for q in fits}:
        return None
    if actual is None:
        return f"validationQuery is missing; {prefix} needs '{fits[0]}' here"
    if on:
        return (
            f"validationQuery is '{actual}' but defaultAutoCommit is on (true, or unset: the "
            "driver's default), so there is no transaction to commit: PostgreSQL logs 'there "
            f"is no transaction in progress' on every validation; use '{query}' (or set "
            "defaultAutoCommit false)"
        )
    if on is False:
        return (
            f"validationQuery is '{actual}' but defaultAutoCommit is false: the validation "
            "opens a transaction that nothing ends; use "
            f"'{_POSTGRESQL_MANUAL}' (or set defaultAutoCommit true)"
        )
    return f"validationQuery is '{actual}'; {prefix} needs '{query}' or '{_POSTGRESQL_MANUAL}'"


def _sql(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(";").strip().upper()


# ---- rule 38: a loopback database host ----------------------------------------------------

# The authority of a URL of the `scheme://host[:port][,host...]` kind (MySQL, MariaDB,
# PostgreSQL, SQL Server, jTDS, DB2, an H2 server); Oracle's thin forms are read apart.
_AUTHORITY = re.compile(r"jdbc:[a-z0-9]+(?::[a-z0-9]+)*://([^/;?]*)", re.IGNORECASE)
_ORACLE = re.compile(r"jdbc:oracle:[a-z0-9]+:@", re.IGNORECASE)
_ORACLE_HOST = re.compile(r"\(\s*HOST\s*=\s*([^)\s]+)", re.IGNORECASE)


def _url_hosts(url: str) -> list[tuple[int, int]]:
    """Spans of the host names in a JDBC URL (several for a multi-host or RAC URL)."""
    spans: list[tuple[int, int]] = []
    oracle = _ORACLE.match(url)
    if oracle is not None:
        rest = oracle.end()
        if url.startswith("(", rest):
            return [m.span(1) for m in _ORACLE_HOST.finditer(url, rest)]
        start = rest + 2 if url.startswith("//", rest) else rest
        end = start
        if url.startswith("[", start):
            end = url.find("]", start) + 1 or len(url)
        else:
            while end < len(url) and url[end] not in ":/?":
                end += 1
        return [(start, end)] if end > start else []
    authority = _AUTHORITY.match(url)
    if authority is None:
        return []
    offset = authority.start(1)
    for part in authority.group(1).split(","):
        if part.startswith("["):
            end = part.find("]") + 1 or len(part)
        else:
            end = len(re.split(r"[:\\]", part, maxsplit=1)[0])  # host[\instance][:port]
        if end:
            spans.append((offset, offset + end))
        offset += len(part) + 1
    return spans


def _loopback_key(url: str) -> str | None:
    """The URL with its hosts as one name when one of them is loopback (so that localhost and
    127.0.0.1 name one database); None when none is."""
    spans = _url_hosts(url)
    if not any(_is_loopback(url[a:b]) for a, b in spans):
        return None
    key, last = [], 0
    for a, b in spans:
        host = url[a:b]
        key += [url[last:a], "localhost" if _is_loopback(host) else _host_key(host)]
        last = b
    return "".join([*key, url[last:]])


def _across_loopback_databases(nodes: Sequence[NodeFiles], out: _Report) -> None:
    """Rule 38: a shared datasource on a loopback host is each node's own machine, so the
    nodes that use it must all run on one machine (manifest hosts; a node on a loopback
    host is on this machine too). The node-local WSO2_CARBON_DB is each node's own anyway."""
    users: dict[str, list[tuple[NodeFiles, Datasource]]] = defaultdict(list)
    for node in nodes:
        for ds in node.datasources:
            url = ds.url
            if ds.name == LOCAL_DATASOURCE or url is None or url.startswith("${"):
                continue
            key = _loopback_key(url)
            if key is not None:
                users[key].append((node, ds))
    for using in users.values():
        hosts = dict.fromkeys(
            "this machine" if _is_loopback(n.info.host) else _host_key(n.info.host)
            for n, _ in using
            if n.info.host
        )
        if len(hosts) < 2:
            continue
        listed = ", ".join(list(hosts)[:4]) + (" ..." if len(hosts) > 4 else "")
        for node, ds in using:
            out.add(
                38,
                node.id,
                ds.file,
                ds.at("url"),
                f"the URL names a loopback host: each node reaches a database on its own "
                f"machine, and the nodes that use it run on {listed} (manifest.json), so they "
                "would not share it; give the database server's host name or IP address",
            )


# ---- rule 9: the node-local database ------------------------------------------------------

_LOCAL_H2 = re.compile(r"jdbc:h2:(?:file:)?(?:\./|\$\{carbon\.home\}/)?repository/database/")


def _is_embedded_h2(url: str | None) -> bool:
    """An H2 file or memory database inside this node (not an H2 server over tcp/ssl)."""
    return (
        url is not None and url.startswith("jdbc:h2:") and not re.match(r"jdbc:h2:(tcp|ssl):", url)
    )


def _check_local_database(node: NodeFiles, out: _Report) -> None:
    local = node.local_datasource
    if local is None:
        if node.datasources_complete:
            out.add(
                9,
                node.id,
                node.conf(MASTER_DATASOURCES),
                f"datasource[name='{LOCAL_DATASOURCE}']",
                f"{LOCAL_DATASOURCE} is missing: it holds the node's own registry (and its "
                "mount records); keep the stock datasource",
            )
        return
    if local.jndi != LOCAL_JNDI:
        out.add(
            9,
            node.id,
            local.file,
            f"{local.locator}/jndiConfig/name",
            f"JNDI name is {local.jndi!r}, not '{LOCAL_JNDI}'",
        )
    url = local.url
    if url is None:
        return  # rule 5 reports it
    if not _LOCAL_H2.match(url):
        out.add(
            9,
            node.id,
            local.file,
            local.at("url"),
            f"'{url}' is not an H2 file under ./repository/database/: the local registry "
            "must be this node's own database, never one other nodes can reach",
        )
    for other in node.datasources:
        if other is not local and other.url == url:
            out.add(
                9,
                node.id,
                local.file,
                local.at("url"),
                f"{LOCAL_DATASOURCE} has the same URL as {other.locator} in {other.file}",
            )


# ---- rule 10: driver jars -----------------------------------------------------------------

_BUNDLED_DRIVERS = {"org.h2.Driver"}  # Carbon ships H2 in its own plugins


def _check_driver_jars(node: NodeFiles, out: _Report) -> None:
    lib = node.info.lib_dir + "/"
    jars = {
        p: c
        for p, c in node.files.items()
        if p.startswith(lib) and "/" not in p[len(lib) :] and p.endswith(".jar")
    }
    if not jars and not node.info.driver_jars:
        return  # the README tells the operator to place the driver
    classes: set[str] = set()
    for path in sorted(jars):
        try:
            with zipfile.ZipFile(io.BytesIO(jars[path])) as jar:
                names = jar.namelist()
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            out.add(10, node.id, path, "", f"is not a readable jar: {exc}")
            continue
        classes.update(n[: -len(".class")].replace("/", ".") for n in names if n.endswith(".class"))
    seen: set[str] = set()
    for ds in node.datasources:
        for tag in ("driverClassName", "dataSourceClassName"):
            cls = (ds.setting(tag) or "").strip()
            if not cls or cls in _BUNDLED_DRIVERS or cls in seen or "${" in cls:
                continue
            seen.add(cls)
            if cls not in classes:
                where = ", ".join(sorted(jars)) if jars else "no jar at all"
                out.add(
                    10,
                    node.id,
                    ds.file,
                    ds.at(tag),
                    f"no jar in {node.info.lib_dir}/ holds {cls} ({where}); put the JDBC driver "
                    "jar there before the node starts",
                )


# ---- rule 11: Secure Vault ----------------------------------------------------------------


def _aliases_of(node: NodeFiles, path: str) -> list[tuple[str, str]]:
    """(element path, alias) of every svns:secretAlias in the file, in document order."""
    content = node.files[path]
    head = content[:4]
    if b"secretAlias" not in content and head[:1] == b"<" and b"\0" not in head:
        return []  # an ASCII-compatible file without the name has no such attribute
    root = node.xml(path)
    if root is None:
        return []
    found = root.xpath("descendant-or-self::*[@sv:secretAlias]", namespaces={"sv": SVNS})
    return [(_element_path(el), el.get(SECRET_ALIAS)) for el in found]


def _aliases_fact(node: NodeFiles, path: str) -> list[tuple[str, str]]:
    variant = node.clustering_variant(path)
    if variant is not None:
        # Its tree is the base's but for one parameter's text, so its aliases are the
        # base's: looked up by the base's bytes, not searched for in each node's 30 KB.
        key = ("aliases", (path, variant.base.content))
        return node.shared.fact(key, lambda: _aliases_of(node, path))
    return node.fact("aliases", (path,), lambda: _aliases_of(node, path))


def _check_secure_vault(node: NodeFiles, out: _Report) -> None:
    aliases: list[tuple[str, str, str]] = []
    for path in sorted(node.files):
        if path.endswith(".xml"):
            found = _aliases_fact(node, path)
            aliases += ((path, element, alias) for element, alias in found)
    if not aliases and not node.info.secure_vault:
        return
    tool_path = node.conf("security/cipher-tool.properties")
    text_path = node.conf("security/cipher-text.properties")
    conf_path = node.conf("security/secret-conf.properties")
    tool = _properties(node.files.get(tool_path))
    text = _properties(node.files.get(text_path))
    conf = _properties(node.files.get(conf_path))
    for path, props in ((tool_path, tool), (text_path, text), (conf_path, conf)):
        if props is None:
            out.add(11, node.id, path, "", "is missing, but the node uses Secure Vault")
    if conf is not None and not conf.get("secretRepositories.file.location", "").strip():
        out.add(
            11,
            node.id,
            conf_path,
            "secretRepositories.file.location",
            "is not set, so Carbon finds no secret repository; run ciphertool.sh -Dconfigure",
        )
    for path, element, alias in aliases:
        if not alias.strip():
            out.add(11, node.id, path, element, "svns:secretAlias is empty")
            continue
        if tool is not None:
            line = tool.get(alias)
            if line is None:
                out.add(
                    11,
                    node.id,
                    path,
                    element,
                    f"alias '{alias}' has no line in {tool_path}, so ciphertool never encrypts it",
                )
            elif not re.fullmatch(r".+//.+,(true|false)", line.strip()):
                out.add(
                    11,
                    node.id,
                    tool_path,
                    alias,
                    f"'{line}' is not <file>//<xpath>,<true|false>",
                )
        if text is not None and alias not in text:
            out.add(
                11,
                node.id,
                path,
                element,
                f"alias '{alias}' has no line in {text_path}, so Carbon cannot resolve it",
            )


# ---- rules 12-20: registry.xml ------------------------------------------------------------


def _check_registry(node: NodeFiles, layout: str | None, out: _Report) -> None:
    path = node.registry_file
    root = node.xml(path)
    if root is None:
        return
    if root.tag != "wso2registry":
        out.add(12, node.id, path, "", f"the root element is <{root.tag}>, not <wso2registry>")
        return
    reg = node.registry
    assert reg is not None
    _check_current_db_config(node, reg, out)
    _check_db_configs(node, reg, out)
    _check_remote_instances(node, reg, out)
    _check_mounts(node, reg, out)
    _check_partitions(node, layout, out)


def _check_current_db_config(node: NodeFiles, reg: Registry, out: _Report) -> None:
    path = node.registry_file
    if len(reg.current) != 1:
        out.add(
            12,
            node.id,
            path,
            "currentDBConfig",
            f"there must be exactly one currentDBConfig, not {len(reg.current)}",
        )
    if not reg.current:
        return
    name = reg.current[0]
    db_config = node.db_config(name)
    if db_config is None:
        out.add(
            12,
            node.id,
            path,
            "currentDBConfig",
            f"'{name}' names no dbConfig; Carbon starts without a local registry",
        )
    elif not _is_local_db_config(node, db_config):
        # Blame the currentDBConfig text when another dbConfig is the local one, else the
        # dbConfig's dataSource: that is where the fix goes.
        local = next((d for d in reg.db_configs if _is_local_db_config(node, d)), None)
        where = "currentDBConfig" if local is not None else f"{db_config.locator}/dataSource"
        uses = db_config.datasource or f"url {db_config.url!r}"
        hint = f"; dbConfig '{local.name}' is the local one" if local is not None else ""
        out.add(
            12,
            node.id,
            path,
            where,
            f"the current (local) dbConfig '{name}' uses {uses}, not the node-local "
            f"{node.local_jndi}: mount records and local data would land in a database "
            f"other nodes share{hint}",
        )


def _is_local_db_config(node: NodeFiles, d: RegDbConfig) -> bool:
    if d.datasource is not None:
        return d.datasource == node.local_jndi
    return d.url is not None and _LOCAL_H2.match(d.url) is not None  # legacy url form


def _check_db_configs(node: NodeFiles, reg: Registry, out: _Report) -> None:
    path = node.registry_file
    names: set[str] = set()
    for d in reg.db_configs:
        if not d.name.strip():
            out.add(13, node.id, path, f"{d.locator}/@name", "a dbConfig has no name")
        elif d.name in names:
            out.add(
                13,
                node.id,
                path,
                f"{d.locator}/@name",
                f"dbConfig '{d.name}' is defined twice; the later one silently wins",
            )
        names.add(d.name)
        if d.datasource is None:
            if d.url is None:
                out.add(
                    13,
                    node.id,
                    path,
                    f"{d.locator}/dataSource",
                    "the dbConfig has neither dataSource nor url",
                )
        elif node.datasources_complete and d.datasource not in node.by_jndi:
            out.add(
                13,
                node.id,
                path,
                f"{d.locator}/dataSource",
                f"'{d.datasource}' is no jndiConfig/name in "
                f"{', '.join(node.datasource_files) or 'the datasources files'}",
            )


def _check_remote_instances(node: NodeFiles, reg: Registry, out: _Report) -> None:
    path = node.registry_file
    ids: set[str] = set()
    for r in reg.remotes:
        if not r.id.strip():
            out.add(14, node.id, path, f"{r.locator}/id", "the remoteInstance has no id")
        elif r.id in ids:
            out.add(
                14,
                node.id,
                path,
                f"{r.locator}/id",
                f"id '{r.id}' is used twice; Carbon stops: 'Two remote instances can't have the "
                "same id'",
            )
        ids.add(r.id)
        for secret in ("username", "password"):
            if secret in r.children:
                out.add(
                    14,
                    node.id,
                    path,
                    f"{r.locator}/{secret}",
                    "username/password turn the mount into a remote (Atom/WS) registry instead "
                    "of a JDBC one; remove them",
                )
        db_config = node.db_config(r.db_config)
        if r.db_config is None or db_config is None:
            out.add(
                14,
                node.id,
                path,
                f"{r.locator}/dbConfig",
                f"dbConfig {r.db_config!r} names no dbConfig in this file",
            )
            continue
        if reg.current and r.db_config == reg.current[0]:
            out.add(
                14,
                node.id,
                path,
                f"{r.locator}/dbConfig",
                f"'{r.db_config}' is the currentDBConfig: a mount must lead to a shared "
                "database, not to the node's own",
            )
        elif db_config.datasource is not None:
            ds = node.by_jndi.get(db_config.datasource)
            if ds is not None and (ds is node.local_datasource or _is_embedded_h2(ds.url)):
                out.add(
                    14,
                    node.id,
                    path,
                    f"{db_config.locator}/dataSource",
                    f"remoteInstance '{r.id}' reaches {db_config.datasource}, a database only "
                    "this node can see; mounts must lead to the shared registry database",
                )
        _check_remote_settings(node, r, out)
        _check_cache_id(node, r, db_config, out)


def _check_remote_settings(node: NodeFiles, r: RegRemote, out: _Report) -> None:
    path = node.registry_file
    read_only = r.children.get("readOnly")
    if read_only is not None and read_only.strip() not in {"true", "false"}:
        out.add(15, node.id, path, f"{r.locator}/readOnly", f"{read_only!r} is not true or false")
    for tag, wanted in (("registryRoot", "/"), ("enableCache", "true")):
        value = r.children.get(tag)
        if value is None or value.strip() != wanted:
            shown = "missing" if value is None else repr(value)
            out.add(15, node.id, path, f"{r.locator}/{tag}", f"{tag} is {shown}, not '{wanted}'")


def _check_cache_id(node: NodeFiles, r: RegRemote, d: RegDbConfig, out: _Report) -> None:
    if d.datasource is not None:
        ds = node.by_jndi.get(d.datasource)
        if ds is None:
            return  # rule 13
        user, url, source = ds.username, ds.url, d.datasource
    else:
        user, url, source = d.user, d.url, f"dbConfig '{d.name}'"
    if user is None or url is None:
        return  # rule 5 or 13
    expected = f"{user}@{url}"
    cache_id = r.children.get("cacheId")
    if cache_id is not None and "&amp;" in cache_id:
        out.add(8, node.id, node.registry_file, f"{r.locator}/cacheId", _DOUBLE_ESCAPED)
    if cache_id is None:
        out.add(
            16,
            node.id,
            node.registry_file,
            f"{r.locator}/cacheId",
            f"no cacheId; the documented form is <user>@<url> of {source} ('{expected}')",
        )
    elif cache_id != expected:
        out.add(
            16,
            node.id,
            node.registry_file,
            f"{r.locator}/cacheId",
            f"cacheId '{cache_id}' is not <user>@<url> of {source} ('{expected}')",
        )


def _check_mounts(node: NodeFiles, reg: Registry, out: _Report) -> None:
    path = node.registry_file
    paths: set[str] = set()
    for m in reg.mounts:
        if not m.path:
            out.add(
                17, node.id, path, f"{m.locator}/@path", "the mount has no path; Carbon skips it"
            )
        elif m.path in paths:
            out.add(
                17,
                node.id,
                path,
                f"{m.locator}/@path",
                f"path '{m.path}' is mounted twice; Carbon stops: 'Two remote instances can't "
                "have the same path'",
            )
        elif m.path not in (CONFIG, GOVERNANCE):
            out.add(
                17,
                node.id,
                path,
                f"{m.locator}/@path",
                f"only {CONFIG} and {GOVERNANCE} may be mounted, not '{m.path}' (/_system/local "
                "and / stay in the node's own database)",
            )
        if m.path:
            paths.add(m.path)
        if not m.instance_id:
            out.add(17, node.id, path, f"{m.locator}/instanceId", "the mount has no instanceId")
        elif node.remote(m.instance_id) is None:
            out.add(
                17,
                node.id,
                path,
                f"{m.locator}/instanceId",
                f"'{m.instance_id}' is no remoteInstance id; Carbon ignores the mount silently",
            )
        if not m.target_path:
            out.add(17, node.id, path, f"{m.locator}/targetPath", "the mount has no targetPath")
        elif not m.target_path.startswith("/"):
            out.add(
                17,
                node.id,
                path,
                f"{m.locator}/targetPath",
                f"targetPath '{m.target_path}' is not absolute",
            )
        overwrite = m.attributes.get("overwrite")
        if (overwrite or "").strip().lower() != "true":
            shown = "missing" if overwrite is None else repr(overwrite)
            out.add(
                17,
                node.id,
                path,
                f"{m.locator}/@overwrite",
                f"overwrite is {shown}, not 'true': a changed targetPath would not be "
                "re-mounted on restart",
            )


def _check_partitions(node: NodeFiles, layout: str | None, out: _Report) -> None:
    """The per-node halves of rules 18, 19 and 20; the cross-node halves are below."""
    path = node.registry_file
    gov_mount, conf_mount = node.mount(GOVERNANCE), node.mount(CONFIG)
    if gov_mount is None:
        out.add(
            18,
            node.id,
            path,
            f"mount[@path='{GOVERNANCE}']",
            f"no mount for {GOVERNANCE}: the governance registry is not shared",
        )
    elif gov_mount.target_path and gov_mount.target_path != GOVERNANCE:
        out.add(
            18,
            node.id,
            path,
            f"{gov_mount.locator}/targetPath",
            f"governance is mounted to '{gov_mount.target_path}', not {GOVERNANCE}",
        )
    if conf_mount is None:
        out.add(
            19,
            node.id,
            path,
            f"mount[@path='{CONFIG}']",
            f"no mount for {CONFIG}: the nodes of this product do not share configuration",
        )
    conf, gov = node.partition(CONFIG), node.partition(GOVERNANCE)
    if conf is not None and conf.mount.target_path:
        target = conf.mount.target_path
        gov_target = gov.mount.target_path if gov is not None else None
        if target == GOVERNANCE or (
            gov is not None
            and conf.url is not None
            and gov.url == conf.url
            and gov_target
            and _nested(target, gov_target)
        ):
            out.add(
                19,
                node.id,
                path,
                f"{conf.mount.locator}/targetPath",
                f"config target '{target}' overlaps the governance partition in the same database",
            )
    if conf is None or gov is None or layout is None:
        return
    where = f"{conf.mount.locator}/instanceId"
    if layout == "shared" and conf.source != gov.source:
        out.add(
            20,
            node.id,
            path,
            where,
            f"layout 'shared' keeps config and governance in one database, but {CONFIG} "
            f"reaches {conf.source} and {GOVERNANCE} reaches {gov.source}",
        )
    elif layout == "split" and (
        conf.remote.id == gov.remote.id
        or conf.db_config.name == gov.db_config.name
        or conf.source == gov.source
        or conf.url == gov.url
    ):
        out.add(
            20,
            node.id,
            path,
            where,
            f"layout 'split' needs two databases, each behind its own dbConfig and "
            f"remoteInstance, but {CONFIG} (remoteInstance '{conf.remote.id}', {conf.source}) "
            f"and {GOVERNANCE} (remoteInstance '{gov.remote.id}', {gov.source}) share one",
        )


def _nested(a: str, b: str) -> bool:
    a, b = a.rstrip("/") + "/", b.rstrip("/") + "/"
    return a.startswith(b) or b.startswith(a)


# ---- rules 23-25: user-mgt.xml ------------------------------------------------------------


def _check_user_mgt(node: NodeFiles, out: _Report) -> None:
    path = node.user_mgt_file
    root = node.xml(path)
    if root is None:
        return
    if root.tag != "UserManager":
        out.add(25, node.id, path, "", f"the root element is <{root.tag}>, not <UserManager>")
        return
    realm = root.find("Realm")
    if realm is None:
        out.add(25, node.id, path, "Realm", "no Realm: Carbon cannot start")
        return
    config = realm.find("Configuration")
    if config is None:
        out.add(25, node.id, path, "Realm/Configuration", "no realm Configuration")
    else:
        _check_realm_configuration(node, config, out)
    stores = realm.findall("UserStoreManager")
    if not stores:
        out.add(25, node.id, path, "Realm/UserStoreManager", "no UserStoreManager")
    elif not (_property(stores[0], "TenantManager") or "").strip():
        out.add(
            25,
            node.id,
            path,
            "Realm/UserStoreManager[1]/Property[@name='TenantManager']",
            "the primary UserStoreManager has no TenantManager property; Carbon stops",
        )
    for i, store in enumerate(stores, start=1):
        jndi = _property(store, "dataSource")
        if jndi is not None and node.datasources_complete and jndi not in node.by_jndi:
            out.add(
                24,
                node.id,
                path,
                f"Realm/UserStoreManager[{i}]/Property[@name='dataSource']",
                f"'{jndi}' is no jndiConfig/name in the datasources files",
            )
    authz = realm.find("AuthorizationManager")
    if authz is None or not (authz.get("class") or "").strip():
        out.add(
            25,
            node.id,
            path,
            "Realm/AuthorizationManager/@class",
            "no AuthorizationManager class; Carbon fails with a NullPointerException",
        )


def _check_realm_configuration(node: NodeFiles, config: etree._Element, out: _Report) -> None:
    path = node.user_mgt_file
    for tag, must_have_text in (
        ("AddAdmin", True),
        ("AdminRole", False),
        ("AdminUser/UserName", False),
        ("AdminUser/Password", False),
        ("EveryOneRoleName", False),
    ):
        el = config.find(tag)
        if el is None or (must_have_text and not (_text(el) or "").strip()):
            out.add(
                25,
                node.id,
                path,
                f"Realm/Configuration/{tag}",
                f"{tag} is missing{' or empty' if must_have_text else ''}; Carbon cannot start",
            )
    locator = "Realm/Configuration/Property[@name='dataSource']"
    jndi = _property(config, "dataSource")
    if jndi is None or not jndi.strip():
        out.add(23, node.id, path, locator, "the realm has no dataSource property")
        return
    if not node.datasources_complete:
        return
    ds = node.by_jndi.get(jndi)
    if ds is None:
        out.add(
            23,
            node.id,
            path,
            locator,
            f"'{jndi}' is no jndiConfig/name in the datasources files; Carbon fails with "
            "'Error in looking up data source'",
        )
    elif ds is node.local_datasource or _is_embedded_h2(ds.url):
        out.add(
            23,
            node.id,
            path,
            locator,
            f"'{jndi}' is a database inside this node; users and roles must live in the "
            "shared user-management database",
        )


# ---- rule 26: product files that name datasources -----------------------------------------

_PRODUCT_FILES = (
    ("api-manager.xml", "//*[local-name()='DataSourceName']"),
    (
        "identity/identity.xml",
        "//*[local-name()='JDBCPersistenceManager']/*[local-name()='DataSource']"
        "/*[local-name()='Name']",
    ),
    ("consent-mgt-config.xml", "//*[local-name()='DataSource']/*[local-name()='Name']"),
)


def _check_product_files(node: NodeFiles, out: _Report) -> None:
    if not node.datasources_complete:
        return
    for relative, xpath in _PRODUCT_FILES:
        path = node.conf(relative)
        root = node.xml(path)
        if root is None:
            continue
        for el in root.xpath(xpath):
            jndi = (_text(el) or "").strip()
            if jndi and jndi not in node.by_jndi:
                out.add(
                    26,
                    node.id,
                    path,
                    _element_path(el),
                    f"'{jndi}' is no jndiConfig/name in the datasources files",
                )


# ---- rules 29-30: carbon.xml and axis2.xml ------------------------------------------------


def _offset_text(root: etree._Element) -> str | None:
    found = root.xpath("c:Ports/c:Offset", namespaces={"c": CARBON_NS})
    return (_text(found[0]) or "") if found else None


def _check_carbon_xml(node: NodeFiles, out: _Report) -> None:
    path = node.conf("carbon.xml")
    root = node.xml(path)
    if root is None:
        return
    if root.tag != f"{{{CARBON_NS}}}Server":
        out.add(
            29,
            node.id,
            path,
            "",
            f"the root element is {root.tag}, not Server in namespace {CARBON_NS}",
        )
        return
    value = _offset_text(root)
    if value is None:
        out.add(29, node.id, path, "Ports/Offset", "carbon.xml has no Ports/Offset")
    elif node.carbon_offset is None:
        out.add(29, node.id, path, "Ports/Offset", f"Offset {value!r} is not a whole number >= 0")


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _check_axis2_xml(node: NodeFiles, out: _Report) -> None:
    path = node.axis2_file
    tag = node.root_tag(path)
    if tag is None:
        return
    if tag != "axisconfig":
        out.add(30, node.id, path, "", f"the root element is <{tag}>, not <axisconfig>")
        return
    c = node.clustering
    assert c is not None
    if not c.enabled:
        if node.registry_caching:
            out.add(
                30,
                node.id,
                path,
                "clustering/@enable",
                "clustering is off while registry caching is on: the nodes' caches would "
                'never be invalidated; set enable="true"',
            )
        return
    if c.agent != HAZELCAST_AGENT:
        out.add(
            30, node.id, path, "clustering/@class", f"class is {c.agent!r}, not {HAZELCAST_AGENT}"
        )
    scheme = c.params.get("membershipScheme", "multicast").strip()
    if scheme != "wka":
        out.add(
            30,
            node.id,
            path,
            "clustering/parameter[@name='membershipScheme']",
            f"membershipScheme is '{scheme}', not 'wka'",
        )
    if not c.params.get("domain", "").strip():
        out.add(30, node.id, path, "clustering/parameter[@name='domain']", "no clustering domain")
    host = c.params.get("localMemberHost", "").strip()
    where = "clustering/parameter[@name='localMemberHost']"
    if not host:
        out.add(
            30,
            node.id,
            path,
            where,
            "no localMemberHost: other members cannot be told where this one is",
        )
    elif _is_loopback(host):
        out.add(
            30,
            node.id,
            path,
            where,
            f"localMemberHost '{host}' is a loopback address; other nodes cannot reach it "
            "(give the node's own IP address)",
        )
    port_text = c.params.get("localMemberPort")
    if port_text is not None and _port(port_text) is None:
        out.add(
            30,
            node.id,
            path,
            "clustering/parameter[@name='localMemberPort']",
            f"localMemberPort {port_text!r} is not a port number",
        )
    # The nodes of a cluster list the same members: each distinct list is read once.
    for i in node.shared.fact(("bad members", c.members), lambda: _bad_members(c.members)):
        out.add(
            30,
            node.id,
            path,
            f"clustering/members/member[{i}]",
            f"member {i} needs a hostName and a port number",
        )


def _bad_members(members: Sequence[tuple[int, str | None, str | None]]) -> list[int]:
    """The index of each member without a hostName or a port number."""
    return [i for i, host, port in members if not (host or "").strip() or _port(port or "") is None]


def _unknown_members(
    members: Sequence[tuple[int, str | None, str | None]], known: set[tuple[str, int]]
) -> list[tuple[int, str, int]]:
    """The (index, host, port) of each well-formed member that is no known endpoint."""
    unknown = []
    for i, host, port_text in members:
        port = _port(port_text or "")
        if not host or port is None:
            continue  # reported per node
        if (_host_key(host), port) not in known:
            unknown.append((i, host, port))
    return unknown


def _domain(node: NodeFiles) -> str:
    c = node.clustering
    return "" if c is None else c.params.get("domain", "").strip()


_DOTTED_QUAD = re.compile(r"([0-9]{1,3})\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}")


def _is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    quad = _DOTTED_QUAD.fullmatch(name)
    if quad is not None and quad.group(1) != "127" and name != "0.0.0.0":
        return False  # neither 127.0.0.0/8 nor 0.0.0.0, valid address or not: no parse
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


# ---- rule 31: EI layout -------------------------------------------------------------------


def _check_ei_layout(node: NodeFiles, out: _Report) -> None:
    if node.info.product != "ei":
        return
    for path in sorted(node.files):
        if path.startswith("repository/conf/"):
            out.add(
                31,
                node.id,
                path,
                "",
                "EI 6.x reads its configuration from conf/ (integrator) or "
                "wso2/<profile>/conf/; a file under repository/conf/ is never read",
            )
    for what, value in (("conf_dir", node.info.conf_dir), ("lib_dir", node.info.lib_dir)):
        if value.startswith("repository/"):
            out.add(
                31,
                "",
                MANIFEST,
                f"nodes[id='{node.id}']/{what}",
                f"{node.id} is an EI 6.x node, but its {what} is '{value}'",
            )


# ============================================================================================
# Across nodes
# ============================================================================================


def _check_across(nodes: Sequence[NodeFiles], out: _Report) -> None:
    _across_local_databases(nodes, out)
    _across_loopback_databases(nodes, out)
    _across_governance(nodes, out)
    _across_config(nodes, out)
    _across_mount_block(nodes, out)
    _across_user_management(nodes, out)
    _across_ports(nodes, out)
    _across_clustering(nodes, out)
    from wizard import product_rules  # see _check_node

    product_rules.check_across(nodes, out)


def _majority(values: Sequence[tuple[NodeFiles, T]]) -> tuple[T, list[str]]:
    """The most common value (ties: the earliest node's) and the nodes that hold it."""
    reference = Counter(v for _, v in values).most_common(1)[0][0]
    return reference, [n.id for n, v in values if v == reference]


def _clusters(nodes: Iterable[NodeFiles]) -> dict[str, list[NodeFiles]]:
    """Nodes by product cluster, in node order; nodes of unknown product are left out."""
    groups: dict[str, list[NodeFiles]] = defaultdict(list)
    for node in nodes:
        if node.info.cluster is not None:
            groups[node.info.cluster].append(node)
    return groups


def _across_local_databases(nodes: Sequence[NodeFiles], out: _Report) -> None:
    # An embedded H2 URL names a different file on every node (it is relative to each
    # PRODUCT_HOME), so only a server URL can collide with another node's database.
    for node in nodes:
        local = node.local_datasource
        if local is None or local.url is None or _is_embedded_h2(local.url):
            continue
        for other in nodes:
            if other is node:
                continue
            clash = next((ds for ds in other.datasources if ds.url == local.url), None)
            if clash is not None:
                out.add(
                    9,
                    node.id,
                    local.file,
                    local.at("url"),
                    f"{LOCAL_DATASOURCE} is the same database as {clash.locator} on {other.id}; "
                    "the local registry must be this node's alone",
                )
                break


def _across_governance(nodes: Sequence[NodeFiles], out: _Report) -> None:
    parts = [(n, p) for n in nodes if (p := n.partition(GOVERNANCE)) and p.url is not None]
    if not parts:
        return
    reference, holders = _majority([(n, p.url) for n, p in parts])
    for node, p in parts:
        if p.url != reference:
            out.add(
                18,
                node.id,
                p.file,
                p.locator,
                f"the governance registry is '{p.url}' here but '{reference}' on "
                f"{', '.join(holders)}: every node of every product shares one governance "
                "database",
            )


def _across_config(nodes: Sequence[NodeFiles], out: _Report) -> None:
    summary: dict[str, tuple[str, str, list[NodeFiles]]] = {}
    for cluster, members in _clusters(nodes).items():
        parts = [
            (n, p)
            for n in members
            if (p := n.partition(CONFIG)) and p.mount.target_path and p.url is not None
        ]
        if not parts:
            continue
        target, target_holders = _majority([(n, p.mount.target_path or "") for n, p in parts])
        url, url_holders = _majority([(n, p.url) for n, p in parts])
        for node, p in parts:
            if p.mount.target_path != target:
                out.add(
                    19,
                    node.id,
                    node.registry_file,
                    f"{p.mount.locator}/targetPath",
                    f"config target '{p.mount.target_path}' differs from '{target}' on "
                    f"{', '.join(target_holders)}: the nodes of {cluster} share one config "
                    "partition",
                )
            if p.url != url:
                out.add(
                    19,
                    node.id,
                    p.file,
                    p.locator,
                    f"the config registry is '{p.url}' here but '{url}' on "
                    f"{', '.join(url_holders)}: the nodes of {cluster} share one config database",
                )
        agreeing = [n for n, p in parts if p.mount.target_path == target and p.url == url]
        summary[cluster] = (url, target, agreeing)
    for (a, (url_a, target_a, nodes_a)), (b, (url_b, target_b, nodes_b)) in combinations(
        summary.items(), 2
    ):
        if url_a != url_b or not _nested(target_a, target_b):
            continue
        how = "the same" if target_a == target_b else "nested"
        for node, mine, other, theirs in [
            *((n, target_a, b, target_b) for n in nodes_a),
            *((n, target_b, a, target_a) for n in nodes_b),
        ]:
            out.add(
                19,
                node.id,
                node.registry_file,
                f"mount[@path='{CONFIG}']/targetPath",
                f"config target '{mine}' and {other}'s '{theirs}' are {how} in one config "
                "database: products sharing it need distinct, non-nested targets",
            )


# Left out of the mount-block comparison: readOnly (workers may differ from the manager),
# the remoteInstance url attribute (unused by JDBC mounts; WSO2's examples put each node's
# host there), and what rules 16, 18 and 19 already compare with a sharper message
# (cacheId follows the datasource; targetPath is the partition).
_BLOCK_SKIPPED_REMOTE = {"id", "readOnly", "cacheId"}
_BLOCK_SKIPPED_MOUNT = {"targetPath"}


def _mount_block(reg: Registry) -> dict[str, str]:
    block = {"currentDBConfig": ", ".join(reg.current)}
    for d in reg.db_configs:
        for tag, text in d.children.items():
            block[f"{d.locator}/{tag}"] = "(set)" if tag == "password" else text
    for r in reg.remotes:
        for tag, text in r.children.items():
            if tag not in _BLOCK_SKIPPED_REMOTE:
                block[f"{r.locator}/{tag}"] = "(set)" if tag == "password" else text
    for m in reg.mounts:
        for name, value in m.attributes.items():
            if name != "path":
                block[f"{m.locator}/@{name}"] = value
        for tag, text in m.children.items():
            if tag not in _BLOCK_SKIPPED_MOUNT:
                block[f"{m.locator}/{tag}"] = text
    return block


def _across_mount_block(nodes: Sequence[NodeFiles], out: _Report) -> None:
    for cluster, members in _clusters(nodes).items():
        registries = [(n, reg) for n in members if (reg := n.registry) is not None]
        if len(registries) < 2 or all(reg is registries[0][1] for _, reg in registries):
            continue  # one registry.xml (read once) on every node: no block differs
        by_registry: dict[int, dict[str, str]] = {}
        for _, reg in registries:
            if id(reg) not in by_registry:
                by_registry[id(reg)] = _mount_block(reg)
        blocks = [(n, by_registry[id(reg)]) for n, reg in registries]
        keys = list(dict.fromkeys(k for _, b in blocks for k in b))
        for key in keys:
            values = [(n, b.get(key, "(absent)")) for n, b in blocks]
            reference, holders = _majority(values)
            for node, value in values:
                if value != reference:
                    out.add(
                        22,
                        node.id,
                        node.registry_file,
                        key,
                        f"'{value}' here but '{reference}' on {', '.join(holders)}: the "
                        f"dbConfig/remoteInstance/mount block must be the same on every node "
                        f"of {cluster}",
                    )


def _across_user_management(nodes: Sequence[NodeFiles], out: _Report) -> None:
    found = []
    for node in nodes:
        ds = node.by_jndi.get(node.realm_jndi or "")
        # A realm on the node's own database is reported per node; comparing its URL too
        # would only repeat that.
        if ds is not None and ds.url is not None and not _is_embedded_h2(ds.url):
            found.append((node, ds))
    if not found:
        return
    reference, holders = _majority([(n, ds.url) for n, ds in found])
    for node, ds in found:
        if ds.url != reference:
            out.add(
                23,
                node.id,
                ds.file,
                ds.at("url"),
                f"the user-management database is '{ds.url}' here but '{reference}' on "
                f"{', '.join(holders)}: every node of every product shares one user store",
            )


def _across_ports(nodes: Sequence[NodeFiles], out: _Report) -> None:
    taken: dict[tuple[str, int], tuple[str, str]] = {}
    for node in nodes:
        offset = node.carbon_offset
        if offset is None or node.info.host is None:
            continue
        host = _host_key(node.info.host)
        mine = {catalog.HTTPS_PORT + offset: "HTTPS", catalog.HTTP_PORT + offset: "HTTP"}
        clashes = [
            (port, kind, taken[(host, port)])
            for port, kind in mine.items()
            if (host, port) in taken
        ]
        if clashes:
            port, kind, (other, other_kind) = clashes[0]
            out.add(
                29,
                node.id,
                node.conf("carbon.xml"),
                "Ports/Offset",
                f"offset {offset} puts {kind} on {node.info.host}:{port}, which {other} already "
                f"uses for {other_kind}; nodes on one host need offsets that keep 9443+offset "
                "and 9763+offset apart",
            )
            continue
        for port, kind in mine.items():
            taken[(host, port)] = (node.id, kind)


def _across_clustering(nodes: Sequence[NodeFiles], out: _Report) -> None:
    clustered = [n for n in nodes if n.clustering is not None and n.clustering.enabled]
    domain_key = "clustering/parameter[@name='domain']"
    domains: dict[str, tuple[str, list[NodeFiles]]] = {}
    for cluster, members in _clusters(clustered).items():
        values = [(n, _domain(n)) for n in members]
        reference, holders = _majority(values)
        for node, value in values:
            if value != reference:
                out.add(
                    30,
                    node.id,
                    node.conf("axis2/axis2.xml"),
                    domain_key,
                    f"domain '{value}' here but '{reference}' on {', '.join(holders)}: one "
                    f"product cluster ({cluster}) is one Hazelcast domain",
                )
        if reference:
            domains[cluster] = (reference, [n for n, v in values if v == reference])
    for (a, (domain_a, nodes_a)), (b, (domain_b, nodes_b)) in combinations(domains.items(), 2):
        if domain_a != domain_b:
            continue
        for node, other in [*((n, b) for n in nodes_a), *((n, a) for n in nodes_b)]:
            out.add(
                30,
                node.id,
                node.conf("axis2/axis2.xml"),
                domain_key,
                f"domain '{domain_a}' is also {other}'s: different products in one domain "
                "join each other's cluster",
            )
    owners: dict[tuple[str, int], str] = {}
    for node in clustered:
        endpoint = node.member_endpoint
        if endpoint is None:
            continue
        if endpoint in owners:
            out.add(
                30,
                node.id,
                node.conf("axis2/axis2.xml"),
                "clustering/parameter[@name='localMemberPort']",
                f"{endpoint[0]}:{endpoint[1]} is also {owners[endpoint]}'s member address; "
                "nodes on one host need different localMemberPorts",
            )
        else:
            owners[endpoint] = node.id
    groups = _clusters(clustered)
    # A node of unknown product (not in the manifest) may belong to any cluster.
    strays = [n for n in clustered if n.info.cluster is None]
    known_in: dict[str | None, set[tuple[str, int]]] = {}
    # The nodes of a cluster list the same members: look each distinct list up once.
    unknown_in: dict[tuple[str | None, tuple[object, ...]], list[tuple[int, str, int]]] = {}
    for node in clustered:
        c = node.clustering
        assert c is not None
        scope_key = node.info.cluster
        known = known_in.get(scope_key)
        if known is None:
            peers = [*groups[scope_key], *strays] if scope_key else clustered
            known = known_in[scope_key] = {e for n in peers if (e := n.member_endpoint) is not None}
        unknown = unknown_in.get((scope_key, c.members))
        if unknown is None:
            unknown = unknown_in[(scope_key, c.members)] = _unknown_members(c.members, known)
        for i, host, port in unknown:
            scope = node.info.cluster or "the tree"
            listed = ", ".join(f"{h}:{p}" for h, p in sorted(known)) or "unknown"
            out.add(
                30,
                node.id,
                node.conf("axis2/axis2.xml"),
                f"clustering/members/member[{i}]",
                f"member {host}:{port} is no node of {scope} (their localMemberHost:"
                f"localMemberPort are {listed})",
            )


# ============================================================================================
# Small helpers
# ============================================================================================


def _parse(content: bytes) -> tuple[etree._Element | None, str | None]:
    # No entity expansion, no network, no DTD loading: the files may come from anywhere.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        return None, str(exc) or type(exc).__name__
    if root is None:
        return None, "empty document"
    return root, None


def _text(el: etree._Element | None) -> str | None:
    return None if el is None else (el.text or "")


def _children(el: etree._Element) -> dict[str, str]:
    """First text of each child element by tag (comments skipped)."""
    found: dict[str, str] = {}
    for child in el:
        if isinstance(child.tag, str):
            found.setdefault(child.tag, child.text or "")
    return found


def _property(parent: etree._Element | None, name: str) -> str | None:
    """A `Property[@name=name]` value; Carbon reads them into a map, so the last one wins."""
    if parent is None:
        return None
    values = [p.text or "" for p in parent.findall("Property") if p.get("name") == name]
    return values[-1] if values else None


def _element_path(el: etree._Element) -> str:
    """`a/b[2]/c` from the root's child down to `el`; inside a datasource, from it."""
    parts: list[str] = []
    node = el
    while (parent := node.getparent()) is not None:
        tag = etree.QName(node).localname
        if tag == "datasource":
            name = (node.findtext("name") or "").strip()
            if name:
                parts.append(f"datasource[name='{name}']")
                break
        same = [c for c in parent if isinstance(c.tag, str) and c.tag == node.tag]
        parts.append(tag if len(same) == 1 else f"{tag}[{same.index(node) + 1}]")
        node = parent
    return "/".join(reversed(parts))


# Both are asked about every member of every node: the same few strings, over and over.
@lru_cache(maxsize=4096)
def _port(text: str) -> int | None:
    text = text.strip()
    return int(text) if re.fullmatch(r"\d{1,5}", text) and 0 < int(text) < 65536 else None


@lru_cache(maxsize=4096)
def _host_key(host: str) -> str:
    return host.strip().strip("[]").lower()


def _properties(content: bytes | None) -> dict[str, str] | None:
    """A Java properties file (ISO-8859-1, as Properties.load reads it) as key -> value."""
    if content is None:
        return None
    lines = content.decode("latin-1").splitlines()
    props: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i].lstrip(" \t\f")
        i += 1
        if not line or line[0] in "#!":
            continue
        # A line ending in an odd number of backslashes continues on the next one.
        while (len(line) - len(line.rstrip("\\"))) % 2 and i < len(lines):
            line = line[:-1] + lines[i].lstrip(" \t\f")
            i += 1
        key, value = _split_property(line)
        props[_unescape(key)] = _unescape(value)
    return props


def _split_property(line: str) -> tuple[str, str]:
    i = 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] in "=: \t\f":
            rest = line[i:].lstrip(" \t\f")
            if rest[:1] in ("=", ":"):
                rest = rest[1:].lstrip(" \t\f")
            return line[:i], rest
        i += 1
    return line, ""


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc.startswith("u") and len(esc) == 5:
            return chr(int(esc[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(esc, esc)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", one, text)
