"""Secure Vault: aliases in the datasources XML, cipher-tool/cipher-text/secret-conf files."""

from __future__ import annotations

import copy
import json
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from tests import answers_fixtures as af
from tests.upstream import upstream
from wizard.plan import NodePlan
from wizard.problems import AnswersError
from wizard.render import properties
from wizard.render import securevault as sv

VAULT = {"cluster": {"secure_vault": True}}


class DictStock:
    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files = files or {}

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)


def vault_answers(data: dict[str, Any] | None = None) -> dict[str, Any]:
    out = copy.deepcopy(data or af.SHARED)
    out["cluster"] = {"secure_vault": True}
    return out


def ei_bp_answers() -> dict[str, Any]:
    data = vault_answers()
    data["products"] = [
        {
            "id": "ei",
            "version": "6.4.0",
            "profile": "business-process",
            "databases": {"BPS_DS": {"name": "BPSDB", "user": "bps", "password": "bps-secret"}},
            "nodes": [{"id": "bp-1", "host": "10.0.3.1", "offset": 2}],
        }
    ]
    return data


DATASOURCE = """
        <datasource>
            <name>{name}</name>
            <jndiConfig>
                <name>{jndi}</name>
            </jndiConfig>
            <definition type="RDBMS">
                <configuration>
                    <url>{url}</url>
                    <username>{user}</username>
                    <password>{password}</password>
                    <driverClassName>{driver}</driverClassName>
                </configuration>
            </definition>
        </datasource>
"""


def rendered_datasources(node: NodePlan, file: str, stock: bytes | None = None) -> bytes:
    """What the datasources patcher produces, for this test: the plan's datasources of `file`
    written (passwords in plain text, XML-escaped once) into a stock-like file."""
    blocks = "".join(
        DATASOURCE.format(
            name=ds.name,
            jndi=ds.jndi_name,
            url=escape(ds.url),
            user=escape(ds.username),
            password=escape(ds.password or ""),
            driver=ds.driver_class,
        )
        for ds in node.datasources
        if ds.file == file
    )
    base = stock or (
        b'<datasources-configuration xmlns:svns="http://org.wso2.securevault/configuration">\n'
        b"    <datasources>\n    </datasources>\n</datasources-configuration>\n"
    )
    at = base.index(b"</datasources>")
    return base[:at] + blocks.encode() + base[at:]


def tool_entries(data: bytes) -> dict[str, str]:
    return {k: v for k, v in properties.parse_properties(data.decode("latin-1")) if k is not None}


def test_every_alias_is_in_the_xml_and_both_properties_files() -> None:
    plan = af.build(vault_answers())
    for node in plan.nodes:
        file = "datasources/master-datasources.xml"
        stock = upstream("carbon-kernel-4.4.x/repository/conf/datasources/master-datasources.xml")
        plain = rendered_datasources(node, file, stock)
        secured = sv.secure_rendered(node, {node.conf_path(file): plain})[node.conf_path(file)]
        files = sv.vault_files(node, DictStock())
        tool = tool_entries(files[node.conf_path(sv.CIPHER_TOOL)])
        text = tool_entries(files[node.conf_path(sv.CIPHER_TEXT)])
        tree = etree.ElementTree(etree.fromstring(secured))
        in_xml = tree.xpath("//@svns:secretAlias", namespaces={"svns": sv.SVNS})
        aliases = {sv.alias(ds.name) for ds in node.datasources}
        # The stock sample datasource is a comment; WSO2_CARBON_DB is left alone.
        assert set(map(str, in_xml)) == aliases
        assert set(tool) == aliases == set(text)
        for ds in node.datasources:
            key = sv.alias(ds.name)
            assert properties.unescape(text[key]) == f"[{ds.password}]"
            # The cipher tool's XPath (file//XPath,flag) selects exactly the password element.
            file_part, xpath = tool[key].split("//", 1)
            assert file_part == node.conf_path(ds.file)
            xpath, flag = xpath.rsplit(",", 1)
            assert flag == "false"
            found = tree.xpath("//" + xpath)
            assert len(found) == 1
            assert found[0].tag == "password"
            assert found[0].get(f"{{{sv.SVNS}}}secretAlias") == key
            assert found[0].text == "password"
            assert found[0].getparent().findtext("username") == ds.username
        # No plaintext password left anywhere in the XML, raw or escaped.
        for ds in node.datasources:
            assert ds.password and ds.password.encode() not in secured
            assert escape(ds.password).encode() not in secured
        # The local H2 datasource keeps its stock password; the root keeps xmlns:svns once.
        assert b"<password>wso2carbon</password>" in secured
        assert secured.count(b"xmlns:svns=") == 1


def test_only_the_password_elements_change() -> None:
    node = af.build(vault_answers()).nodes[0]
    plain = rendered_datasources(node, "datasources/master-datasources.xml")
    secured = sv.apply_aliases(plain, [ds.name for ds in node.datasources])
    lines_before, lines_after = plain.splitlines(), secured.splitlines()
    assert len(lines_before) == len(lines_after)
    changed = [(a, b) for a, b in zip(lines_before, lines_after, strict=True) if a != b]
    assert len(changed) == len(node.datasources)
    for _before, after in changed:
        assert after.strip().startswith(b'<password svns:secretAlias="Datasources.')
        assert after.strip().endswith(b'">password</password>')


def test_root_without_svns_gets_the_declaration() -> None:
    node = af.build(vault_answers()).nodes[0]
    base = (
        b"<datasources-configuration>\n    <datasources>\n    </datasources>\n"
        b"</datasources-configuration>\n"
    )
    plain = rendered_datasources(node, "datasources/master-datasources.xml", base)
    secured = sv.apply_aliases(plain, [node.datasources[0].name])
    root = etree.fromstring(secured)
    assert root.nsmap == {"svns": sv.SVNS}
    assert secured.startswith(f'<datasources-configuration xmlns:svns="{sv.SVNS}">'.encode())


def test_encrypted_attribute_goes() -> None:
    xml = (
        b'<datasources-configuration xmlns:svns="http://org.wso2.securevault/configuration">'
        b"<datasources><datasource><name>A</name><definition type='RDBMS'><configuration>"
        b'<password encrypted="true">xyz=</password></configuration></definition></datasource>'
        b"</datasources></datasources-configuration>"
    )
    out = sv.apply_aliases(xml, ["A"])
    assert (
        b'<password svns:secretAlias="Datasources.A.Configuration.Password">password</password>'
        in out
    )
    assert b"encrypted" not in out
    assert sv.apply_aliases(out, ["A"]) == out  # idempotent


def test_missing_datasource_is_an_error() -> None:
    with pytest.raises(ValueError, match="NOPE"):
        sv.apply_aliases(
            b"<datasources-configuration><datasources/></datasources-configuration>", ["NOPE"]
        )


def test_lxml_helper_for_the_datasources_patcher() -> None:
    root = etree.fromstring(
        b"<datasources-configuration><datasources><datasource><name>A</name><definition "
        b"type='RDBMS'><configuration><password>s3cret</password></configuration></definition>"
        b"</datasource></datasources></datasources-configuration>"
    )
    password = root.find(".//password")
    sv.vault_datasource_password(password, sv.alias("A"))
    out = etree.tostring(root)
    assert out.startswith(f'<datasources-configuration xmlns:svns="{sv.SVNS}">'.encode())
    assert (
        b'<password svns:secretAlias="Datasources.A.Configuration.Password">password</password>'
        in out
    )


def test_stock_properties_are_kept_and_crlf_too() -> None:
    node = af.build(vault_answers()).nodes[0]
    tool_stock = upstream("apim-2.6.0/repository/conf/security/cipher-tool.properties")
    text_stock = upstream("apim-2.6.0/repository/conf/security/cipher-text.properties")
    conf_stock = upstream("is-5.7.0/repository/conf/security/secret-conf.properties")
    stock = DictStock(
        {
            "repository/conf/security/cipher-tool.properties": tool_stock,
            "repository/conf/security/cipher-text.properties": text_stock,
            "repository/conf/security/secret-conf.properties": conf_stock,
            "repository/conf/carbon.xml": upstream(
                "carbon-kernel-4.4.x/repository/conf/carbon.xml"
            ),
        }
    )
    files = sv.vault_files(node, stock)
    for path, original in (
        ("repository/conf/security/cipher-tool.properties", tool_stock),
        ("repository/conf/security/cipher-text.properties", text_stock),
        ("repository/conf/security/secret-conf.properties", conf_stock),
    ):
        assert files[path].startswith(original)  # every stock line, untouched
    text = files["repository/conf/security/cipher-text.properties"]
    assert b"\r\n" in text_stock and text.count(b"\n") == text.count(b"\r\n")
    entries = tool_entries(text)
    assert entries["Datasources.WSO2_CARBON_DB.Configuration.Password"] == "[wso2carbon]"
    assert entries[sv.alias("WSO2_UM_DB")] == "[um-secret]"


def test_stock_line_for_the_same_alias_is_replaced_not_duplicated() -> None:
    node = af.build(vault_answers()).nodes[0]
    key = sv.alias("WSO2_UM_DB")
    stock = DictStock(
        {
            "repository/conf/security/cipher-text.properties": (
                f"# stock\n{key} = [old]\nOther=[x]\n{key}=[older]\n".encode()
            )
        }
    )
    text = sv.vault_files(node, stock)["repository/conf/security/cipher-text.properties"]
    assert text.startswith(f"# stock\n{key}=[um-secret]\nOther=[x]\n# carbon-wizard".encode())
    assert text.count(key.encode()) == 1


def test_secret_conf() -> None:
    node = af.build(vault_answers()).nodes[0]
    conf = tool_entries(sv.vault_files(node, DictStock())[node.conf_path(sv.SECRET_CONF)])
    assert conf == {
        "carbon.secretProvider": sv.SECRET_PROVIDER,
        "secretRepositories": "file",
        "secretRepositories.file.provider": sv.FILE_PROVIDER,
        "secretRepositories.file.location": "repository/conf/security/cipher-text.properties",
        "keystore.identity.location": "repository/resources/security/wso2carbon.jks",
        "keystore.identity.type": "JKS",
        "keystore.identity.alias": "wso2carbon",
        "keystore.identity.store.password": "identity.store.password",
        "keystore.identity.store.secretProvider": sv.DEFAULT_CALLBACK,
        "keystore.identity.key.password": "identity.key.password",
        "keystore.identity.key.secretProvider": sv.DEFAULT_CALLBACK,
    }


def test_keystore_comes_from_carbon_xml() -> None:
    carbon = (
        b'<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"><Security><KeyStore>'
        b"<Location>${carbon.home}/repository/resources/security/mine.p12</Location>"
        b"<Type>PKCS12</Type><KeyAlias>node1</KeyAlias></KeyStore></Security></Server>"
    )
    assert sv.keystore_of(carbon) == ("repository/resources/security/mine.p12", "PKCS12", "node1")
    assert sv.keystore_of(None) == sv.DEFAULT_KEYSTORE


def test_ei_profile_paths_follow_the_stock_cipher_tool_file() -> None:
    plan = af.build(ei_bp_answers())
    node = plan.node("bp-1")
    assert node.conf_dir == "wso2/business-process/conf"
    # No stock file: paths relative to PRODUCT_HOME.
    tool = tool_entries(sv.vault_files(node, DictStock())[node.conf_path(sv.CIPHER_TOOL)])
    bps = tool[sv.alias("BPS_DS")]
    assert bps.startswith("wso2/business-process/conf/datasources/bps-datasources.xml//")
    # EI's business-process stock file names its conf folder "../conf": ours follow it.
    stock = DictStock(
        {
            node.conf_path(sv.CIPHER_TOOL): (
                b"Carbon.Security.KeyStore.Password=../conf/carbon.xml//Server/Security/"
                b"KeyStore/Password,false\n"
            )
        }
    )
    tool = tool_entries(sv.vault_files(node, stock)[node.conf_path(sv.CIPHER_TOOL)])
    assert tool[sv.alias("BPS_DS")].startswith("../conf/datasources/bps-datasources.xml//")
    conf = tool_entries(sv.vault_files(node, stock)[node.conf_path(sv.SECRET_CONF)])
    assert conf["secretRepositories.file.location"] == (
        "wso2/business-process/conf/security/cipher-text.properties"
    )
    # bps-datasources.xml gets its alias through secure_rendered too.
    file = "datasources/bps-datasources.xml"
    secured = sv.secure_rendered(
        node,
        {
            node.conf_path(file): rendered_datasources(node, file),
            node.conf_path("datasources/master-datasources.xml"): rendered_datasources(
                node, "datasources/master-datasources.xml"
            ),
        },
    )
    assert (
        b'svns:secretAlias="Datasources.BPS_DS.Configuration.Password"'
        in secured[node.conf_path(file)]
    )


def test_no_vault_no_files() -> None:
    node = af.build().nodes[0]
    assert not node.secure_vault
    assert sv.vault_files(node, DictStock()) == {}
    files = {"x": b"y"}
    assert sv.secure_rendered(node, files) == files
    assert sv.vault_readme(af.build()) == ""


def test_a_password_with_a_closing_bracket_is_refused_at_its_field() -> None:
    assert sv.vault_password_problem("ab]cd") is not None
    assert sv.vault_password_problem("a[b") is None
    data = af.variant("database.user_management.password", "ab]cd", vault_answers())
    with pytest.raises(AnswersError) as typed:
        af.topology(data)
    assert [p.path for p in typed.value.problems] == ["database.user_management.password"]
    assert "cipher tool" in typed.value.problems[0].message
    # The same password from the environment is refused at the variable, before any file.
    data = af.variant(
        "products[1].databases.WSO2_IDENTITY_DB.password_env", "IS_DB_PASSWORD", vault_answers()
    )
    built = af.plan.build(af.topology(data), {"IS_DB_PASSWORD": "x]y"})
    with pytest.raises(AnswersError) as from_env:
        af.plan.require_secrets(built)
    paths = [p.path for p in from_env.value.problems]
    assert paths == ["products[1].databases.WSO2_IDENTITY_DB.password_env"]


def test_unset_password_leaves_the_value_for_the_tool_to_ask() -> None:
    data = af.variant(
        "products[1].databases.WSO2_IDENTITY_DB.password_env", "UNSET_VAR", vault_answers()
    )
    plan = af.plan.build(af.topology(data), {})
    node = plan.node("is-1")
    text = tool_entries(sv.vault_files(node, DictStock())[node.conf_path(sv.CIPHER_TEXT)])
    assert text[sv.alias("WSO2_IDENTITY_DB")] == ""


def test_readme_steps() -> None:
    plan = af.build(vault_answers())
    text = sv.vault_readme(plan)
    assert "sh bin/ciphertool.sh -Dconfigure" in text
    assert "0600" in text and "PRODUCT_HOME" in text
    assert "key store password" in text
    assert "delete this tree from the jump host" in text
    for node in plan.nodes:
        assert f"| {node.id} |" in text
    assert sv.vault_readme(plan.nodes[0]).count("| apim-1 |") == 1
    ei = sv.vault_readme(af.build(ei_bp_answers()))
    assert "wso2/<profile>/conf/" in ei


@given(st.text(max_size=40))
def test_properties_escaping_round_trips(value: str) -> None:
    escaped = properties.escape_value(value)
    assert all(" " <= c <= "~" for c in escaped)
    assert properties.unescape(escaped) == value
    line = properties.merge_properties(None, [("k", f"[{escaped}]")], "h")
    assert dict(tool_entries(line))["k"] == f"[{escaped}]"
    assert properties.unescape(tool_entries(line)["k"]) == f"[{value}]"


def test_properties_parser_follows_java_rules() -> None:
    text = "# c\n! c\na=1\nb : 2\nc 3\nd\\\n   continued=4\ne\\=f=5\n  \n"
    assert [(k, v) for k, v in properties.parse_properties(text) if k is not None] == [
        ("a", "1"),
        ("b", "2"),
        ("c", "3"),
        ("dcontinued", "4"),
        ("e=f", "5"),
    ]


def vault_tree(node_files: dict[str, dict[str, bytes]], plan: Any) -> dict[str, bytes]:
    files = {f"nodes/{n}/{p}": c for n, fs in node_files.items() for p, c in fs.items()}
    entries = [
        {
            "id": node.id,
            "product": node.product,
            "product_key": node.product_key,
            "profile": node.profile,
            "host": node.host,
            "conf_dir": node.conf_dir,
            "lib_dir": node.lib_dir,
        }
        for node in plan.nodes
    ]
    manifest = {"schema_version": 1, "secure_vault": True, "nodes": entries}
    files["manifest.json"] = json.dumps(manifest).encode()
    return files


def test_rule_11_holds_and_catches_a_missing_line() -> None:
    rules = pytest.importorskip("wizard.rules")
    plan = af.build(vault_answers())
    stock = DictStock(
        {
            "repository/conf/security/cipher-tool.properties": upstream(
                "apim-2.6.0/repository/conf/security/cipher-tool.properties"
            ),
            "repository/conf/security/cipher-text.properties": upstream(
                "apim-2.6.0/repository/conf/security/cipher-text.properties"
            ),
        }
    )
    master = "datasources/master-datasources.xml"
    kernel = upstream("carbon-kernel-4.4.x/repository/conf/datasources/master-datasources.xml")
    node_files = {}
    for node in plan.nodes:
        plain = {node.conf_path(master): rendered_datasources(node, master, kernel)}
        node_files[node.id] = {**sv.secure_rendered(node, plain), **sv.vault_files(node, stock)}
    files = vault_tree(node_files, plan)
    assert [str(f) for f in rules.check_files(files) if f.rule in (1, 11)] == []

    # Drop one alias from one node's cipher-text.properties: rule 11 must say so.
    path = "nodes/is-1/repository/conf/security/cipher-text.properties"
    key = sv.alias("WSO2_IDENTITY_DB").encode()
    files[path] = b"\n".join(x for x in files[path].split(b"\n") if not x.startswith(key))
    found = [str(f) for f in rules.check_files(files) if f.rule == 11]
    assert len(found) == 1 and "is-1" in found[0] and "WSO2_IDENTITY_DB" in found[0]
