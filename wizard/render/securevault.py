"""Secure Vault for the datasource passwords a node's files carry.

The tree never holds a datasource password in XML: each plan-owned datasource's `password`
element becomes `<password svns:secretAlias="ALIAS">password</password>` (the form WSO2's
cipher tool writes), and the node's `security/` folder gets the three files the cipher tool
and Carbon read:

- `cipher-tool.properties`: `ALIAS=<file>//<XPath>,false` per datasource (stock lines kept);
- `cipher-text.properties`: `ALIAS=[plaintext]`, which `ciphertool.sh -Dconfigure` encrypts on
  the node with the node's own key store (stock lines kept);
- `secret-conf.properties`: the file secret repository and the primary key store.

The plaintext stays in `cipher-text.properties` only until the operator runs the cipher tool;
`vault_readme` tells them how, and how to handle the file until then.

The `.properties` text itself (reading, escaping, merging into the stock file) is in
`wizard.render.properties`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml import etree

from wizard import xpath
from wizard.fields import vault_password_problem
from wizard.render.carbonxml import CARBON_NS
from wizard.render.properties import escape_value, merge_properties, parse_properties
from wizard.render.xmltext import Edit, parsed, splice, xml_encoding

if TYPE_CHECKING:
    from wizard.distribution import Stock
    from wizard.plan import NodePlan, Plan

SVNS = "http://org.wso2.securevault/configuration"
"""Namespace of the `secretAlias` attribute; Carbon matches it by URI and local name."""
SECRET_TEXT = "password"
"""What the cipher tool leaves as the element's text (Carbon replaces it with the secret)."""

CIPHER_TOOL = "security/cipher-tool.properties"
CIPHER_TEXT = "security/cipher-text.properties"
SECRET_CONF = "security/secret-conf.properties"
"""Relative to the node's conf dir."""

SECRET_PROVIDER = "org.wso2.securevault.secret.handler.SecretManagerSecretCallbackHandler"
FILE_PROVIDER = "org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider"
DEFAULT_CALLBACK = "org.wso2.carbon.securevault.DefaultSecretCallbackHandler"

# The kernel's shipped primary key store, used when the stock carbon.xml cannot be read.
DEFAULT_KEYSTORE = ("repository/resources/security/wso2carbon.jks", "JKS", "wso2carbon")

_HEADER = "carbon-wizard: Secure Vault aliases of this node's datasource passwords"


def alias(datasource_name: str) -> str:
    """The secret alias of a datasource's password (the stock WSO2_CARBON_DB form)."""
    return f"Datasources.{datasource_name}.Configuration.Password"


def password_xpath(datasource_name: str) -> str:
    """The XPath the cipher tool evaluates (from the document element) to find the password."""
    if "'" in datasource_name:
        raise ValueError(f"datasource name {datasource_name!r} cannot be quoted in an XPath")
    return (
        "//datasources-configuration/datasources/"
        f"datasource[name='{datasource_name}']/definition[@type='RDBMS']/configuration/password"
    )


# --------------------------------------------------------------------------------------------
# The security/ files
# --------------------------------------------------------------------------------------------


def vault_files(node: NodePlan, stock: Stock) -> dict[str, bytes]:
    """`security/cipher-tool.properties`, `cipher-text.properties` and `secret-conf.properties`
    for `node` (paths relative to PRODUCT_HOME); empty when the node does not use the vault.

    Stock files (read through `stock`) keep every line; a stock line for one of our aliases is
    replaced in place rather than duplicated.
    """
    if not node.secure_vault:
        return {}
    for ds in node.datasources:
        problem = vault_password_problem(ds.password)
        if problem is not None:
            raise ValueError(f"{node.id}: the password of datasource {ds.name} {problem}")

    tool_path = node.conf_path(CIPHER_TOOL)
    text_path = node.conf_path(CIPHER_TEXT)
    conf_path = node.conf_path(SECRET_CONF)
    stock_tool = stock.read(tool_path)
    prefix = _conf_prefix(stock_tool, node.conf_dir)

    tool_lines: list[tuple[str, str]] = []
    text_lines: list[tuple[str, str]] = []
    for ds in node.datasources:
        key = alias(ds.name)
        file = f"{prefix}/{ds.file}" if prefix else ds.file
        # `file//XPath`: the tool splits at the first "//" and evaluates the rest as XPath.
        tool_lines.append((key, f"{file}{password_xpath(ds.name)},false"))
        # An empty value makes the cipher tool ask for the password on the node instead.
        secret = "" if ds.password is None else f"[{escape_value(ds.password)}]"
        text_lines.append((key, secret))

    location, store_type, key_alias = keystore_of(stock.read(node.conf_path("carbon.xml")))
    secret_conf = [
        ("carbon.secretProvider", SECRET_PROVIDER),
        ("secretRepositories", "file"),
        ("secretRepositories.file.provider", FILE_PROVIDER),
        ("secretRepositories.file.location", text_path),
        ("keystore.identity.location", location),
        ("keystore.identity.type", store_type),
        ("keystore.identity.alias", key_alias),
        # Not passwords: names Carbon's default callback handler resolves to the key store
        # password it reads from password-tmp or the console at start-up.
        ("keystore.identity.store.password", "identity.store.password"),
        ("keystore.identity.store.secretProvider", DEFAULT_CALLBACK),
        ("keystore.identity.key.password", "identity.key.password"),
        ("keystore.identity.key.secretProvider", DEFAULT_CALLBACK),
    ]
    return {
        tool_path: merge_properties(stock_tool, tool_lines, _HEADER),
        text_path: merge_properties(stock.read(text_path), text_lines, _HEADER),
        conf_path: merge_properties(
            stock.read(conf_path),
            secret_conf,
            "carbon-wizard: Secure Vault configuration "
            "(ciphertool.sh -Dconfigure writes this file again)",
        ),
    }


_CONF_FILES = (
    "datasources/master-datasources.xml",
    "carbon.xml",
    "user-mgt.xml",
    "registry.xml",
    "tomcat/catalina-server.xml",
    "axis2/axis2.xml",
)


def _conf_prefix(stock_tool: bytes | None, conf_dir: str) -> str:
    """How this product's cipher-tool.properties names its conf folder.

    Normally the conf dir relative to PRODUCT_HOME (`repository/conf`, EI `conf`); but some
    stock files use another base (EI 6.x business-process writes `../conf/...`), and our lines
    must resolve the way the product's own ones do.
    """
    if stock_tool is None:
        return conf_dir
    for key, value in parse_properties(stock_tool.decode("latin-1")):
        if key is None or "//" not in value:
            continue
        file = value.split("//", 1)[0]
        for known in _CONF_FILES:
            if file.endswith("/" + known):
                return file[: -len(known) - 1]
    return conf_dir


def keystore_of(carbon_xml: bytes | None) -> tuple[str, str, str]:
    """(location relative to PRODUCT_HOME, type, key alias) of carbon.xml's primary key store,
    which is the one the cipher tool encrypts with."""
    if carbon_xml is None:
        return DEFAULT_KEYSTORE
    root = parsed(carbon_xml).root
    q = f"{{{CARBON_NS}}}"
    store = root.find(f"{q}Security/{q}KeyStore")
    if store is None:
        return DEFAULT_KEYSTORE
    location = (store.findtext(f"{q}Location") or "").strip() or DEFAULT_KEYSTORE[0]
    for home in ("${carbon.home}/", "${carbon.home}"):
        if location.startswith(home):
            location = location[len(home) :]
            break
    store_type = (store.findtext(f"{q}Type") or "").strip() or DEFAULT_KEYSTORE[1]
    key_alias = (store.findtext(f"{q}KeyAlias") or "").strip() or DEFAULT_KEYSTORE[2]
    return location, store_type, key_alias


# --------------------------------------------------------------------------------------------
# The datasources XML
# --------------------------------------------------------------------------------------------


def apply_aliases(datasources_xml: bytes, names: Sequence[str]) -> bytes:
    """A (patched) datasources file with each named datasource's `password` element replaced
    by `<password svns:secretAlias="ALIAS">password</password>`; the root gets
    `xmlns:svns` when it lacks it. Every other byte is kept.
    """
    if not names:
        return datasources_xml
    return _apply_aliases(datasources_xml, tuple(names))


@lru_cache(maxsize=256)
def _apply_aliases(datasources_xml: bytes, names: tuple[str, ...]) -> bytes:
    # The nodes of a cluster carry the same datasources file: alias it once per cluster.
    doc = parsed(datasources_xml)
    root = doc.root
    tree = root.getroottree()
    spans = doc.spans
    encoding = xml_encoding(datasources_xml)
    edits: list[Edit] = []
    declared = root.nsmap.get("svns")
    if declared not in (None, SVNS):
        raise ValueError(f"the root binds prefix svns to {declared}, not {SVNS}")
    for name in names:
        found = xpath.elements(tree, password_xpath(name))
        if len(found) != 1:
            raise ValueError(
                f"datasource {name}: expected one password element at {password_xpath(name)}, "
                f"found {len(found)}"
            )
        element = found[0]
        if element.nsmap.get("svns", SVNS) != SVNS:
            raise ValueError(f"datasource {name}: prefix svns is bound to another namespace")
        span = spans.span(element)
        # Other attributes go: `encrypted="true"` would make Carbon decrypt the alias text.
        markup = f'<{span.name} svns:secretAlias="{alias(name)}">{SECRET_TEXT}</{span.name}>'
        edits.append(span.replace(markup.encode(encoding)))
    if declared is None:
        at = spans.root.open_end - 1  # before the root start tag's ">"
        edits.append(Edit(at, at, f' xmlns:svns="{SVNS}"'.encode(encoding)))
    return splice(datasources_xml, edits)


def vault_datasource_password(password: etree._Element, secret_alias: str) -> None:
    """The same change on an lxml tree, for a patcher that builds the element itself.

    When the document element does not declare `svns`, the declaration is moved there with
    `cleanup_namespaces`, which also drops namespace declarations nothing uses.
    """
    password.text = SECRET_TEXT
    for name in list(password.attrib):
        del password.attrib[name]
    password.set(f"{{{SVNS}}}secretAlias", secret_alias)
    root = password.getroottree().getroot()
    if root.nsmap.get("svns") != SVNS:
        etree.cleanup_namespaces(root, top_nsmap={"svns": SVNS})


def secure_rendered(node: NodePlan, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """`files` (a node's rendered files, keyed by path under PRODUCT_HOME) with every
    plan-owned datasource password turned into its alias; unchanged without the vault."""
    out = dict(files)
    if not node.secure_vault:
        return out
    for file in node.datasource_files():
        names = [ds.name for ds in node.datasources if ds.file == file]
        if not names:
            continue
        path = node.conf_path(file)
        if path not in out:
            raise ValueError(f"{node.id}: {path} holds {', '.join(names)} but was not rendered")
        out[path] = apply_aliases(out[path], names)
    return out


# --------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------


def vault_readme(node_or_plan: NodePlan | Plan) -> str:
    """The README section (Markdown) on finishing Secure Vault on the nodes; empty when no
    node uses it."""
    nodes = list(getattr(node_or_plan, "nodes", None) or [node_or_plan])
    nodes = [n for n in nodes if n.secure_vault]
    if not nodes:
        return ""
    confs = sorted({n.conf_dir for n in nodes})
    conf = confs[0] if len(confs) == 1 else "<conf>"
    text = f"{conf}/{CIPHER_TEXT}"
    lines = [
        "## Secure Vault: encrypt the datasource passwords on each node",
        "",
        "No datasource password is written into this tree's XML files. Each datasource's",
        '`<password>` reads `<password svns:secretAlias="Datasources.<NAME>.Configuration.'
        'Password">password</password>`,',
        f"and `{text}` holds the password itself, in plain text, as",
        "`ALIAS=[password]`: the cipher tool encrypts it on the node, with that node's key store.",
        "",
        f"Until then `{text}` is a plaintext secret. It is written with mode 0600:",
        "keep it so on the jump host and on the node (owned by the user that runs the server),",
        "and copy it with a tool that keeps the mode (`scp -p`, `rsync -p`).",
        "",
        "On every node, after copying its files into PRODUCT_HOME and before its first start:",
        "",
        "1. From PRODUCT_HOME run `sh bin/ciphertool.sh -Dconfigure` and, when asked, enter the",
        "   password of the primary key store (carbon.xml `Security/KeyStore`; `wso2carbon` for",
        "   the shipped `wso2carbon.jks`).",
        "2. What it changes: every `[...]` value in `cipher-text.properties` is encrypted with the",
        "   key store's public key and written back Base64-encoded (the file is rewritten);",
        "   every file/XPath listed in `cipher-tool.properties` gets the text `password` and the",
        "   `svns:secretAlias` attribute (already so for the datasources here; entries the",
        "   product ships, such as the key store passwords in carbon.xml or the admin password",
        "   in user-mgt.xml, are changed the same way); and `secret-conf.properties` is written",
        "   again, replacing the one in this tree.",
        f"3. Check: `grep '=\\[' {text}` prints nothing. Keep the file at 0600.",
        "4. Start the server: it asks for the key store password on the console, or reads it",
        "   from `PRODUCT_HOME/password-tmp` (deleted after reading unless the server runs with",
        "   `-Dpersist.password=true`).",
        "",
        "When every node is done, delete this tree from the jump host, or at least every",
        f"`{CIPHER_TEXT.split('/')[-1]}` in it (`find <out> -name cipher-text.properties "
        "-exec shred -u {} +`).",
        "",
        "| Node | Files | Aliases |",
        "|---|---|---|",
    ]
    for node in nodes:
        aliases = ", ".join(f"`{alias(ds.name)}`" for ds in node.datasources)
        lines.append(f"| {node.id} | `{node.conf_path('security/')}` | {aliases} |")
    if any(n.conf_dir.startswith("wso2/") for n in nodes):
        lines += [
            "",
            "Enterprise Integrator: the broker and business-process profiles keep their own",
            "`security/` files under `wso2/<profile>/conf/`, and the cipher-tool paths here follow",
            "the profile's stock file. WSO2 documents the cipher tool for the integrator profile",
            "(`conf/security/`); check that the run above picked up the profile's files (the",
            "tool prints each alias it updates) before deleting the plaintext.",
        ]
    return "\n".join(lines) + "\n"
