"""user-mgt.xml: the realm's `dataSource` points at the shared user-management database.

Only `Realm/Configuration/Property[@name='dataSource']` is the plan's, plus a JDBC user store's
own `dataSource` when the stock file points it at the node-local database (users would then
live on one node only). LDAP stores, admin settings, comments and every other byte are kept.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from wizard import catalog
from wizard.render import xmltools
from wizard.render.carbonxml import Edit, splice
from wizard.render.splicing import Markup

JDBC_STORE = "JDBCUserStoreManager"


def patch_user_mgt(stock: bytes, realm_datasource: str) -> bytes:
    """`stock` user-mgt.xml with the realm on the JNDI name `realm_datasource`."""
    return _patch(stock, realm_datasource)


@lru_cache(maxsize=64)
def _patch(stock: bytes, jndi: str) -> bytes:
    root = xmltools.parse(stock).getroot()
    if root.tag != "UserManager":
        raise ValueError(
            f"not a user-mgt.xml: root element is <{root.tag}>, expected <UserManager>"
        )
    realm = root.find("Realm")
    config = realm.find("Configuration") if realm is not None else None
    if config is None:
        raise ValueError("user-mgt.xml has no Realm/Configuration; Carbon cannot start with it")
    m = Markup(stock, root)
    value = m.encode(xmltools.text(jndi))
    edits: list[Edit] = []
    props = _properties(config, "dataSource")
    if props:
        edits += [m.span(p).replace_content(value) for p in props]
    else:
        markup = f'<Property name="dataSource">{xmltools.text(jndi)}</Property>'
        others = config.findall("Property")
        if others:
            edits.append(m.insert_after(others[-1], markup))
        else:
            edits.append(m.insert_last_child(config, markup, m.children_indent(config)))
    for store in realm.findall("UserStoreManager"):
        if not (store.get("class") or "").endswith(JDBC_STORE):
            continue
        for prop in _properties(store, "dataSource"):
            if (prop.text or "").strip() == catalog.LOCAL_JNDI:
                edits.append(m.span(prop).replace_content(value))
    return splice(stock, edits)


def _properties(parent: etree._Element, name: str) -> list[etree._Element]:
    return [p for p in parent.findall("Property") if p.get("name") == name]
