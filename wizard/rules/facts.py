"""A node's files and the facts the rules read from them: `NodeFiles` (each XML file parsed
once, its datasources, registry, realm, offset and clustering read once per distinct
content through `Shared`), and the tree's node folders made into `NodeFiles`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from typing import TypeVar

from lxml import etree

from wizard.rules.fastpath import Variant
from wizard.rules.findings import Report
from wizard.rules.models import (
    Clustering,
    Datasource,
    Partition,
    RegDbConfig,
    Registry,
    RegMount,
    RegRemote,
    carbon_offset_of,
    clustering_of,
    realm_jndi_of,
    registry_of,
)
from wizard.rules.reading import (
    DEFAULT_MEMBER_PORT,
    LOCAL_DATASOURCE,
    LOCAL_JNDI,
    MASTER_DATASOURCES,
    PRODUCT_FILES,
    host_key,
    port_number,
    text_of,
)
from wizard.rules.shared import Shared
from wizard.rules.tree import Manifest, NodeInfo

T = TypeVar("T")


class NodeFiles:
    """One node folder: its files, each XML parsed once, and the facts the rules read."""

    def __init__(
        self, info: NodeInfo, files: Mapping[str, bytes], shared: Shared | None = None
    ) -> None:
        self.info = info
        self.files = dict(files)
        self.shared = shared if shared is not None else Shared()
        self._parsed: dict[str, etree._Element | None] = {}
        self._variants: dict[str, Variant | None] = {}
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
                elif path == self.axis2_file and root is not None:
                    self.shared.add_base(path, content, root)
            self._parsed[path] = root
        return self._parsed[path]

    def load(self, path: str) -> None:
        """Parse `path`, unless it is a variant of a file parsed before (see `Base`)."""
        if self.clustering_variant(path) is None:
            self.xml(path)

    def root_tag(self, path: str) -> str | None:
        variant = self.clustering_variant(path)
        if variant is not None:
            return str(variant.base.root.tag)
        root = self.xml(path)
        return None if root is None else str(root.tag)

    def clustering_variant(self, path: str) -> Variant | None:
        """axis2.xml as another node's but for the text of one of its clustering parameters
        (its own localMemberHost, typically): all that `clustering_of` reads, known
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

    @cached_property
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
            *(self.conf(relative) for relative, _ in PRODUCT_FILES),
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

    @cached_property
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

    @cached_property
    def datasources(self) -> tuple[Datasource, ...]:
        return self.fact("datasources", self.datasource_files, self._read_datasources)

    def _read_datasources(self) -> tuple[Datasource, ...]:
        found: list[Datasource] = []
        for path in self.datasource_files:
            root = self.xml(path)
            if root is None or root.tag != "datasources-configuration":
                continue
            for i, el in enumerate(root.findall("datasources/datasource"), start=1):
                name = text_of(el.find("name")) or ""
                locator = f"datasource[name='{name}']" if name.strip() else f"datasource[{i}]"
                jndi = text_of(el.find("jndiConfig/name"))
                found.append(Datasource(path, locator, name, jndi, el))
        return tuple(found)

    @cached_property
    def datasources_complete(self) -> bool:
        """Whether every datasources file parsed: only then is "not defined" a finding."""
        if self.conf(MASTER_DATASOURCES) not in self.files:
            return False
        for path in self.datasource_files:
            root = self.xml(path)
            if root is None or root.tag != "datasources-configuration":
                return False
        return True

    @cached_property
    def by_jndi(self) -> dict[str, Datasource]:
        # Carbon binds with context.rebind: a later duplicate JNDI name wins.
        return {ds.jndi: ds for ds in self.datasources if ds.jndi}

    @cached_property
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

    @cached_property
    def registry(self) -> Registry | None:
        path = self.registry_file
        return self.fact("registry", (path,), lambda: registry_of(self.xml(path)))

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

    @cached_property
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

    @cached_property
    def realm_jndi(self) -> str | None:
        path = self.user_mgt_file
        return self.fact("realm", (path,), lambda: realm_jndi_of(self.xml(path)))

    # ---- carbon.xml and axis2.xml ---------------------------------------------------------

    @cached_property
    def carbon_offset(self) -> int | None:
        """Ports/Offset when carbon.xml is here and the value is a valid offset."""
        path = self.conf("carbon.xml")
        return self.fact("offset", (path,), lambda: carbon_offset_of(self.xml(path)))

    @property
    def axis2_file(self) -> str:
        return self.conf("axis2/axis2.xml")

    @cached_property
    def clustering(self) -> Clustering | None:
        path = self.axis2_file
        return self.fact("clustering", (path,), lambda: self._read_clustering(path))

    @cached_property
    def member_endpoint(self) -> tuple[str, int] | None:
        c = self.clustering
        if c is None or not c.enabled:
            return None
        host = c.params.get("localMemberHost", "").strip()
        port = port_number(c.params.get("localMemberPort", str(DEFAULT_MEMBER_PORT)))
        if not host or port is None:
            return None
        return host_key(host), port

    def _read_clustering(self, path: str) -> Clustering | None:
        variant = self.clustering_variant(path)
        if variant is None:
            return self._shared_members(clustering_of(self.xml(path)))
        key = ("clustering", (path, variant.base.content))
        base = self.shared.fact(key, lambda: self._shared_members(clustering_of(variant.base.root)))
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


# ---- the tree's node folders --------------------------------------------------------------


def node_folders(
    files: Mapping[str, bytes], manifest: Manifest, out: Report, shared: Shared
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
