"""user-mgt.xml: the realm's `dataSource`, and the primary user store the plan chooses.

The realm's `Realm/Configuration/Property[@name='dataSource']` is the plan's, plus a JDBC user
store's own `dataSource` when the stock file points it at the node-local database (users would
then live on one node only). With a user-store plan, the primary store (the first active
`Realm/UserStoreManager`, the one Carbon reads as primary) becomes the wanted class, the way
WSO2's own builds switch it: other stores are commented out as
`<!--UserStoreManager ...>...</UserStoreManager-->`, and a commented-out block of the wanted
class is uncommented in place (so the stock file's own properties are kept). Comments, order,
line ends, encoding and every other byte stay as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml import etree

from wizard import catalog
from wizard.render import xmltools
from wizard.render.xmltext import Edit, Markup, comment_spans, line_indent, splice

if TYPE_CHECKING:
    from wizard.plan import UserStorePlan

JDBC_STORE = "JDBCUserStoreManager"
JDBC_CLASS = "org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager"
LDAP_CLASS = "org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager"
JDBC_TENANT_MANAGER = "org.wso2.carbon.user.core.tenant.JDBCTenantManager"
LDAP_TENANT_MANAGER = "org.wso2.carbon.user.core.tenant.CommonHybridLDAPTenantManager"

# The blocks written when the file holds none of the wanted class, active or commented out:
# the kernel 4.4.35 user-mgt.xml's JDBCUserStoreManager and (Identity Server's)
# ISUserStoreManager blocks, property for property. An empty value is written `<Property/>`.
JDBC_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("TenantManager", JDBC_TENANT_MANAGER),
    ("ReadOnly", "false"),
    ("ReadGroups", "true"),
    ("WriteGroups", "true"),
    ("UsernameJavaRegEx", r"^[\S]{3,30}$"),
    ("UsernameJavaScriptRegEx", r"^[\S]{3,30}$"),
    ("UsernameJavaRegExViolationErrorMsg", "Username pattern policy violated"),
    ("PasswordJavaRegEx", r"^[\S]{5,30}$"),
    ("PasswordJavaScriptRegEx", r"^[\S]{5,30}$"),
    (
        "PasswordJavaRegExViolationErrorMsg",
        "Password length should be within 5 to 30 characters",
    ),
    ("RolenameJavaRegEx", r"^[\S]{3,30}$"),
    ("RolenameJavaScriptRegEx", r"^[\S]{3,30}$"),
    ("CaseInsensitiveUsername", "true"),
    ("SCIMEnabled", "false"),
    ("IsBulkImportSupported", "true"),
    ("PasswordDigest", "SHA-256"),
    ("StoreSaltedPassword", "true"),
    ("MultiAttributeSeparator", ","),
    ("MaxUserNameListLength", "100"),
    ("MaxRoleNameListLength", "100"),
    ("UserRolesCacheEnabled", "true"),
    ("UserNameUniqueAcrossTenants", "false"),
)

EMBEDDED_LDAP: tuple[tuple[str, str], ...] = (
    ("TenantManager", LDAP_TENANT_MANAGER),
    ("ConnectionURL", catalog.EMBEDDED_LDAP_URL),
    ("ConnectionName", "uid=admin,ou=system"),
    ("ConnectionPassword", "admin"),
    ("UserSearchBase", "ou=Users,dc=wso2,dc=org"),
    ("GroupSearchBase", "ou=Groups,dc=wso2,dc=org"),
)
"""Identity Server's embedded LDAP (ApacheDS) as IS 5.7.0 ships it; the properties the plan
sets on a ReadWriteLDAP store, in this order."""

LDAP_PROPERTIES: tuple[tuple[str, str], ...] = (
    *EMBEDDED_LDAP[:4],
    ("AnonymousBind", "false"),
    EMBEDDED_LDAP[4],
    ("UserEntryObjectClass", "identityPerson"),
    ("UserNameAttribute", "uid"),
    ("UserNameSearchFilter", "(&(objectClass=person)(uid=?))"),
    ("UserNameListFilter", "(objectClass=person)"),
    ("DisplayNameAttribute", ""),
    ("ReadGroups", "true"),
    ("WriteGroups", "true"),
    EMBEDDED_LDAP[5],
    ("GroupEntryObjectClass", "groupOfNames"),
    ("GroupNameAttribute", "cn"),
    ("GroupNameSearchFilter", "(&(objectClass=groupOfNames)(cn=?))"),
    ("GroupNameListFilter", "(objectClass=groupOfNames)"),
    ("MembershipAttribute", "member"),
    ("BackLinksEnabled", "false"),
    ("UsernameJavaRegEx", "[a-zA-Z0-9._\\-|//]{3,30}$"),
    ("UsernameJavaScriptRegEx", r"^[\S]{3,30}$"),
    ("UsernameJavaRegExViolationErrorMsg", "Username pattern policy violated"),
    ("PasswordJavaRegEx", r"^[\S]{5,30}$"),
    ("PasswordJavaScriptRegEx", r"^[\S]{5,30}$"),
    (
        "PasswordJavaRegExViolationErrorMsg",
        "Password length should be within 5 to 30 characters",
    ),
    ("RolenameJavaRegEx", "[a-zA-Z0-9._\\-|//]{3,30}$"),
    ("RolenameJavaScriptRegEx", r"^[\S]{3,30}$"),
    ("SCIMEnabled", "true"),
    ("IsBulkImportSupported", "true"),
    ("EmptyRolesAllowed", "true"),
    ("PasswordHashMethod", "PLAIN_TEXT"),
    ("MultiAttributeSeparator", ","),
    ("MaxUserNameListLength", "100"),
    ("MaxRoleNameListLength", "100"),
    ("kdcEnabled", "false"),
    ("defaultRealmName", "WSO2.ORG"),
    ("UserRolesCacheEnabled", "true"),
    ("ConnectionPoolingEnabled", "false"),
    ("LDAPConnectionTimeout", "5000"),
    ("ReadTimeout", ""),
    ("RetryAttempts", ""),
)

# A commented-out store block as WSO2 writes them: the comment holds the element minus its
# first `<` and last `>` (IS's kernel input names Identity Server's block ISUserStoreManager).
_COMMENTED_BLOCK = re.compile(r"(IS)?UserStoreManager\s")


def patch_user_mgt(
    stock: bytes, realm_datasource: str, user_store: UserStorePlan | None = None
) -> bytes:
    """`stock` user-mgt.xml with the realm on the JNDI name `realm_datasource` and, when
    `user_store` is given, its primary user store switched to the plan's kind."""
    return _patch(stock, realm_datasource, user_store)


@lru_cache(maxsize=64)
def _patch(stock: bytes, jndi: str, user_store: UserStorePlan | None) -> bytes:
    root = xmltools.parse(stock).getroot()
    if root.tag != "UserManager":
        raise ValueError(
            f"not a user-mgt.xml: root element is <{root.tag}>, expected <UserManager>"
        )
    realm = root.find("Realm")
    config = realm.find("Configuration") if realm is not None else None
    if realm is None or config is None:
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
    kept = realm.findall("UserStoreManager")
    if user_store is not None:
        kept = _primary_store(m, realm, config, jndi, user_store, edits)
    for store in kept:
        if not (store.get("class") or "").endswith(JDBC_STORE):
            continue
        for prop in _properties(store, "dataSource"):
            if (prop.text or "").strip() == catalog.LOCAL_JNDI:
                edits.append(m.span(prop).replace_content(value))
    return splice(stock, edits)


def _primary_store(
    m: Markup,
    realm: etree._Element,
    config: etree._Element,
    jndi: str,
    plan: UserStorePlan,
    edits: list[Edit],
) -> list[etree._Element]:
    """Adds to `edits` what makes the wanted store the only active one (or, when it already
    is the primary, keeps the rest as they are); returns the other active stores left alone."""
    wanted, settings = _wanted(plan)
    stores = realm.findall("UserStoreManager")
    primary: etree._Element | None
    if stores and _class(stores[0]) == wanted:
        primary, dropped = stores[0], []
        if plan.kind == "embedded-ldap":
            # IS's own embedded LDAP is already primary: its settings are the operator's.
            settings = ()
    else:
        primary = next((s for s in stores if _class(s) == wanted), None)
        # Only the stores of other kinds are switched off for JDBC: further JDBC stores
        # may be the operator's own, on the same realm database; an LDAP primary is the
        # only store, as IS ships it.
        dropped = [
            s
            for s in stores
            if s is not primary and not (plan.kind == "jdbc" and _class(s) == JDBC_CLASS)
        ]
    for store in dropped:
        edits += _comment_out(m, store)
    own_jndi = jndi if wanted == JDBC_CLASS else None
    if primary is not None:
        span = m.span(primary)
        block = m.data[span.start : span.end]
        patched = _patch_block(m, block, m.indent_of(primary), settings, own_jndi)
        if patched != block:
            edits.append(span.replace(patched))
    else:
        commented = _commented_block(m, realm, wanted)
        if commented is not None:
            start, end = commented
            block = b"<" + m.data[start + 4 : end - 3] + b">"
            indent = line_indent(m.data, start)
            edits.append(Edit(start, end, _patch_block(m, block, indent, settings, own_jndi)))
        else:
            edits.append(_insert_block(m, config, stores, wanted, settings))
    return [s for s in stores if s is not primary and all(s is not d for d in dropped)]


def _wanted(plan: UserStorePlan) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The primary store's class and the properties the plan sets on it."""
    if plan.kind == "jdbc":
        return JDBC_CLASS, (("TenantManager", JDBC_TENANT_MANAGER),)
    if plan.kind == "embedded-ldap":
        return LDAP_CLASS, EMBEDDED_LDAP
    if plan.kind == "ldap":
        ldap = plan.ldap
        if ldap is None:
            raise ValueError('user_store = "ldap" needs the LDAP server ([products.ldap])')
        if ldap.password is None:
            raise ValueError(
                f"{ldap.answers_path}: the LDAP bind password for {ldap.url} is not set "
                f"(set {ldap.password_env or 'its environment variable'}), so user-mgt.xml "
                "cannot be written"
            )
        return LDAP_CLASS, (
            ("TenantManager", LDAP_TENANT_MANAGER),
            ("ConnectionURL", ldap.url),
            ("ConnectionName", ldap.bind_dn),
            ("ConnectionPassword", ldap.password),
            ("UserSearchBase", ldap.user_search_base),
            ("GroupSearchBase", ldap.group_search_base),
        )
    raise ValueError(
        f'unknown primary user store "{plan.kind}": expected jdbc, ldap or embedded-ldap'
    )


def _class(store: etree._Element) -> str:
    return (store.get("class") or "").strip()


def _comment_out(m: Markup, store: etree._Element) -> list[Edit]:
    """`<!--UserStoreManager ...>...</UserStoreManager-->`, as IS's build writes it: only the
    first `<` and the last `>` change, so uncommenting gives the same bytes back."""
    span = m.span(store)
    inner = m.data[span.start + 1 : span.end - 1]
    if b"--" in inner:
        raise ValueError(
            f'user-mgt.xml: the user store "{_class(store)}" must be commented out to make '
            "the planned store the primary one, but it contains `--` (a comment inside it?), "
            "which a comment cannot hold; remove that from the block or delete the block"
        )
    return [Edit(span.start, span.start + 1, b"<!--"), Edit(span.end - 1, span.end, b"-->")]


def _commented_block(m: Markup, realm: etree._Element, wanted: str) -> tuple[int, int] | None:
    """Byte span of the first comment directly in `realm` holding a store block of class
    `wanted` (`<!--UserStoreManager class=...>...</UserStoreManager-->`)."""
    comments = list(realm.iter(etree.Comment))
    spans = comment_spans(m.data, m.span(realm).open_end, m.span(realm).close_start)
    if len(spans) != len(comments):
        raise ValueError("user-mgt.xml: cannot map the Realm's comments to the file's bytes")
    for comment, (start, end) in zip(comments, spans, strict=True):
        text = comment.text or ""
        if comment.getparent() is not realm or not _COMMENTED_BLOCK.match(text):
            continue
        try:
            block = _parse_block(m, b"<" + m.data[start + 4 : end - 3] + b">", "")[1]
        except ValueError:
            continue  # prose that happens to start with the word, not a block
        if block.tag in ("UserStoreManager", "ISUserStoreManager") and _class(block) == wanted:
            return start, end
    return None


def _parse_block(m: Markup, block: bytes, indent: str) -> tuple[bytes, etree._Element, Markup]:
    """`block` (one element, in the file's encoding) behind a declaration naming that
    encoding and the indentation it has in the file, parsed, with the length of that head."""
    head = f'<?xml version="1.0" encoding="{m.encoding}"?>{m.nl}{indent}'.encode("ascii")
    data = head + block
    root = xmltools.parse(data).getroot()
    return head, root, Markup(data, root)


def _patch_block(
    m: Markup,
    block: bytes,
    indent: str,
    settings: tuple[tuple[str, str], ...],
    jndi: str | None,
) -> bytes:
    """One store block with its tag named UserStoreManager, `settings` set (missing ones
    after its last Property) and, for a JDBC store (`jndi` given), a node-local own
    `dataSource` moved to the realm's."""
    head, root, b = _parse_block(m, block, indent)
    span = b.span(root)
    if span.name != "UserStoreManager":
        # IS's build activates its ISUserStoreManager block under the name Carbon reads.
        old = span.name.encode("ascii")
        edits = [Edit(span.start + 1, span.start + 1 + len(old), b"UserStoreManager")]
        if not span.empty_tag:
            end_name = span.close_start + 2
            edits.append(Edit(end_name, end_name + len(old), b"UserStoreManager"))
        head, root, b = _parse_block(m, splice(b.data, edits)[len(head) :], indent)
    edits = []
    missing = []
    for name, value in settings:
        props = _properties(root, name)
        if not props:
            missing.append(_property(name, value))
        for prop in props:
            if xmltools.element_text(prop) != value:
                edits.append(b.span(prop).replace_content(m.encode(xmltools.text(value))))
    if jndi is not None:
        for prop in _properties(root, "dataSource"):
            if (prop.text or "").strip() == catalog.LOCAL_JNDI:
                edits.append(b.span(prop).replace_content(m.encode(xmltools.text(jndi))))
    if missing:
        others = root.findall("Property")
        if others:
            step = m.nl + b.indent_of(others[-1])
            edits.append(b.insert_after(others[-1], step.join(missing)))
        else:
            step = m.nl + b.children_indent(root)
            edits.append(b.insert_last_child(root, step.join(missing), b.children_indent(root)))
    return splice(b.data, edits)[len(head) :]


def _insert_block(
    m: Markup,
    config: etree._Element,
    stores: list[etree._Element],
    wanted: str,
    settings: tuple[tuple[str, str], ...],
) -> Edit:
    """A new block of class `wanted` from the kernel's data, with `settings`, before the
    first store (commented out by now) or else after Configuration."""
    values = dict(JDBC_PROPERTIES if wanted == JDBC_CLASS else LDAP_PROPERTIES)
    values.update(settings)
    lines = [(0, f'<UserStoreManager class="{xmltools.attribute(wanted)}">')]
    lines += [(1, _property(name, value)) for name, value in values.items()]
    lines.append((0, "</UserStoreManager>"))
    if stores:
        block = m.block(lines, m.indent_of(stores[0]))
        return m.insert_before(stores[0], block, blank_line=True)
    return m.insert_after(config, m.block(lines, m.indent_of(config)), blank_line=True)


def _property(name: str, value: str) -> str:
    attribute = xmltools.attribute(name)
    if not value:
        return f'<Property name="{attribute}"/>'
    return f'<Property name="{attribute}">{xmltools.text(value)}</Property>'


def _properties(parent: etree._Element, name: str) -> list[etree._Element]:
    return [p for p in parent.findall("Property") if p.get("name") == name]
