"""Product files patched on WSO2's real stock files: identity.xml, consent-mgt-config.xml and
api-manager.xml (both sides of IS as Key Manager), carbon.xml and catalina-server.xml behind a
load balancer. Each intended element changes, every other line stays byte for byte, and
patching again gives the same bytes."""

from __future__ import annotations

import copy
import difflib

import pytest
from lxml import etree

from tests import answers_fixtures as af
from tests.upstream import upstream
from wizard import answers, plan
from wizard.render.product_files import patch_product_file
from wizard.wiring import ElementEdit, FileEdits

STOCK = {
    "api-manager.xml": "apim-2.6.0/repository/conf/api-manager.xml",
    "identity/identity.xml": "is-5.7.0/repository/conf/identity/identity.xml",
    "consent-mgt-config.xml": "is-5.7.0/repository/conf/consent-mgt-config.xml",
    "carbon.xml": "carbon-kernel-4.4.x/repository/conf/carbon.xml",
    "tomcat/catalina-server.xml": "carbon-kernel-4.4.x/repository/conf/tomcat/catalina-server.xml",
}
CARBON = "{http://wso2.org/projects/carbon/carbon.xml}"


def km_plan() -> plan.Plan:
    """API Manager (2 nodes) with IS as Key Manager (2 nodes), each behind a balancer."""
    data = copy.deepcopy(af.SHARED)
    data["products"] = [
        copy.deepcopy(af.SHARED["products"][0]) | {"load_balancer": "gw.example.com:8443"},
        {
            "id": "is-km",
            "version": "5.7.0",
            "load_balancer": "km.example.com",
            "nodes": [
                {"id": "km-1", "host": "10.0.2.11"},
                {"id": "km-2", "host": "10.0.2.12"},
            ],
        },
    ]
    return af.build(data)


def changed_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """The lines a patch removed and added (a line diff, ends kept)."""
    old = before.decode("latin-1").splitlines(keepends=True)
    new = after.decode("latin-1").splitlines(keepends=True)
    removed, added = [], []
    for line in difflib.ndiff(old, new):
        if line.startswith("- "):
            removed.append(line[2:].strip())
        elif line.startswith("+ "):
            added.append(line[2:].strip())
    return removed, added


def edits_of(node: plan.NodePlan, file: str) -> FileEdits:
    (found,) = [e for e in node.file_edits if e.file == file]
    return found


def test_api_manager_side_points_at_the_key_manager_front() -> None:
    node = km_plan().node("apim-1")
    stock = upstream(STOCK["api-manager.xml"])
    patched = patch_product_file(stock, edits_of(node, "api-manager.xml"))
    root = etree.fromstring(patched)
    assert root.findtext("AuthManager/ServerURL") == "https://km.example.com:443/services/"
    assert root.findtext("APIKeyValidator/ServerURL") == "https://km.example.com:443/services/"
    assert root.findtext("APIKeyValidator/KeyValidatorClientType") == "WSClient"
    assert root.findtext("APIKeyValidator/EnableThriftServer") == "false"
    removed, added = changed_lines(stock, patched)
    # Exactly four lines change; everything else (the ${...} placeholders too) is as shipped.
    assert len(removed) == len(added) == 4
    assert "<ThriftServerHost>localhost</ThriftServerHost>" not in removed
    assert patch_product_file(patched, edits_of(node, "api-manager.xml")) == patched


def test_key_manager_side_as_wso2s_own_clusters_set_it() -> None:
    """GatewayType None and the throttling publishers off, as in WSO2's docker-apim IS-as-KM
    api-manager.xml; RevokeAPIURL and the gateway environment to the API Manager's front."""
    node = km_plan().node("km-2")
    stock = upstream(STOCK["api-manager.xml"])
    patched = patch_product_file(stock, edits_of(node, "api-manager.xml"))
    root = etree.fromstring(patched)
    assert root.findtext("GatewayType") == "None"
    assert root.findtext("OAuthConfigurations/RevokeAPIURL") == (
        "https://gw.example.com:8443/revoke"
    )
    env = root.find("APIGateway/Environments/Environment")
    assert env is not None and env.findtext("ServerURL") == "https://gw.example.com:8443/services/"
    throttling = root.find("ThrottlingConfigurations")
    for part in ("DataPublisher", "PolicyDeployer", "BlockCondition", "JMSConnectionDetails"):
        assert throttling.findtext(f"{part}/Enabled") == "false", part
    assert throttling.findtext("EnableAdvanceThrottling") == "true"  # not the plan's
    wso2 = upstream(
        "cluster-examples/docker-apim-v2.6.0.1/docker-compose/apim-is-as-km-with-analytics/"
        "is-as-km/repository/conf/api-manager.xml"
    )
    # WSO2's file and ours turn off the same things: the lines they change alike.
    ours = set(changed_lines(stock, patched)[1])
    theirs = set(changed_lines(stock, wso2)[1])
    assert {"<GatewayType>None</GatewayType>", "<Enabled>false</Enabled>"} <= ours & theirs
    assert patch_product_file(patched, edits_of(node, "api-manager.xml")) == patched


@pytest.mark.parametrize(
    ("product", "node_id", "jndi"),
    [("apim", "apim-1", "jdbc/WSO2AM_DB"), ("is-km", "km-1", "jdbc/WSO2AM_DB")],
)
def test_identity_and_consent_name_the_shared_database(
    product: str, node_id: str, jndi: str
) -> None:
    node = km_plan().node(node_id)
    for file, path in (
        ("identity/identity.xml", "JDBCPersistenceManager/DataSource/Name"),
        ("consent-mgt-config.xml", "DataSource/Name"),
    ):
        stock = upstream(STOCK[file])
        patched = patch_product_file(stock, edits_of(node, file))
        root = etree.fromstring(patched)
        # identity.xml has a default namespace; consent-mgt-config.xml none.
        found = root.xpath("/*/" + "/".join(f"*[local-name()='{p}']" for p in path.split("/")))
        assert [e.text for e in found] == [jndi], (product, file)
        removed, added = changed_lines(stock, patched)
        assert removed == ["<Name>jdbc/WSO2CarbonDB</Name>"] and added == [f"<Name>{jndi}</Name>"]
        assert patch_product_file(patched, edits_of(node, file)) == patched


def test_identity_server_uses_its_identity_database() -> None:
    node = af.build(af.SHARED).node("is-1")
    stock = upstream(STOCK["identity/identity.xml"])
    patched = patch_product_file(stock, edits_of(node, "identity/identity.xml"))
    assert b"<Name>jdbc/WSO2IdentityDS</Name>" in patched
    assert len(changed_lines(stock, patched)[0]) == 1


def test_load_balancer_names_in_carbon_and_catalina() -> None:
    node = km_plan().node("apim-2")
    stock = upstream(STOCK["carbon.xml"])
    patched = patch_product_file(stock, edits_of(node, "carbon.xml"))
    root = etree.fromstring(patched)
    assert root.findtext(f"{CARBON}HostName") == "gw.example.com"
    assert root.findtext(f"{CARBON}MgtHostName") == "gw.example.com"
    removed, added = changed_lines(stock, patched)
    assert removed == [] and sorted(added) == sorted(
        ["<HostName>gw.example.com</HostName>", "<MgtHostName>gw.example.com</MgtHostName>"]
    )
    assert patch_product_file(patched, edits_of(node, "carbon.xml")) == patched

    stock = upstream(STOCK["tomcat/catalina-server.xml"])
    edits = edits_of(node, "tomcat/catalina-server.xml")
    patched = patch_product_file(stock, edits)
    connectors = {c.get("port"): c for c in etree.fromstring(patched).iter("Connector")}
    assert connectors["9443"].get("proxyPort") == "8443"
    assert connectors["9763"].get("proxyPort") == "80"
    removed, added = changed_lines(stock, patched)
    # Each connector's closing line gains the attribute on a line of its own.
    assert 'proxyPort="8443"/>' in added and 'proxyPort="80"/>' in added
    assert patch_product_file(patched, edits) == patched
    # A proxyPort already there is replaced in place, not added twice.
    again = patch_product_file(
        patched,
        FileEdits(
            edits.file,
            (ElementEdit("Service/Connector[@port='9443']", "443", attribute="proxyPort"),),
            "test",
        ),
    )
    connectors = {c.get("port"): c for c in etree.fromstring(again).iter("Connector")}
    assert connectors["9443"].get("proxyPort") == "443"
    assert again.count(b'proxyPort="') == patched.count(b'proxyPort="')


def test_a_path_the_stock_lacks_is_named() -> None:
    stock = upstream(STOCK["consent-mgt-config.xml"])
    with pytest.raises(ValueError, match="JDBCPersistenceManager/DataSource/Name"):
        patch_product_file(
            stock,
            FileEdits("x", (ElementEdit("JDBCPersistenceManager/DataSource/Name", "j"),), "t"),
        )


def test_values_are_escaped_once() -> None:
    stock = upstream(STOCK["consent-mgt-config.xml"])
    patched = patch_product_file(
        stock, FileEdits("x", (ElementEdit("DataSource/Name", "jdbc/A&B<C"),), "t")
    )
    assert b"jdbc/A&amp;B&lt;C" in patched
    found = etree.fromstring(patched).xpath(
        "/*/*[local-name()='DataSource']/*[local-name()='Name']"
    )
    assert [e.text for e in found] == ["jdbc/A&B<C"]


def test_preset_topology_round_trips_its_new_answers() -> None:
    """load_balancer and user_store survive topology.toml and come back the same."""
    top = km_plan().topology
    again = answers.loads(answers.dumps(top))
    assert [p.load_balancer for p in again.products] == ["gw.example.com:8443", "km.example.com"]
    assert [p.effective_user_store for p in again.products] == [None, "jdbc"]
