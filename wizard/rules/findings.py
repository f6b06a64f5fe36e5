"""What the checker reports: the rule titles, one finding, and the list the rules add to."""

from __future__ import annotations

from dataclasses import dataclass

RULE_TITLES: dict[int, str] = {
    0: "The tree has a manifest, its node folders and files match it; files 0600, dirs 0700",
    1: "Every XML file parses; datasources files have the right root and declare svns",
    2: "master-datasources.xml keeps the RDBMSDataSourceReader provider",
    3: "Every datasource has a name, unique across the node's datasources files",
    4: "JNDI names are non-empty and unique across the node's datasources files",
    5: "Every definition is RDBMS with url, username, password, driver; elements known and typed",
    6: "The JDBC URL's scheme and the driver class agree",
    7: "validationQuery fits the engine and defaultAutoCommit; testOnBorrow is true",
    8: "No URL holds '&amp;' after parsing (an '&' escaped twice)",
    9: "WSO2_CARBON_DB (jdbc/WSO2CarbonDB) is a node-local H2 file used by nothing else",
    10: "The lib folder holds a jar with every non-H2 driver class in use",
    11: "Every Secure Vault alias is in cipher-tool and cipher-text; secret-conf is configured",
    12: "registry.xml: one currentDBConfig, naming the node-local dbConfig",
    13: "Every dbConfig has a unique name and a dataSource defined in the datasources files",
    14: "Every remoteInstance has a unique id and a shared dbConfig, and no username/password",
    15: "remoteInstance readOnly is true|false, registryRoot is '/', enableCache is true",
    16: "remoteInstance cacheId is <username>@<url> of its dbConfig's datasource",
    17: "Every mount has path, instanceId, targetPath; config/governance only; overwrite true",
    18: "Governance is mounted at /_system/governance from one database on every node",
    19: "A product's nodes share one config partition; products on one config DB do not overlap",
    20: "Config and governance use one database (layout shared) or two (layout split)",
    22: "The dbConfig/remoteInstance/mount block is the same on every node of a product",
    23: "The realm dataSource resolves to the shared user store, one database for every node",
    24: "Every UserStoreManager dataSource property resolves",
    25: "user-mgt.xml has the admin, everyone role, TenantManager and AuthorizationManager",
    26: "Every JNDI name a product file uses is defined in the datasources files",
    28: "With --distribution: every schema script manifest.json names is in that distribution",
    29: "carbon.xml Ports/Offset is an integer >= 0 and ports are unique per host",
    30: "Hazelcast wka clustering: one domain per product, real and unique member addresses",
    31: "EI 6.x files live under conf/ or wso2/<profile>/conf/, never repository/conf/",
    32: "IS is not on its embedded LDAP when it shares users; all nodes use one primary store",
    33: "identity.xml and consent-mgt-config.xml name a shared, non-H2 datasource per cluster",
    34: "IS as Key Manager defines and names API Manager's WSO2AM_DB (same URL and user)",
    35: "api-manager.xml: API Manager and the key manager name each other's front; WSClient",
    36: "Behind a load balancer: carbon.xml host names and Tomcat proxyPorts are the balancer's",
    37: "BPEL, BPMN (if shared), broker, analytics data: one non-H2 database per 2+ node cluster",
    38: "A loopback database host serves only nodes that all run on that one machine",
    39: "README.md gives what to read first, then the steps in the order the operator works; "
    "every node file its commands copy is in the tree",
}


@dataclass(frozen=True)
class Finding:
    rule: int
    node: str
    """Node id, or "" for a finding about the whole tree."""
    file: str
    """Path relative to the node folder; tree-relative when `node` is ""."""
    element: str
    """XPath-like locator inside the file, e.g. `remoteInstance[id='gov']/cacheId`."""
    message: str

    def __str__(self) -> str:
        parts = [f"rule {self.rule}", self.node or "tree"]
        parts += [part for part in (self.file, self.element) if part]
        return f"{' · '.join(parts)}: {self.message}"


class Report:
    """The findings of one check, in the order the rules add them."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, rule: int, node: str, file: str, element: str, message: str) -> None:
        self.findings.append(Finding(rule, node, file, element, message))
