"""The model refuses bad answers with a message that names the field and the fix."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.answers_fixtures import DELETE, SHARED, split, topology, variant
from wizard import answers
from wizard.model.database import NO_PASSWORD, TWO_PASSWORDS
from wizard.problems import AnswersError


def problems_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(AnswersError) as caught:
        answers.parse(data)
    return [(p.path, p.message) for p in caught.value.problems]


def with_nodes(*nodes: dict[str, Any]) -> dict[str, Any]:
    return variant("products[0].nodes", list(nodes))


BAD_INPUTS: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, answers, expected path, a phrase the message must hold)
    ("unknown top key", variant("colour", "red"), "colour", "unknown key 'colour'"),
    (
        "unknown node key",
        variant("products[0].nodes[0].ip", "1.2.3.4"),
        "products[0].nodes[0].ip",
        "accepted here: home, host, id, member_port, offset",
    ),
    (
        "unknown database key",
        variant("database.registry.pass", "x"),
        "database.registry.pass",
        "unknown key 'pass'",
    ),
    (
        "bad engine",
        variant("database.engine", "sqlite"),
        "database.engine",
        "'sqlite' is not one of",
    ),
    ("bad layout", variant("database.layout", "both"), "database.layout", "'both' is not one of"),
    ("host underscore", variant("database.host", "db_1"), "database.host", "not a host name"),
    ("host empty", variant("database.host", ""), "database.host", "no value; give a host name"),
    (
        "bad ipv4",
        variant("products[0].nodes[1].host", "10.0.1.300"),
        "products[0].nodes[1].host",
        "not a valid IPv4",
    ),
    (
        "host label dash",
        variant("products[1].nodes[0].host", "-is.example.com"),
        "products[1].nodes[0].host",
        "not starting or ending with '-'",
    ),
    ("port zero", variant("database.port", 0), "database.port", "1-65535"),
    ("port too big", variant("database.registry.port", 70000), "database.registry.port", "1-65535"),
    (
        "node id slash",
        variant("products[0].nodes[0].id", "../apim"),
        "products[0].nodes[0].id",
        "cannot be a folder name",
    ),
    (
        "node id dots",
        variant("products[0].nodes[0].id", ".."),
        "products[0].nodes[0].id",
        "cannot be a folder name",
    ),
    (
        "node id duplicate",
        variant("products[1].nodes[0].id", "apim-1"),
        "products[1].nodes[0].id",
        "node id 'apim-1' is already API Manager node 1's",
    ),
    (
        "offset clash on one host",
        with_nodes({"id": "a1", "host": "10.0.1.11"}, {"id": "a2", "host": "10.0.1.11"}),
        "products[0].nodes[1].offset",
        "nodes a1 (offset 0) and a2 (offset 0) are both on host 10.0.1.11",
    ),
    (
        "negative offset",
        variant("products[0].nodes[0].offset", -1),
        "products[0].nodes[0].offset",
        "-1 is too small; at least 0",
    ),
    ("no products", variant("products", []), "products", "at least 1"),
    ("no nodes", variant("products[0].nodes", []), "products[0].nodes", "at least 1"),
    (
        "unknown product",
        variant("products[0].id", "wso2x"),
        "products[0].id",
        "'wso2x' is not one of",
    ),
    (
        "unknown version",
        variant("products[0].version", "4.0.0"),
        "products[0].version",
        "known: 2.0.0",
    ),
    (
        "profile on plain product",
        variant("products[0].profile", "broker"),
        "products[0].profile",
        "has no profiles",
    ),
    (
        "missing product db",
        variant("products[0].databases", {}),
        "products[0].databases.WSO2AM_DB",
        "add [products.databases.WSO2AM_DB]",
    ),
    (
        "unknown product db",
        variant("products[0].databases.EXTRA_DB", {"name": "X", "user": "x", "password": "x"}),
        "products[0].databases.EXTRA_DB",
        "no product database 'EXTRA_DB'",
    ),
    (
        "mysql name too long",
        variant("database.registry.name", "R" * 65),
        "database.registry.name",
        "at most 64",
    ),
    (
        "mysql user too long",
        variant("database.user_management.user", "u" * 33),
        "database.user_management.user",
        "at most 32",
    ),
    (
        "name with dash",
        variant("database.registry.name", "wso2-reg"),
        "database.registry.name",
        "letters, digits and '_'",
    ),
    (
        "postgres name too long",
        variant("database.registry.name", "r" * 64, variant("database.engine", "postgresql")),
        "database.registry.name",
        "at most 63",
    ),
    (
        "oracle user too long",
        variant("database.registry.user", "U" * 31, variant("database.engine", "oracle")),
        "database.registry.user",
        "at most 30",
    ),
    (
        "db2 name too long",
        variant("database.registry.name", "WSO2REGDB", variant("database.engine", "db2")),
        "database.registry.name",
        "at most 8",
    ),
    (
        "mssql name too long",
        variant("database.registry.name", "D" * 129, variant("database.engine", "mssql")),
        "database.registry.name",
        "at most 128",
    ),
    (
        "password control char",
        variant("database.registry.password", "ab\x01c"),
        "database.registry.password",
        "U+0001",
    ),
    (
        "password U+FFFE",
        variant("database.registry.password", "ab\ufffe"),
        "database.registry.password",
        "U+FFFE",
    ),
    (
        "password lone surrogate",
        variant("database.registry.password", "ab\ud800"),
        "database.registry.password",
        "U+D800",
    ),
    (
        "password empty",
        variant("database.registry.password", ""),
        "database.registry.password",
        "no value",
    ),
    (
        "oracle password too long",
        variant("database.registry.password", "p" * 31, variant("database.engine", "oracle")),
        "database.registry.password",
        "at most 30 bytes",
    ),
    (
        "db2 reserved user",
        variant(
            "database.user_management.user",
            "sysadm",
            variant("database.engine", "db2"),
        ),
        "database.user_management.user",
        "reserved on DB2",
    ),
    (
        "password only blanks",
        variant("database.registry.password", "   "),
        "database.registry.password",
        "only blanks",
    ),
    (
        "site mark that is no path",
        variant("confirm", ["products[0] nodes"]),
        "confirm[0]",
        "not an answer path",
    ),
    (
        "no password source",
        variant("database.registry.password", DELETE),
        "database.registry.password",
        NO_PASSWORD,
    ),
    (
        "both password sources",
        variant("database.registry.password_env", "X"),
        "database.registry.password_env",
        TWO_PASSWORDS,
    ),
    (
        "bad env name",
        variant(
            "database.user_management.password_env",
            "1BAD",
            variant("database.user_management.password", DELETE),
        ),
        "database.user_management.password_env",
        "not an environment variable name",
    ),
    (
        "shared without registry",
        variant("database.registry", DELETE),
        "database.registry",
        "add [database.registry]",
    ),
    (
        "split without governance",
        variant("database.governance", DELETE, split()),
        "database.governance",
        "add [database.governance]",
    ),
    (
        "split with registry",
        variant("database.registry", {"name": "R", "user": "r", "password": "x"}, split()),
        "database.registry",
        "belongs to layout 'shared'",
    ),
    (
        "shared with config",
        variant("database.config", {"name": "C", "user": "c", "password": "x"}),
        "database.config",
        "belongs to layout 'split'",
    ),
    (
        "url options escaped",
        variant("database.url_options", "a=1&amp;b=2"),
        "database.url_options",
        "escape it exactly once",
    ),
    (
        "url options leading ?",
        variant("database.url_options", "?a=1"),
        "database.url_options",
        "leave it out",
    ),
    (
        "config target outside _system",
        variant("products[0].config_target", "/apim"),
        "products[0].config_target",
        "not a registry path",
    ),
    (
        "config target in governance",
        variant("products[0].config_target", "/_system/governance/apim"),
        "products[0].config_target",
        "not the config partition",
    ),
    (
        "two products one target",
        variant("products[1].config_target", "/_system/apimconfig"),
        "products[1].config_target",
        "the same config target",
    ),
    (
        "nested targets",
        variant("products[1].config_target", "/_system/apimconfig/is"),
        "products[1].config_target",
        "nested config targets",
    ),
    (
        "same user two passwords",
        variant("database.user_management.user", "regadmin"),
        "database.user_management.password",
        "one user has one password",
    ),
    (
        "config_database with shared layout",
        variant("products[0].config_database", {"name": "C", "user": "c", "password": "x"}),
        "products[0].config_database",
        'needs layout = "split"',
    ),
    (
        "duplicate product cluster",
        variant(
            "products[1]",
            copy.deepcopy(SHARED["products"][0]) | {"nodes": [{"id": "x-1", "host": "10.9.9.9"}]},
        ),
        "products[1].id",
        "already the apim cluster",
    ),
    ("bad schema version", variant("schema_version", 2), "schema_version", "1"),
    ("plan name with space", variant("name", "my plan"), "name", "cannot be a folder name"),
    ("description control char", variant("description", "a\x00b"), "description", "U+0000"),
]


@pytest.mark.parametrize(
    ("data", "path", "phrase"),
    [pytest.param(d, p, m, id=case) for case, d, p, m in BAD_INPUTS],
)
def test_bad_answer_names_field_and_fix(data: dict[str, Any], path: str, phrase: str) -> None:
    found = problems_of(data)
    assert any(p == path and phrase in m for p, m in found), found


def test_the_table_is_large_enough() -> None:
    assert len(BAD_INPUTS) >= 25


def test_valid_answers_load() -> None:
    top = topology()
    assert [p.key for p in top.products] == ["apim", "is"]
    assert top.database.effective_port == 3306
    assert top.products[0].effective_config_target == "/_system/apimconfig"


def test_every_password_character_is_accepted() -> None:
    printable = "".join(chr(c) for c in range(0x20, 0x7F)) + "é€𝄞"
    top = topology(variant("database.registry.password", printable))
    assert top.database.registry is not None
    assert top.database.registry.password == printable


def test_password_never_in_repr() -> None:
    top = topology()
    assert "p&<>" not in repr(top)


def test_host_forms_accepted() -> None:
    for host in ("10.0.1.11", "2001:db8::1", "node-1.example.com", "DB.Example.COM."):
        assert topology(variant("database.host", host)).database.host


def test_split_layout_without_common_config_when_every_product_has_its_own() -> None:
    data = split()
    del data["database"]["config"]
    for i, key in enumerate(("APIM", "IS")):
        data["products"][i]["config_database"] = {
            "name": f"{key}_CONFIG_DB",
            "user": f"{key.lower()}conf",
            "password": "x",
        }
    assert topology(data).database.config is None


def test_split_layout_without_any_config_database_is_refused() -> None:
    data = split()
    del data["database"]["config"]
    found = problems_of(data)
    assert "database.config" in [p for p, _ in found], found


def test_all_problems_reported_together() -> None:
    data = variant("database.host", "bad_host", variant("products[0].nodes[0].host", "also bad"))
    paths = [p for p, _ in problems_of(data)]
    assert "database.host" in paths and "products[0].nodes[0].host" in paths


def test_an_empty_database_name_is_said_while_its_password_is_missing() -> None:
    data = variant("database.registry.name", "", variant("database.registry.password", DELETE))
    found = problems_of(data)
    assert ("database.registry.name", "no value; give the database name") in found
    assert ("database.registry.password", NO_PASSWORD) in found


def test_on_oracle_an_empty_name_is_asked_for_as_the_service_name_wherever_it_is_said() -> None:
    from wizard.catalog import ENGINES
    from wizard.fields import check_identifier

    data = variant("database.engine", "oracle")
    for path in ("database.registry", "products[0].databases.WSO2AM_DB"):
        data = variant(f"{path}.name", "", variant(f"{path}.password", DELETE, data))
    found = problems_of(data)
    service = "no value; give the service name"
    # The same sentence the field's own check says as it is typed.
    assert check_identifier("", ENGINES["oracle"], "name") == service
    assert ("database.registry.name", service) in found
    assert ("products[0].databases.WSO2AM_DB.name", service) in found


def test_toml_round_trip_keeps_everything_but_passwords() -> None:
    top = topology()
    text = answers.dumps(top)
    assert "p&<>" not in text and "um-secret" not in text
    again = answers.loads(text)
    assert again.database.registry is not None
    assert again.database.registry.password_env == "WSO2_REG_DB_PASSWORD"
    for before, after in zip(top.products, again.products, strict=True):
        assert after.nodes == before.nodes
        assert after.effective_config_target == before.effective_config_target
        assert {k: (s.name, s.user) for k, s in after.databases.items()} == {
            k: (s.name, s.user) for k, s in before.databases.items()
        }
    assert again.database.engine == top.database.engine


def test_toml_round_trip_with_passwords_is_exact() -> None:
    top = topology()
    assert answers.loads(answers.dumps(top, keep_passwords=True)) == top


def test_invalid_toml_is_one_clear_problem() -> None:
    with pytest.raises(AnswersError) as caught:
        answers.loads("name = ", "x.toml")
    assert "not valid TOML" in caught.value.report()
    assert caught.value.report().startswith("x.toml: 1 problem")


def test_clustering_refuses_loopback_node() -> None:
    found = problems_of(variant("products[0].nodes[0].host", "127.0.0.1"))
    assert any(p == "products[0].nodes[0].host" and "loopback" in m for p, m in found), found
    # Without clustering a loopback node is the operator's business.
    data = variant(
        "cluster", {"clustering": False}, variant("products[0].nodes[0].host", "127.0.0.1")
    )
    assert topology(data).products[0].nodes[0].host == "127.0.0.1"


def test_member_ports_default_apart_on_one_host_and_clash_when_forced() -> None:
    nodes = [
        {"id": "a1", "host": "10.0.1.11"},
        {"id": "a2", "host": "10.0.1.11", "offset": 1},
    ]
    top = topology(with_nodes(*nodes))
    assert [n.effective_member_port for n in top.products[0].nodes] == [4000, 4001]
    nodes[1]["member_port"] = 4000
    found = problems_of(with_nodes(*nodes))
    assert any(p == "products[0].nodes[1].member_port" and "a1 and a2" in m for p, m in found)


def test_a_member_port_clash_is_said_at_the_answer_that_moves_it() -> None:
    # Before: "give a2 another member_port" at a field the full-screen node editor lacks.
    # One offset on one host: the offsets' clash says it, at the offset, once.
    same = [{"id": "a1", "host": "10.0.1.11"}, {"id": "a2", "host": "10.0.1.11"}]
    found = problems_of(with_nodes(*same))
    assert [p for p, _ in found if p.startswith("products[0].nodes[1]")] == [
        "products[0].nodes[1].offset"
    ], found
    assert not any("member port" in m for _, m in found), found
    # A member port given moves onto another node's default one: that node's offset.
    given = [
        {"id": "a1", "host": "10.0.1.11", "member_port": 4001},
        {"id": "a2", "host": "10.0.1.11", "offset": 1},
    ]
    found = problems_of(with_nodes(*given))
    assert (
        "products[0].nodes[1].offset",
        "nodes a1 and a2 on host 10.0.1.11 both use cluster member port 4001; "
        "give a2 another port offset",
    ) in found, found


def test_driver_jar_must_be_a_jar() -> None:
    found = problems_of(variant("cluster", {"driver_jar": "/opt/mysql.zip"}))
    assert found == [
        (
            "cluster.driver_jar",
            "'/opt/mysql.zip' is not a .jar file; give the path of the JDBC driver jar",
        )
    ]


def test_offsets_whose_ports_collide_are_refused() -> None:
    # 9443 + 320 = 9763: the second node's HTTPS port would be the first one's HTTP port.
    found = problems_of(
        with_nodes(
            {"id": "a1", "host": "10.0.1.11"}, {"id": "a2", "host": "10.0.1.11", "offset": 320}
        )
    )
    assert any(
        p == "products[0].nodes[1].offset" and "a2's HTTPS port 9763 is a1's HTTP port" in m
        for p, m in found
    ), found
    ok = with_nodes(
        {"id": "a1", "host": "10.0.1.11"}, {"id": "a2", "host": "10.0.1.11", "offset": 1}
    )
    assert topology(ok).products[0].nodes[1].offset == 1


def test_oracle_password_with_double_quote_is_refused_at_the_field() -> None:
    data = variant("database.registry.password", 'a"b', variant("database.engine", "oracle"))
    found = problems_of(data)
    assert (
        "database.registry.password",
        'Oracle passwords cannot hold a double quote ("); choose another password',
    ) in found


# ---- the database section: driver choice, TLS, loopback hosts --------------------------------


def test_jdbc_driver_is_refused_outside_mariadb_at_the_field() -> None:
    for value in ("mysql", "mariadb"):
        ((path, message),) = problems_of(variant("database.jdbc_driver", value))
        assert path == "database.jdbc_driver"
        assert 'engine "mariadb"' in message and "leave jdbc_driver out" in message
    assert problems_of(
        variant("database.jdbc_driver", "jtds", variant("database.engine", "mariadb"))
    )


@pytest.mark.parametrize(("engine", "how"), [("oracle", "TCPS"), ("db2", "sslConnection=true")])
def test_tls_on_oracle_and_db2_is_refused_with_how_to(engine: str, how: str) -> None:
    data = variant("database.tls", True, variant("database.engine", engine))
    if engine == "oracle":
        data = variant("database.registry.password", "pw", data)
    if engine == "db2":
        data = variant("database.registry.name", "REG", data)
        data = variant("database.user_management.name", "UM", data)
        data = variant("products[0].databases.WSO2AM_DB.name", "AM", data)
        data = variant("products[1].databases.WSO2_IDENTITY_DB.name", "IDN", data)
    ((path, message),) = problems_of(data)
    assert path == "database.tls" and how in message and "leave tls out" in message


def test_tls_and_url_options_together_are_refused_naming_both() -> None:
    data = variant("database.url_options", "useSSL=true", variant("database.tls", True))
    ((path, message),) = problems_of(data)
    assert path == "database.tls"
    assert "tls = true" in message and "url_options" in message and "give one of the two" in message
    # tls = false says nothing the url_options do not.
    assert topology(variant("database.tls", False, variant("database.url_options", "a=1")))


def test_a_loopback_database_host_for_nodes_elsewhere_is_refused_at_the_field() -> None:
    for host in ("localhost", "127.0.0.1", "127.1.2.3", "::1"):
        ((path, message),) = problems_of(variant("database.host", host))
        assert path == "database.host"
        assert "loopback address" in message and "its own machine" in message
        assert "10.0.1.11, 10.0.1.12, is-1.example.com" in message
        assert "Give the database server's host name or IP address" in message


def test_a_databases_own_loopback_host_is_refused_at_its_own_field() -> None:
    data = variant("products[0].databases.WSO2AM_DB.host", "localhost")
    ((path, message),) = problems_of(data)
    assert path == "products[0].databases.WSO2AM_DB.host"
    assert "run on 10.0.1.11, 10.0.1.12." in message  # WSO2AM_DB is API Manager's alone


def test_a_loopback_database_host_for_one_remote_node_is_refused() -> None:
    # One node, on another host: localhost there is that machine, but the setup scripts and
    # `carbon-wizard probe` run here.
    product = copy.deepcopy(SHARED["products"][0])
    product["nodes"] = [{"id": "a1", "host": "10.0.1.11"}]
    data = variant("products", [product], variant("database.host", "127.0.0.1"))
    ((path, message),) = problems_of(data)
    assert path == "database.host" and "run on 10.0.1.11." in message


def test_a_loopback_database_host_with_every_node_on_this_machine_is_accepted() -> None:
    data = variant("database.host", "localhost", variant("cluster", {"clustering": False}))
    for pi, ni, host in ((0, 0, "127.0.0.11"), (0, 1, "127.0.0.12"), (1, 0, "localhost")):
        data = variant(f"products[{pi}].nodes[{ni}].host", host, data)
    assert topology(data).database.host == "localhost"


@pytest.mark.parametrize(
    ("path", "value", "said"),
    [
        (
            "products[0].nodes[0].offset",
            60000,
            "60000 is too large; at most 54424 (an offset shifts every Carbon port, the "
            "highest being 11111, and a port cannot pass 65535)",
        ),
        ("products[0].nodes[0].offset", "two", "'two' is not a whole number; type digits only"),
        ("database.tls", "maybe", "'maybe' is neither true nor false"),
        ("database.registry", "wso2reg", "is not a table; give its keys under a [section] heading"),
    ],
)
def test_the_libraries_checks_are_said_in_the_wizards_words(
    path: str, value: Any, said: str
) -> None:
    # Before: "input should be a valid integer, unable to parse string as an integer",
    # "input should be less than or equal to 54424" with no reason.
    assert (path, said) in problems_of(variant(path, value))
