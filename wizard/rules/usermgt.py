"""Rules 23-26 on one node: user-mgt.xml's realm (its dataSource, the admin, the
everyone role, TenantManager, AuthorizationManager) and user stores, and the JNDI names that
product files (api-manager.xml, identity.xml, consent-mgt-config.xml) use."""

from __future__ import annotations

from lxml import etree

from wizard import xpath
from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.reading import PRODUCT_FILES, element_path, is_embedded_h2, property_of, text_of


def check_user_mgt(node: NodeFiles, out: Report) -> None:
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
    elif not (property_of(stores[0], "TenantManager") or "").strip():
        out.add(
            25,
            node.id,
            path,
            "Realm/UserStoreManager[1]/Property[@name='TenantManager']",
            "the primary UserStoreManager has no TenantManager property; Carbon stops",
        )
    for i, store in enumerate(stores, start=1):
        jndi = property_of(store, "dataSource")
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


def _check_realm_configuration(node: NodeFiles, config: etree._Element, out: Report) -> None:
    path = node.user_mgt_file
    for tag, must_have_text in (
        ("AddAdmin", True),
        ("AdminRole", False),
        ("AdminUser/UserName", False),
        ("AdminUser/Password", False),
        ("EveryOneRoleName", False),
    ):
        el = config.find(tag)
        if el is None or (must_have_text and not (text_of(el) or "").strip()):
            out.add(
                25,
                node.id,
                path,
                f"Realm/Configuration/{tag}",
                f"{tag} is missing{' or empty' if must_have_text else ''}; Carbon cannot start",
            )
    locator = "Realm/Configuration/Property[@name='dataSource']"
    jndi = property_of(config, "dataSource")
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
    elif ds is node.local_datasource or is_embedded_h2(ds.url):
        out.add(
            23,
            node.id,
            path,
            locator,
            f"'{jndi}' is a database inside this node; users and roles must live in the "
            "shared user-management database",
        )


def check_product_files(node: NodeFiles, out: Report) -> None:
    if not node.datasources_complete:
        return
    for relative, where in PRODUCT_FILES:
        path = node.conf(relative)
        root = node.xml(path)
        if root is None:
            continue
        for el in xpath.elements(root, where):
            jndi = (text_of(el) or "").strip()
            if jndi and jndi not in node.by_jndi:
                out.add(
                    26,
                    node.id,
                    path,
                    element_path(el),
                    f"'{jndi}' is no jndiConfig/name in the datasources files",
                )
