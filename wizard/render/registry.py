"""registry.xml: the shared partitions (dbConfig, remoteInstance, mount), patched in.

The plan owns every `dbConfig` but the node-local one, every `remoteInstance` and every
`mount`. Those the stock file has are removed and the plan's block goes right after the local
`dbConfig`, so a file patched twice comes out the same. The local repository
(`currentDBConfig` and its `dbConfig`, on `jdbc/WSO2CarbonDB`) stays as the product ships it;
handlers, indexing, static configuration, comments and every other byte are kept.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from wizard import catalog
from wizard.plan import RegistryPlan
from wizard.render import xmltools
from wizard.render.xmltext import Edit, Markup, splice


def patch_registry(stock: bytes, registry: RegistryPlan) -> bytes:
    """`stock` registry.xml with the plan's shared partitions mounted."""
    return _patch(stock, registry)


@lru_cache(maxsize=256)
def _patch(stock: bytes, registry: RegistryPlan) -> bytes:
    # Every node of a product cluster gets the same block (rule 22): patch once per cluster.
    root = xmltools.parse(stock).getroot()
    if root.tag != "wso2registry":
        raise ValueError(
            f"not a registry.xml: root element is <{root.tag}>, expected <wso2registry>"
        )
    m = Markup(stock, root)
    edits: list[Edit] = []
    local_name, local = _local_db_config(root, registry)
    current = root.find("currentDBConfig")
    if current is None:
        first = _first_element(root)
        markup = f"<currentDBConfig>{xmltools.text(local_name)}</currentDBConfig>"
        if first is not None:
            edits.append(m.insert_before(first, markup))
        else:
            edits.append(m.insert_last_child(root, markup, m.children_indent(root)))
    elif (current.text or "").strip() != local_name:
        edits.append(m.span(current).replace_content(m.encode(xmltools.text(local_name))))

    owned = [
        el
        for el in root
        if isinstance(el.tag, str)
        and (el.tag in ("remoteInstance", "mount") or (el.tag == "dbConfig" and el is not local))
    ]
    edits += [m.remove(el) for el in owned]

    block_lines = _block(registry)
    if local is not None:
        indent = m.indent_of(local)
        edits.append(m.insert_after(local, m.block(block_lines, indent), blank_line=True))
    else:
        # No local dbConfig at all: add it, then the shared block, after currentDBConfig.
        local_lines = [
            (0, f'<dbConfig name="{xmltools.attribute(local_name)}">'),
            (1, f"<dataSource>{catalog.LOCAL_JNDI}</dataSource>"),
            (0, "</dbConfig>"),
        ]
        anchor = current if current is not None else _first_element(root)
        indent = m.indent_of(anchor) if anchor is not None else m.children_indent(root)
        lines = [*local_lines, (0, ""), *block_lines]
        markup = m.block(lines, indent)
        if anchor is not None:
            edits.append(m.insert_after(anchor, markup))
        else:
            edits.append(m.insert_last_child(root, markup, indent))
    return splice(stock, edits)


def _local_db_config(
    root: etree._Element, registry: RegistryPlan
) -> tuple[str, etree._Element | None]:
    """The name of the node-local dbConfig and its element (None when the file has none).

    The stock `currentDBConfig` is kept when it names a dbConfig on the local datasource;
    otherwise the plan's name is used (a file whose current config points at a shared
    database would record its mounts in the shared database, see reference §2.2).
    """
    by_name = {(el.get("name") or "").strip(): el for el in root.findall("dbConfig")}
    stock_current = (root.findtext("currentDBConfig") or "").strip()
    candidate = by_name.get(stock_current)
    if candidate is not None and _is_local(candidate):
        return stock_current, candidate
    planned = by_name.get(registry.current_db_config)
    if planned is not None and _is_local(planned):
        return registry.current_db_config, planned
    return registry.current_db_config, None


def _is_local(db_config: etree._Element) -> bool:
    return (db_config.findtext("dataSource") or "").strip() == catalog.LOCAL_JNDI


def _block(registry: RegistryPlan) -> list[tuple[int, str]]:
    t, a = xmltools.text, xmltools.attribute
    lines: list[tuple[int, str]] = []
    for db in registry.db_configs:
        lines += [
            (0, f'<dbConfig name="{a(db.name)}">'),
            (1, f"<dataSource>{t(db.datasource)}</dataSource>"),
            (0, "</dbConfig>"),
        ]
    for inst in registry.remote_instances:
        lines += [
            (0, f'<remoteInstance url="{a(inst.url)}">'),
            (1, f"<id>{t(inst.id)}</id>"),
            (1, f"<dbConfig>{t(inst.db_config)}</dbConfig>"),
            (1, f"<readOnly>{'true' if inst.read_only else 'false'}</readOnly>"),
            (1, f"<enableCache>{'true' if inst.enable_cache else 'false'}</enableCache>"),
            (1, f"<registryRoot>{t(inst.registry_root)}</registryRoot>"),
            (1, f"<cacheId>{t(inst.cache_id)}</cacheId>"),
            (0, "</remoteInstance>"),
        ]
    for mount in registry.mounts:
        lines += [
            (0, f'<mount path="{a(mount.path)}" overwrite="{a(mount.overwrite)}">'),
            (1, f"<instanceId>{t(mount.instance_id)}</instanceId>"),
            (1, f"<targetPath>{t(mount.target_path)}</targetPath>"),
            (0, "</mount>"),
        ]
    return lines


def _first_element(root: etree._Element) -> etree._Element | None:
    return next((el for el in root if isinstance(el.tag, str)), None)
