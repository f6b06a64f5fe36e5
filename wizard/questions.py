"""The questions both front ends ask, defined once: their choices, labels and hints.

The full-screen app shows each as a control on its step and the prompt mode asks it as a
question; both take the text from here, so a change to a question is made in one place.
Each text reads whole in one line at 80 columns (a card in the full-screen app, a choice
in the prompt mode). The checks of typed values are `wizard.fields`'s, also shared; the
defaults are the model's (`wizard.catalog`, `wizard.database_slots`).
"""

from __future__ import annotations

from dataclasses import dataclass

Choice = tuple[str, str]
"""(the answer's value, the line that says what choosing it means)."""

USER_STORES: tuple[Choice, ...] = (
    ("jdbc", "jdbc: users in the shared user-management DB"),
    ("ldap", "ldap: an external LDAP/AD every node reaches"),
    ("embedded-ldap", "embedded-ldap: IS's own LDAP, a lone IS node"),
)
"""The primary user stores an Identity Server product chooses from; jdbc, the default, is
left out of the answers."""
USER_STORE_TITLE = "User store: where its users and roles live"
USER_STORE_QUESTION = "{product} · user store, where its users and roles live:"
"""The prompt mode's question for USER_STORE_TITLE, with the product it is about."""


@dataclass(frozen=True)
class TextField:
    key: str
    label: str
    example: str

    @property
    def question(self) -> str:
        return f"{self.label} (e.g. {self.example}):"


LDAP_FIELDS: tuple[TextField, ...] = (
    TextField("url", "LDAP URL", "ldaps://ldap.example.com:636"),
    TextField("bind_dn", "Bind DN", "uid=admin,ou=system"),
    TextField("user_search_base", "User search base", "ou=Users,dc=example,dc=com"),
    TextField("group_search_base", "Group search base", "ou=Groups,dc=example,dc=com"),
)
"""The LDAP server's answers other than its bind password, in the order asked (the bind
password after the bind DN)."""
LDAP_PASSWORD_LABEL = "Bind password"

JDBC_DRIVERS: tuple[Choice, ...] = (
    ("mysql", "MySQL driver, jdbc:mysql:// URLs (WSO2's docs)"),
    ("mariadb", "MariaDB Connector/J, jdbc:mariadb:// URLs"),
)
"""The drivers MariaDB is reached through. The first is the model's default (absent from
the answers): WSO2's 4.4.x guide reaches MariaDB with the MySQL driver."""

TLS_QUESTION = "Encrypt connections to the database (TLS)"
TLS_HINT = "Nodes must trust the server's CA: README says where."
"""Said with the TLS question; the README names each engine's trust store."""

SHARE_CHOICES: tuple[Choice, ...] = (
    ("shared", "shared: one database every node reaches"),
    ("local", "local: each node's own H2, as shipped"),
)
"""How an optional product database (ACTIVITI_DB) is kept."""
_SHARE_QUESTIONS = {
    "ACTIVITI_DB": (
        "Share the BPMN database (Activiti)?",
        "Local: fine without BPMN, or on one node.",
    ),
    # Identity Server's (one node) and IS as Key Manager's workflow engine (catalog).
    "BPS_DS": (
        "Share the workflow engine's database (BPS_DS)?",
        "Local: fine on one Identity Server node, or a key manager that runs no IS workflow.",
    ),
}


def share_question(key: str) -> tuple[str, str]:
    """The question of the optional database `key` (e.g. ACTIVITI_DB) and the hint saying
    when leaving it local is right."""
    return _SHARE_QUESTIONS.get(key, (f"Share {key}?", "Local: each node keeps its own."))


LAYOUTS: tuple[Choice, ...] = (
    ("shared", "shared: config and governance partitions in one registry database"),
    ("split", "split: a config database and a governance database (a product may own one)"),
)
"""The registry layouts; shared is the model's default, left out of the answers."""


@dataclass(frozen=True)
class Question:
    """One answer both front ends ask for: the full-screen app shows `label` beside a box
    holding `example` (grey, when empty) with `hint` under it; the prompt mode asks
    `question`, which may name the product or node it is about ({product}, {node}, {host},
    {database})."""

    label: str
    question: str
    example: str = ""
    hint: str = ""

    def ask(self, **about: str) -> str:
        return self.question.format(**about)


PLAN_NAME = Question(
    "Plan name",
    "Name of this plan (letters, digits, '.', '_', '-'; e.g. apim-prod):",
    example="e.g. apim-prod",
    hint="Letters, digits, '.', '_' and '-'; it names the session and the tree.",
)
KEEP_PASSWORDS = Question(
    "Keep typed passwords in the session file (private to you)",
    "Keep typed passwords in the session file (private to you) so a resumed session need "
    "not ask for them again?",
)
DISTRIBUTION = Question(
    "Distribution",
    "{product} distribution on this machine (.zip or PRODUCT_HOME; leave empty to patch the "
    "built-in Carbon baseline):",
    example="optional: .zip or PRODUCT_HOME",
)
LOAD_BALANCER = Question(
    "Load balancer",
    "Load balancer in front of {product} (host or host:port, 443 when no port; empty: none):",
    example="optional: host or host:port",
)
ADD_HOSTS = Question(
    "Add hosts",
    "{product} · hosts of the nodes to add — one host, a list (a, b) or a pattern like "
    "10.0.1.{{11..13}}:",
    example="10.0.1.{11..13} or a, b",
)
NODE_ID = Question("id", "Node id (its folder name in the tree):")
NODE_HOST = Question("host", "Host of {node} (host name or IP address):")
NODE_OFFSET = Question(
    "offset", "Port offset of {node} on {host} (HTTPS 9443+offset):", example="0"
)
CLUSTERING = Question(
    "Hazelcast clustering", "Hazelcast clustering (axis2.xml) for every product cluster?"
)
PORT_OFFSETS = Question(
    "Port offsets in carbon.xml", "Write each node's port offset into carbon.xml?"
)
DATABASE_HOST = Question(
    "Server host", "Database server host (host name or IP address):", example="e.g. db1.example.com"
)
DATABASE_PORT = Question("Port", "Database server port:")
URL_OPTIONS = Question(
    "URL options",
    "JDBC URL options (key=value pairs as the driver reads them):",
    hint="Empty: the engine's default (shown). Write & plainly.",
)
DRIVER_JAR = Question(
    "Driver jar",
    "JDBC driver jar on this machine to copy into every node (empty: none):",
    example="optional: path to the driver .jar",
)
SECURE_VAULT = Question(
    "Passwords as Secure Vault aliases", "Datasource passwords as Secure Vault aliases?"
)
# A database's questions name it as its card's title does on the Database step
# (`database_slots.DatabaseSlot.label`: "User management", "Business Process Server ·
# BPS_DS"), followed by the field's own words: "User management database name:".
DATABASE_NAME = Question("Name", "{database} database name:")
DATABASE_USER = Question("User", "{database} database user:")
DATABASE_PASSWORD = Question("Password", "{database} database password")
"""Also the title over the Write step's box for a password variable that is not set, and
the prompt mode's question for it (`workflow.UnsetPassword.title`)."""
DATABASE_HOST_OWN = Question(
    "Server host", "{database} database server host (empty: the [database] host):"
)
DATABASE_PORT_OWN = Question(
    "Port", "{database} database server port (empty: the [database] port):"
)


def database_password(databases: list[str]) -> str:
    """What a password is for: "User management database password", or for a variable
    that several databases share "Config registry and Governance registry database
    password"."""
    return DATABASE_PASSWORD.ask(database=" and ".join(databases) or "the")


CONFIG_TARGET = Question(
    "Config partition",
    "Config partition of {product} (mounted at /_system/config):",
    hint="Where {product}'s config partition lives in the config database (empty: shown).",
)
