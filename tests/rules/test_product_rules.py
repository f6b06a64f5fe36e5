"""Rules 32-36 (product level) over small trees held in memory.

Two correct trees are built from the templates of test_rules.py: an Identity Server cluster
of two nodes behind a load balancer (identity and consent data on MySQL), and API Manager x2
with the pre-packaged IS as Key Manager x2, each cluster behind its own balancer. Each
mutation below breaks one product rule, and the finding must say which rule, node, file and
element.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from tests.rules.test_rules import (
    AXIS2,
    CARBON,
    DS,
    LOCAL,
    MASTER,
    REG,
    REGISTRY,
    UM,
    USER_MGT,
    Case,
    Files,
    Mutation,
    Remote,
    axis2_xml,
    chain,
    drop,
    edit,
    in_datasource,
    manifest_edit,
    master_xml,
    mutation_findings,
    mysql,
    on,
    registry_xml,
    show,
    user_mgt_xml,
)
from wizard.rules import RULE_TITLES, check_files

R = "repository/conf"
IDENTITY = f"{R}/identity/identity.xml"
CONSENT = f"{R}/consent-mgt-config.xml"
API_MANAGER = f"{R}/api-manager.xml"
CATALINA = f"{R}/tomcat/catalina-server.xml"
IDENTITY_NAME = "JDBCPersistenceManager/DataSource/Name"
STORE_URL = "Realm/UserStoreManager[1]/Property[@name='ConnectionURL']"
STORE_CLASS = "Realm/UserStoreManager[1]/@class"
HTTPS_PROXY = "Service/Connector[@port='9443']/@proxyPort"
HTTP_PROXY = "Service/Connector[@port='9763']/@proxyPort"
PRODUCT_RULES = set(range(32, 37))

IDN = DS("WSO2_IDENTITY_DB", "jdbc/WSO2IdentityDS", mysql("WSO2_IDENTITY_DB"), "isadmin")
# The workflow engine's database, which the nodes of an IS cluster share (rule 37).
IS_BPS = DS("BPS_DS", "bpsds", mysql("WSO2IS_BPS_DB"), "isbpsadmin")
CONSENT_DB = DS("WSO2_CONSENT_DB", "jdbc/WSO2ConsentDS", mysql("WSO2_CONSENT_DB"), "isadmin")
AM = DS("WSO2AM_DB", "jdbc/WSO2AM_DB", mysql("WSO2AM_DB"), "apimadmin")
EMBEDDED_LDAP = "ldap://localhost:${Ports.EmbeddedLDAP.LDAPServerPort}"


# ============================================================================================
# Templates
# ============================================================================================


def carbon_xml(host: str | None) -> bytes:
    names = f"<HostName>{host}</HostName>\n    <MgtHostName>{host}</MgtHostName>" if host else ""
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">
    <Name>WSO2 Carbon</Name>
    {names}
    <Ports>
        <Offset>0</Offset>
    </Ports>
</Server>
""".encode("iso-8859-1")


def catalina_xml(https_proxy: int | None) -> bytes:
    http = ' proxyPort="80"' if https_proxy else ""
    https = f' proxyPort="{https_proxy}"' if https_proxy else ""
    return f"""<Server port="8005" shutdown="SHUTDOWN">
    <Service className="org.wso2.carbon.tomcat.ext.service.ExtendedStandardService" name="Catalina">
        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol" port="9763"
                   redirectPort="9443"{http}/>
        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol" port="9443"
                   scheme="https" secure="true" SSLEnabled="true"{https}/>
    </Service>
</Server>
""".encode()


def identity_xml(jndi: str) -> bytes:
    # The stock file carries carbon.xml's namespace.
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">
    <JDBCPersistenceManager>
        <DataSource>
            <!-- Include a data source name (jndiConfigName) -->
            <Name>{jndi}</Name>
        </DataSource>
        <SessionDataPersist><Enable>true</Enable></SessionDataPersist>
    </JDBCPersistenceManager>
</Server>
""".encode("iso-8859-1")


def consent_xml(jndi: str) -> bytes:
    return f"""<ConsentManager xmlns="http://wso2.org/carbon/consent/management">
    <DataSource>
        <Name>{jndi}</Name>
    </DataSource>
</ConsentManager>
""".encode()


def api_manager_xml(server_url: str, revoke_url: str, client: str, thrift: str) -> bytes:
    return f"""<APIManager>
    <DataSourceName>jdbc/WSO2AM_DB</DataSourceName>
    <AuthManager>
        <ServerURL>{server_url}</ServerURL>
        <Username>${{admin.username}}</Username>
    </AuthManager>
    <APIKeyValidator>
        <ServerURL>{server_url}</ServerURL>
        <KeyValidatorClientType>{client}</KeyValidatorClientType>
        <ThriftClientPort>10397</ThriftClientPort>
        <EnableThriftServer>{thrift}</EnableThriftServer>
    </APIKeyValidator>
    <OAuthConfigurations>
        <RevokeAPIURL>{revoke_url}</RevokeAPIURL>
    </OAuthConfigurations>
</APIManager>
""".encode()


def ldap_store(url: str) -> Mutation:
    """The primary store made a read-write LDAP store at `url` (class and ConnectionURL)."""
    return chain(
        edit(USER_MGT, "jdbc.JDBCUserStoreManager", "ldap.ReadWriteLDAPUserStoreManager"),
        edit(
            USER_MGT,
            '<Property name="ReadOnly">',
            f'<Property name="ConnectionURL">{url}'
            '</Property>\n            <Property name="ReadOnly">',
        ),
    )


def on_nodes(node_ids: Iterable[str], mutation: Callable[[str], Mutation]) -> Mutation:
    return chain(*(mutation(n) for n in node_ids))


def at(node_id: str, step: Mutation) -> Mutation:
    """`step`, written against a node-relative path, applied to one node's files."""
    prefix = f"nodes/{node_id}/"

    def apply(files: Files) -> Files:
        own = {p[len(prefix) :]: c for p, c in files.items() if p.startswith(prefix)}
        rest = {p: c for p, c in files.items() if not p.startswith(prefix)}
        return {**rest, **{prefix + p: c for p, c in step(own).items()}}

    return apply


# ============================================================================================
# Trees
# ============================================================================================


def assemble(nodes: list[dict[str, Any]], node_files: dict[str, Files]) -> Files:
    """manifest.json as the tree writer writes it, `load_balancer` included."""
    files: Files = {}
    for node in nodes:
        files.update({f"nodes/{node['id']}/{p}": c for p, c in node_files[node["id"]].items()})
    entries = [
        {
            "product_key": n["product"],
            "offset": 0,
            "https_port": 9443,
            "conf_dir": R,
            "lib_dir": "repository/components/lib",
            **n,
        }
        for n in nodes
    ]
    manifest = {"schema_version": 1, "layout": "shared", "nodes": entries, "databases": []}
    files["manifest.json"] = json.dumps(manifest).encode()
    return files


def node_files(node: dict[str, Any], peers: list[dict[str, Any]], datasources: list[DS]) -> Files:
    balancer = node.get("load_balancer")
    host, _, port = balancer.partition(":") if balancer else (None, "", "")
    return {
        MASTER: master_xml([LOCAL, REG, UM, *datasources]),
        REGISTRY: registry_xml(
            [Remote("sharedregistry", REG)],
            ("sharedregistry", f"/_system/{node['product']}config"),
            "sharedregistry",
        ),
        USER_MGT: user_mgt_xml(UM.jndi),
        CARBON: carbon_xml(host),
        CATALINA: catalina_xml(int(port) if port else None),
        AXIS2: axis2_xml(
            f"wso2.{node['product']}.domain", node["host"], 4000, [(p["host"], 4000) for p in peers]
        ),
    }


def is_tree(count: int = 2, balancer: str | None = "is.example.com:443") -> Files:
    """Identity Server x`count`, identity and consent data on their MySQL databases."""
    nodes = [
        {"id": f"is-{i}", "product": "is", "host": f"10.0.3.1{i}", "load_balancer": balancer}
        for i in range(1, count + 1)
    ]
    own = {}
    for node in nodes:
        own[node["id"]] = {
            **node_files(node, nodes, [IDN, CONSENT_DB]),
            f"{R}/datasources/bps-datasources.xml": master_xml([IS_BPS]),
            IDENTITY: identity_xml(IDN.jndi),
            CONSENT: consent_xml(CONSENT_DB.jndi),
        }
    return assemble(nodes, own)


KM_URL = "https://km.example.com:443/services/"
GATEWAY_REVOKE = "https://gw.example.com:443/revoke"


def km_tree(kms: int = 2, server_url: str = KM_URL) -> Files:
    """API Manager x2 behind gw.example.com and IS as Key Manager x`kms` (behind
    km.example.com when more than one), sharing WSO2AM_DB."""
    apims = [
        {
            "id": f"apim-{i}",
            "product": "apim",
            "host": f"10.0.4.1{i}",
            "load_balancer": "gw.example.com:443",
        }
        for i in (1, 2)
    ]
    km_balancer = "km.example.com:443" if kms > 1 else None
    km_nodes = [
        {"id": f"km-{i}", "product": "is-km", "host": f"10.0.4.2{i}", "load_balancer": km_balancer}
        for i in range(1, kms + 1)
    ]
    own = {}
    for peers in (apims, km_nodes):
        for node in peers:
            own[node["id"]] = {
                **node_files(node, peers, [AM]),
                IDENTITY: identity_xml(AM.jndi),
                CONSENT: consent_xml(AM.jndi),
                API_MANAGER: api_manager_xml(server_url, GATEWAY_REVOKE, "WSClient", "false"),
            }
    return assemble(apims + km_nodes, own)


IS = ["is-1", "is-2"]
APIM = ["apim-1", "apim-2"]
KM = ["km-1", "km-2"]


def lone_is() -> Files:
    return is_tree(1, balancer=None)


def single_km() -> Files:
    # A lone key manager is named directly, with the placeholder Carbon fills in.
    return km_tree(1, "https://10.0.4.21:9443${carbon.context}services/")


def pieces(files: Files, node_ids: Iterable[str], step: Mutation) -> Files:
    return on_nodes(node_ids, lambda n: at(n, step))(files)


# ============================================================================================
# Cases
# ============================================================================================


def embedded_ldap(node_ids: Iterable[str]) -> Mutation:
    return lambda files: pieces(files, node_ids, ldap_store(EMBEDDED_LDAP))


def external_ldap(node_ids: Iterable[str], url: str) -> Mutation:
    return lambda files: pieces(files, node_ids, ldap_store(url))


def api_manager(node_ids: Iterable[str], old: str, new: str) -> Mutation:
    return on(node_ids, API_MANAGER, old, new, count=2)


def set_balancer(node_id: str, value: str) -> Mutation:
    def change(data: dict[str, Any]) -> None:
        next(n for n in data["nodes"] if n["id"] == node_id)["load_balancer"] = value

    return manifest_edit(change)


CASES = [
    # ---- rule 32: primary user store ---------------------------------------------------------
    Case(
        "embedded-ldap-in-is-cluster", is_tree, embedded_ldap(IS), 32, "is-2", USER_MGT, STORE_URL
    ),
    Case(
        "embedded-ldap-on-km-sharing-users",
        km_tree,
        embedded_ldap(KM),
        32,
        "km-1",
        USER_MGT,
        STORE_URL,
    ),
    Case(
        "mixed-primary-stores",
        km_tree,
        external_ldap(["apim-1"], "ldap://ldap.example.com:389"),
        32,
        "apim-1",
        USER_MGT,
        STORE_CLASS,
    ),
    Case(
        "ldap-stores-on-two-servers",
        km_tree,
        chain(
            external_ldap([*APIM, "km-1"], "ldap://ldap.example.com:389"),
            external_ldap(["km-2"], "ldap://other.example.com:389"),
        ),
        32,
        "km-2",
        USER_MGT,
        STORE_URL,
    ),
    # ---- rule 33: identity and consent data --------------------------------------------------
    Case(
        "identity-on-local-h2",
        is_tree,
        on(["is-1"], IDENTITY, IDN.jndi, "jdbc/WSO2CarbonDB"),
        33,
        "is-1",
        IDENTITY,
        IDENTITY_NAME,
    ),
    Case(
        "identity-on-undefined-jndi",
        is_tree,
        on(["is-1"], IDENTITY, IDN.jndi, "jdbc/NoSuchDS"),
        33,
        "is-1",
        IDENTITY,
        IDENTITY_NAME,
        also=frozenset({26}),
    ),
    Case(
        "consent-on-local-h2",
        is_tree,
        on(["is-2"], CONSENT, CONSENT_DB.jndi, "jdbc/WSO2CarbonDB"),
        33,
        "is-2",
        CONSENT,
        "DataSource/Name",
    ),
    Case(
        "consent-on-undefined-jndi",
        is_tree,
        on(["is-2"], CONSENT, CONSENT_DB.jndi, "jdbc/NoSuchDS"),
        33,
        "is-2",
        CONSENT,
        "DataSource/Name",
        also=frozenset({26}),
    ),
    Case(
        "identity-on-another-database-per-node",
        is_tree,
        in_datasource("is-2", MASTER, IDN.name, "/WSO2_IDENTITY_DB?", "/OTHER_IDB?"),
        33,
        "is-2",
        IDENTITY,
        IDENTITY_NAME,
    ),
    # ---- rule 34: IS as Key Manager and WSO2AM_DB --------------------------------------------
    Case(
        "km-without-wso2am-db",
        km_tree,
        on(["km-1"], MASTER, "<name>jdbc/WSO2AM_DB</name>", "<name>jdbc/OtherAM_DB</name>"),
        34,
        "km-1",
        MASTER,
        "datasource[jndiConfig/name='jdbc/WSO2AM_DB']",
        also=frozenset({26, 33}),  # its identity.xml and consent name the missing one
    ),
    Case(
        "km-wso2am-db-on-another-url",
        km_tree,
        chain(*(in_datasource(n, MASTER, "WSO2AM_DB", "/WSO2AM_DB?", "/KM_AM_DB?") for n in KM)),
        34,
        "km-1",
        MASTER,
        "datasource[name='WSO2AM_DB']/definition/configuration/url",
    ),
    Case(
        "km-wso2am-db-with-another-user",
        km_tree,
        chain(*(in_datasource(n, MASTER, "WSO2AM_DB", "apimadmin", "kmadmin") for n in KM)),
        34,
        "km-2",
        MASTER,
        "datasource[name='WSO2AM_DB']/definition/configuration/username",
    ),
    Case(
        "km-identity-not-on-wso2am-db",
        km_tree,
        on(KM, IDENTITY, AM.jndi, UM.jndi),
        34,
        "km-1",
        IDENTITY,
        IDENTITY_NAME,
    ),
    # ---- rule 35: api-manager.xml ------------------------------------------------------------
    Case(
        "server-url-names-an-unknown-host",
        km_tree,
        api_manager(["apim-1"], KM_URL, "https://localhost:9443/services/"),
        35,
        "apim-1",
        API_MANAGER,
        "AuthManager/ServerURL",
    ),
    Case(
        "key-validator-url-names-one-km-of-two",
        km_tree,
        api_manager(APIM, KM_URL, "https://10.0.4.22:9443/services/"),
        35,
        "apim-2",
        API_MANAGER,
        "APIKeyValidator/ServerURL",
    ),
    Case(
        "thrift-client-left",
        km_tree,
        on(["apim-2"], API_MANAGER, ">WSClient<", ">ThriftClient<"),
        35,
        "apim-2",
        API_MANAGER,
        "APIKeyValidator/KeyValidatorClientType",
    ),
    Case(
        "thrift-server-left-on",
        km_tree,
        on(["apim-1"], API_MANAGER, "<EnableThriftServer>false", "<EnableThriftServer>true"),
        35,
        "apim-1",
        API_MANAGER,
        "APIKeyValidator/EnableThriftServer",
    ),
    Case(
        "revoke-url-names-one-gateway-of-two",
        km_tree,
        on(["km-1"], API_MANAGER, GATEWAY_REVOKE, "https://10.0.4.11:8243/revoke"),
        35,
        "km-1",
        API_MANAGER,
        "OAuthConfigurations/RevokeAPIURL",
    ),
    Case(
        "revoke-url-on-the-servlet-port",
        km_tree,
        on(["km-2"], API_MANAGER, GATEWAY_REVOKE, "https://gw.example.com:443/services/"),
        35,
        "km-2",
        API_MANAGER,
        "OAuthConfigurations/RevokeAPIURL",
    ),
    # ---- rule 36: load balancers -------------------------------------------------------------
    Case(
        "hostname-not-the-balancer",
        is_tree,
        on(["is-1"], CARBON, "<HostName>is.example.com", "<HostName>10.0.3.11"),
        36,
        "is-1",
        CARBON,
        "HostName",
    ),
    Case(
        "mgt-hostname-missing",
        km_tree,
        on(["km-2"], CARBON, "<MgtHostName>km.example.com</MgtHostName>", ""),
        36,
        "km-2",
        CARBON,
        "MgtHostName",
    ),
    Case(
        "https-proxy-port-wrong",
        is_tree,
        on(["is-2"], CATALINA, 'proxyPort="443"', 'proxyPort="9443"'),
        36,
        "is-2",
        CATALINA,
        HTTPS_PROXY,
    ),
    Case(
        "http-proxy-port-missing",
        km_tree,
        on(["apim-1"], CATALINA, ' proxyPort="80"', ""),
        36,
        "apim-1",
        CATALINA,
        HTTP_PROXY,
    ),
    Case(
        "balancer-not-host-port",
        is_tree,
        set_balancer("is-2", "is.example.com:https"),
        36,
        "",
        "manifest.json",
        "nodes[id='is-2']/load_balancer",
    ),
]


# ============================================================================================
# Tests
# ============================================================================================


@pytest.mark.parametrize(
    "tree", [is_tree, km_tree, lone_is, single_km], ids=["is", "km", "lone-is", "single-km"]
)
def test_a_correct_tree_has_no_findings(tree: Callable[[], Files]) -> None:
    findings = check_files(tree())
    assert findings == [], show(findings)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_mutation_breaks_its_rule(case: Case) -> None:
    findings = mutation_findings(case)
    for finding in findings:
        assert finding.rule in RULE_TITLES and finding.message


def test_every_product_rule_has_a_mutation_test() -> None:
    assert {c.rule for c in CASES} == PRODUCT_RULES <= set(RULE_TITLES)


def test_embedded_ldap_is_allowed_for_a_lone_is_node() -> None:
    findings = check_files(embedded_ldap(["is-1"])(lone_is()))
    assert findings == [], show(findings)


def test_embedded_ldap_is_reported_on_every_node_of_the_cluster() -> None:
    findings = check_files(embedded_ldap(IS)(is_tree()))
    assert [(f.rule, f.node, f.element) for f in findings] == [
        (32, "is-1", STORE_URL),
        (32, "is-2", STORE_URL),
    ], show(findings)
    assert "2-node cluster is" in findings[0].message


def test_identity_findings_say_node_local_or_undefined() -> None:
    local = check_files(on(["is-1"], IDENTITY, IDN.jndi, "jdbc/WSO2CarbonDB")(is_tree()))
    undefined = check_files(on(["is-1"], IDENTITY, IDN.jndi, "jdbc/NoSuchDS")(is_tree()))
    assert "node-local" in next(f.message for f in local if f.rule == 33)
    assert "undefined" in next(f.message for f in undefined if f.rule == 33)


def test_a_single_key_manager_may_be_named_directly() -> None:
    findings = check_files(api_manager(APIM, "10.0.4.21:9443", "10.0.4.99:9443")(single_km()))
    assert [(f.rule, f.element) for f in findings] == [
        (35, "AuthManager/ServerURL"),
        (35, "APIKeyValidator/ServerURL"),
    ] * 2, show(findings)
    assert "set it to https://10.0.4.21:9443/services/" in findings[0].message


def test_a_url_to_one_node_of_two_names_the_balancer_as_fix() -> None:
    mutate = on(["km-1"], API_MANAGER, GATEWAY_REVOKE, "https://10.0.4.11:8243/revoke")
    finding = next(f for f in check_files(mutate(km_tree())) if f.rule == 35)
    assert "no failover" in finding.message
    assert "https://gw.example.com:443/revoke" in finding.message


def test_without_a_balancer_host_names_and_proxy_ports_are_not_judged() -> None:
    files = is_tree(balancer=None)
    files = on(
        IS,
        CARBON,
        "<Name>WSO2 Carbon</Name>",
        "<Name>WSO2 Carbon</Name>\n    <HostName>elsewhere.example.com</HostName>",
    )(files)
    files = on(IS, CATALINA, 'port="9443"', 'port="9443" proxyPort="8443"')(files)
    findings = check_files(files)
    assert findings == [], show(findings)


def test_files_a_node_does_not_carry_are_not_judged() -> None:
    files = drop(*(f"nodes/{n}/{p}" for n in KM for p in (IDENTITY, API_MANAGER, CATALINA)))(
        km_tree()
    )
    files = drop(*(f"nodes/{n}/{p}" for n in APIM for p in (CONSENT, CARBON)))(files)
    findings = check_files(files)
    assert findings == [], show(findings)
