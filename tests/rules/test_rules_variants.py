"""The rules read a node's axis2.xml that differs from another node's in one clustering
parameter's text without parsing it again; the findings must be exactly those of parsing
every file. Each case edits one node's axis2.xml (not the first node's, which is parsed)
and compares the findings of both ways."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests import answers_fixtures as af
from wizard import fields, plan, presets, rules, tree
from wizard.engines import ENGINES
from wizard.locations import bundled_presets_dir
from wizard.rules import facts, fastpath

Files = dict[str, bytes]

AXIS2 = "repository/conf/axis2/axis2.xml"
HOST = b'<parameter name="localMemberHost">10.0.1.13</parameter>'


def five_nodes() -> dict[str, Any]:
    data = copy.deepcopy(af.SHARED)
    data["products"][0]["nodes"] = [
        {"id": f"apim-{i}", "host": f"10.0.1.{10 + i}"} for i in range(1, 6)
    ]
    data["products"][1]["nodes"] = [{"id": f"is-{i}", "host": f"10.0.2.{10 + i}"} for i in (1, 2)]
    # Two Identity Server nodes share the workflow engine's database.
    bps = {"name": "WSO2IS_BPS_DB", "user": "isbpsadmin", "password": "bps-secret"}
    data["products"][1]["databases"]["BPS_DS"] = bps
    return data


@pytest.fixture(scope="module")
def files() -> Files:
    return dict(tree.build(af.build(five_nodes())).files)


def reparsed(files: Files, monkeypatch: pytest.MonkeyPatch) -> list[rules.Finding]:
    """The findings with every file parsed."""
    with monkeypatch.context() as m:
        m.setattr(facts.Shared, "variant", lambda self, path, content: None)
        return rules.check_files(files)


def edited(files: Files, old: bytes, new: bytes, node: str = "apim-3") -> Files:
    path = f"nodes/{node}/{AXIS2}"
    assert files[path].count(old) >= 1, old
    return {**files, path: files[path].replace(old, new, 1)}


def test_a_clusters_files_after_the_first_are_read_as_variants(
    files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert rules.check_files(files) == []
    # apim-1 and is-1 are parsed; the other five differ from them in their own host only.
    assert variants_found(files, monkeypatch) == 5


CASES: dict[str, tuple[bytes, bytes]] = {
    "loopback host": (HOST, HOST.replace(b"10.0.1.13", b"127.0.0.1")),
    "another node's host": (HOST, HOST.replace(b"10.0.1.13", b"10.0.1.12")),
    "empty host": (HOST, HOST.replace(b"10.0.1.13", b"")),
    "blank host": (HOST, HOST.replace(b"10.0.1.13", b" \t\n ")),
    "host with a reference": (HOST, HOST.replace(b"10.0.1.13", b"a&amp;b")),
    "host with a CR": (HOST, HOST.replace(b"10.0.1.13", b"10.0.1.13\r\n")),
    "non-ASCII host": (HOST, HOST.replace(b"10.0.1.13", b"h\xc3\xa9")),
    "not UTF-8": (HOST, HOST.replace(b"10.0.1.13", b"h\xff")),
    "a control character": (HOST, HOST.replace(b"10.0.1.13", b"h\x01")),
    "a '>' in the text": (HOST, HOST.replace(b"10.0.1.13", b"a>b")),
    "a comment in the text": (HOST, HOST.replace(b"10.0.1.13", b"<!-- x -->10.0.1.13")),
    "a child element": (HOST, HOST.replace(b"10.0.1.13", b"<x/>10.0.1.13")),
    "domain": (b'name="domain">', b'name="domain">x'),
    "member port": (b'name="localMemberPort">4000<', b'name="localMemberPort">40a0<'),
    "scheme": (b">wka<", b">wkb<"),
    "a member's host": (b"<hostName>10.0.1.12<", b"<hostName>10.9.9.9<"),
    "a member's port": (b"<port>4000</port>", b"<port>x</port>"),
    "enable attribute": (b'enable="true"', b'enable="treu"'),
    "a parameter outside clustering": (b">true</parameter>", b">fals</parameter>"),
    "a second localMemberHost": (HOST, HOST + b"\n" + HOST.replace(b"10.0.1.13", b"9.9.9.9")),
    "a broken end tag": (b"</axisconfig>", b"</axisconfiq>"),
}


@pytest.mark.parametrize("case", CASES)
def test_findings_are_those_of_parsing_every_file(
    files: Files, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    changed = edited(files, *CASES[case])
    assert rules.check_files(changed) == reparsed(changed, monkeypatch)


def test_a_text_changed_inside_a_comment_is_no_variant(
    files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comment's text sits between a '>' and a '</' just as an element's does."""
    comment = b'<!-- <parameter name="localMemberHost">10.0.1.11</parameter> -->'
    port = b'<parameter name="localMemberPort">4000</parameter>'
    first = files[f"nodes/apim-1/{AXIS2}"].replace(port, port + comment, 1)
    third = first.replace(b">10.0.1.11</parameter> -->", b">x</parameter> -->")
    changed = {**files, f"nodes/apim-1/{AXIS2}": first, f"nodes/apim-3/{AXIS2}": third}
    found = rules.check_files(changed)
    assert found == reparsed(changed, monkeypatch)
    # apim-3 is apim-1's file but for the comment, so it claims apim-1's member address.
    assert [f.node for f in found if "also apim-1's member address" in f.message] == ["apim-3"]


def test_findings_name_each_node_of_a_variant(files: Files) -> None:
    host = HOST.replace(b"10.0.1.13", b"10.0.1.14")
    changed = edited(files, host, host.replace(b"10.0.1.14", b"localhost"), node="apim-4")
    found = [f for f in rules.check_files(changed) if "loopback" in f.message]
    assert [(f.node, f.file) for f in found] == [("apim-4", AXIS2)]


def variants_found(files: Files, monkeypatch: pytest.MonkeyPatch) -> int:
    found: list[bool] = []
    variant = facts.Shared.variant

    def counted(self: facts.Shared, path: str, content: bytes) -> fastpath.Variant | None:
        result = variant(self, path, content)
        found.append(result is not None)
        return result

    with monkeypatch.context() as m:
        m.setattr(facts.Shared, "variant", counted)
        rules.check_files(files)
    return found.count(True)


def every_axis2(files: Files, change: Callable[[bytes], bytes]) -> Files:
    return {p: change(c) if p.endswith(AXIS2) else c for p, c in files.items()}


def test_files_with_a_doctype_are_parsed_each(
    files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entities of a DOCTYPE could stand for elements the bytes do not show."""
    changed = every_axis2(files, lambda c: c.replace(b"<axisconfig", b"<!DOCTYPE a><axisconfig"))
    assert rules.check_files(changed) == reparsed(changed, monkeypatch) == []
    assert variants_found(changed, monkeypatch) == 0


def test_a_second_clustering_element_is_not_the_one_read(
    files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Axis2 reads the first clustering element; a host in a second one is parsed."""

    def second(content: bytes) -> bytes:
        # The node's own host only in the second element; one host for all in the first.
        first = content.index(b"<clustering ")
        end = content.index(b"</clustering>") + len(b"</clustering>")
        block = content[first:end]
        one = re.sub(rb'(name="localMemberHost">)[^<]*', rb"\g<1>10.9.9.9", block)
        return content[:first] + one + b"\n" + block + content[end:]

    changed = every_axis2(files, second)
    assert variants_found(changed, monkeypatch) == 0
    assert rules.check_files(changed) == reparsed(changed, monkeypatch)


def test_a_malformed_url_option_is_refused_at_the_field_and_found_in_a_tree() -> None:
    """'autoReconnect=true&&useSSL' was taken, written into every node's URL, and passed
    check: the field refuses it, and rule 6 finds it in a hand-edited tree."""
    for engine in ENGINES.values():
        for options in (engine.default_url_options, engine.tls_url_options):
            if options:
                assert fields.check_url_options(options) == options
    for bad in ("autoReconnect=true&&useSSL", "useSSL=false&", "useSSL", "a=1;;b=2"):
        with pytest.raises(ValueError):
            fields.check_url_options(bad)
    assert fields.check_url_options("sslConnection=true;") == "sslConnection=true;"
    assert fields.check_url_options("") == ""  # no options at all: the URL ends at its name
    built = tree.preview(
        plan.build(presets.load_preset("apim-2node-mysql", [bundled_presets_dir()]), {})
    )
    path = "nodes/apim-1/repository/conf/datasources/master-datasources.xml"
    text = built.files[path].replace(
        b"autoReconnect=true&amp;useSSL", b"autoReconnect=true&amp;&amp;useSSL"
    )
    assert text != built.files[path]
    findings = [f for f in rules.check_files({**built.files, path: text}) if f.rule == 6]
    assert findings and all("empty or bare URL option" in f.message for f in findings)
