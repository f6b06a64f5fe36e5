"""Rules 12-20 on one node's registry.xml: the local currentDBConfig, the dbConfigs,
the remote instances (settings, cacheId), the mounts, and where the config and governance
partitions lead. What must agree across nodes is in `across`."""

from __future__ import annotations

from wizard.rules.datasources import DOUBLE_ESCAPED
from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.models import Partition, RegDbConfig, Registry, RegRemote
from wizard.rules.reading import CONFIG, GOVERNANCE, LOCAL_H2, is_embedded_h2


def check_registry(node: NodeFiles, layout: str | None, out: Report) -> None:
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


def _check_current_db_config(node: NodeFiles, reg: Registry, out: Report) -> None:
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
    return d.url is not None and LOCAL_H2.match(d.url) is not None  # legacy url form


def _check_db_configs(node: NodeFiles, reg: Registry, out: Report) -> None:
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


def _check_remote_instances(node: NodeFiles, reg: Registry, out: Report) -> None:
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
            if ds is not None and (ds is node.local_datasource or is_embedded_h2(ds.url)):
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


def _check_remote_settings(node: NodeFiles, r: RegRemote, out: Report) -> None:
    path = node.registry_file
    read_only = r.children.get("readOnly")
    if read_only is not None and read_only.strip() not in {"true", "false"}:
        out.add(15, node.id, path, f"{r.locator}/readOnly", f"{read_only!r} is not true or false")
    for tag, wanted in (("registryRoot", "/"), ("enableCache", "true")):
        value = r.children.get(tag)
        if value is None or value.strip() != wanted:
            shown = "missing" if value is None else repr(value)
            out.add(15, node.id, path, f"{r.locator}/{tag}", f"{tag} is {shown}, not '{wanted}'")


def _check_cache_id(node: NodeFiles, r: RegRemote, d: RegDbConfig, out: Report) -> None:
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
        out.add(8, node.id, node.registry_file, f"{r.locator}/cacheId", DOUBLE_ESCAPED)
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


def _check_mounts(node: NodeFiles, reg: Registry, out: Report) -> None:
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


def _check_partitions(node: NodeFiles, layout: str | None, out: Report) -> None:
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
            and one_database(conf, gov)
            and gov_target
            and nested(target, gov_target)
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
        or one_database(conf, gov)
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


def one_database(a: Partition, b: Partition) -> bool:
    """Whether two partitions' URLs reach one database. On Oracle each user is its own
    schema, so one service (one URL) holds as many databases as it has users."""
    if a.url is None or a.url != b.url:
        return False
    if a.url.lower().startswith("jdbc:oracle:"):
        return (a.user or "").upper() == (b.user or "").upper()
    return True


def nested(a: str, b: str) -> bool:
    a, b = a.rstrip("/") + "/", b.rstrip("/") + "/"
    return a.startswith(b) or b.startswith(a)
