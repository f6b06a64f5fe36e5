"""The answers' TOML writer writes what tomli_w writes, byte for byte."""

from __future__ import annotations

from typing import Any

import pytest
import tomli_w

from tests import answers_fixtures
from wizard import answers

TRICKY: list[dict[str, Any]] = [
    {},
    {"a": {}},
    {"a": {"b": {}}, "c": 1},
    {"key with space": 'q"uo\\te', "": "ctl\x00\x01\x7f\t\n\r\b\f", "é": "€"},
    {"flags": [True, False], "n": [1, 2.5], "empty": [], "nested": [[1], []]},
    {"rows": [{"id": "a", "list": [1]}, {"id": "b"}]},  # a list inside: not inline
    {"rows": [{"id": "x" * 95}]},  # too long for one line
    {"rows": [{"id": "x" * 80}, {"id": "y", "t": {"u": 1}}]},
    {"rows": [{}], "after": {"k": "v"}},
]


@pytest.mark.parametrize("data", TRICKY)
def test_plain_data_as_tomli_w_writes_it(data: dict[str, Any]) -> None:
    assert "".join(answers._table(data, "")) == tomli_w.dumps(data)


@pytest.mark.parametrize("keep", [True, False])
def test_topology_as_tomli_w_writes_it(keep: bool) -> None:
    for data in (answers_fixtures.SHARED, answers_fixtures.split()):
        topology = answers_fixtures.topology(data)
        expected = tomli_w.dumps(answers.to_data(topology, keep_passwords=keep))
        assert answers.dumps(topology, keep_passwords=keep, header="# h\n") == "# h\n" + expected


def test_fleet_and_homes_round_trip_through_topology_toml() -> None:
    data = answers_fixtures.variant("products[0].home", "/srv/wso2/apim")
    data = answers_fixtures.variant("products[0].nodes[1].home", "/srv/wso2/apim-b", data)
    data["fleet"] = {"ansible": False, "user": "deploy", "owner": "wso2", "group": "wso2"}
    topology = answers_fixtures.topology(data)
    text = answers.dumps(topology, keep_passwords=True)
    assert text == tomli_w.dumps(answers.to_data(topology, keep_passwords=True))
    assert 'home = "/srv/wso2/apim"' in text and 'home = "/srv/wso2/apim-b"' in text
    assert answers.loads(text) == topology
    assert answers.loads(text).fleet == topology.fleet
    # Left out when not given, so the trees written before read back unchanged.
    assert "fleet" not in answers.to_data(answers_fixtures.topology())
