"""What the rules read from one parsed file: a datasource, registry.xml's dbConfigs, remote
instances and mounts, a mount's partition, axis2.xml's clustering, and the readers that
build them from a parsed root (None when the root is not the file's kind)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from lxml import etree

from wizard import xpath
from wizard.rules.reading import CARBON_NS, attributes_of, children_of, property_of, text_of


@dataclass(frozen=True, eq=False)
class Datasource:
    """One `datasources/datasource` element of a datasources file."""

    file: str
    locator: str
    """`datasource[name='X']` (or `datasource[N]` when it has no name)."""
    name: str
    jndi: str | None
    element: etree._Element

    @cached_property
    def configuration(self) -> etree._Element | None:
        return self.element.find("definition/configuration")

    def setting(self, tag: str) -> str | None:
        conf = self.configuration
        return None if conf is None else text_of(conf.find(tag))

    @cached_property
    def url(self) -> str | None:
        # Read once: the cross-node rules ask every node's partitions for it, and the
        # nodes of a cluster share one parsed datasources file.
        url = self.setting("url")
        if url is None and self.configuration is not None:
            # XA form: the URL is a dataSourceProps property (`url` or `URL`).
            for prop in self.configuration.findall("dataSourceProps/property"):
                if (prop.get("name") or "").lower() == "url":
                    return text_of(prop)
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
    """registry.xml as the rules read it."""

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


def realm_jndi_of(root: etree._Element | None) -> str | None:
    if root is None or root.tag != "UserManager":
        return None
    return property_of(root.find("Realm/Configuration"), "dataSource")


def carbon_offset_of(root: etree._Element | None) -> int | None:
    if root is None or root.tag != f"{{{CARBON_NS}}}Server":
        return None
    value = offset_text(root)
    if value is None or not re.fullmatch(r"\s*\d+\s*", value):
        return None
    return int(value)


def clustering_of(root: etree._Element | None) -> Clustering | None:
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


def registry_of(root: etree._Element | None) -> Registry | None:
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
                text_of(el.find("dataSource")),
                text_of(el.find("url")),
                text_of(el.find("userName")),
                children_of(el),
            )
        )
    remotes = []
    for i, el in enumerate(root.findall("remoteInstance"), start=1):
        children = children_of(el)
        rid = children.get("id", "")
        locator = f"remoteInstance[id='{rid}']" if rid.strip() else f"remoteInstance[{i}]"
        remotes.append(RegRemote(rid, locator, children))
    mounts = []
    for i, el in enumerate(root.findall("mount"), start=1):
        path = el.get("path")
        locator = f"mount[@path='{path}']" if path else f"mount[{i}]"
        children = children_of(el)
        mounts.append(
            RegMount(
                path,
                locator,
                children.get("instanceId"),
                children.get("targetPath"),
                attributes_of(el),
                children,
            )
        )
    return Registry(
        current=tuple(text_of(el) or "" for el in root.findall("currentDBConfig")),
        enable_cache=text_of(root.find("enableCache")),
        db_configs=tuple(db_configs),
        remotes=tuple(remotes),
        mounts=tuple(mounts),
    )


def offset_text(root: etree._Element) -> str | None:
    found = xpath.elements(root, "c:Ports/c:Offset", namespaces={"c": CARBON_NS})
    return (text_of(found[0]) or "") if found else None
