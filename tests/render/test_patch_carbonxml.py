"""carbon.xml: Ports/Offset set namespace-aware in the real stock files; nothing else moves."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.upstream import upstream
from wizard.render.carbonxml import CARBON_NS, patch_carbon
from wizard.render.xmltext import element_spans

BASELINE = Path(__file__).resolve().parents[2] / "wizard" / "baseline"
NS = f"{{{CARBON_NS}}}"
SERVER = b'<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">'

STOCK_CARBON = {
    "kernel": ("carbon-kernel-4.4.x/repository/conf/carbon.xml", 0),
    "ei-integrator": ("ei-6.4.0/conf/carbon.xml", 0),
    "ei-business-process": ("ei-6.4.0/wso2/business-process/conf/carbon.xml", 2),
    "ei-broker": ("ei-6.4.0/wso2/broker/conf/carbon.xml", 3),
}


def root_of(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False))


def offsets(data: bytes) -> list[str]:
    return [e.text or "" for e in root_of(data).findall(f"{NS}Ports/{NS}Offset")]


def canonical_without_offset(data: bytes) -> bytes:
    root = root_of(data)
    for offset in root.findall(f"{NS}Ports/{NS}Offset"):
        offset.text = "X"
    return etree.tostring(root, method="c14n", with_comments=True)


@pytest.mark.parametrize("label", sorted(STOCK_CARBON))
@pytest.mark.parametrize("offset", [0, 1, 7, 10, 54424])
def test_real_stock_offset(label: str, offset: int) -> None:
    relative, stock_offset = STOCK_CARBON[label]
    stock = upstream(relative)
    assert offsets(stock) == [str(stock_offset)]
    out = patch_carbon(stock, offset)
    assert offsets(out) == [str(offset)]
    assert canonical_without_offset(out) == canonical_without_offset(stock)
    # Byte level: only the Offset element's text differs.
    span = next(s for s in element_spans(stock) if s.name == "Offset")
    new = str(offset).encode()
    assert out == stock[: span.open_end] + new + stock[span.close_start :]
    # Maven placeholders and the declaration are text like any other.
    assert out.count(b"${carbon.home}") == stock.count(b"${carbon.home}")
    assert out.split(b"?>", 1)[0] == stock.split(b"?>", 1)[0]


def test_offset_in_a_comment_is_not_touched() -> None:
    stock = (
        b'<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">\n'
        b"    <!-- <Ports><Offset>9</Offset></Ports> -->\n"
        b"    <Other><Offset>5</Offset></Other>\n"
        b"    <Ports>\n        <Offset>0</Offset>\n    </Ports>\n</Server>\n"
    )
    out = patch_carbon(stock, 3)
    assert out == stock.replace(b"<Offset>0</Offset>", b"<Offset>3</Offset>")


def test_namespace_matters() -> None:
    # An Offset element outside the carbon namespace is not the one Carbon reads.
    stock = (
        b'<Server xmlns="http://wso2.org/projects/carbon/carbon.xml" xmlns:x="urn:x">\n'
        b"    <x:Ports><x:Offset>0</x:Offset></x:Ports>\n"
        b"    <Ports>\n        <Offset>0</Offset>\n    </Ports>\n</Server>\n"
    )
    out = patch_carbon(stock, 4)
    assert b"<x:Offset>0</x:Offset>" in out
    assert offsets(out) == ["4"]


def test_missing_offset_is_created_indented() -> None:
    stock = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\r\n'
        b'<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">\r\n'
        b"    <Ports>\r\n\r\n        <!-- JMX -->\r\n        <JMX/>\r\n"
        b"    </Ports>\r\n</Server>\r\n"
    )
    out = patch_carbon(stock, 2)
    assert offsets(out) == ["2"]
    assert b"    <Ports>\r\n\r\n        <Offset>2</Offset>\r\n        <!-- JMX -->" in out
    assert out.count(b"\n") == out.count(b"\r\n")


def test_missing_ports_is_created() -> None:
    stock = SERVER + b"\n    <Name>x</Name>\n</Server>\n"
    out = patch_carbon(stock, 5)
    assert offsets(out) == ["5"]
    assert b"\n    <Ports>\n        <Offset>5</Offset>\n    </Ports>\n    <Name>x</Name>" in out


def test_empty_offset_element() -> None:
    stock = SERVER + b"<Ports><Offset /></Ports></Server>"
    assert offsets(patch_carbon(stock, 6)) == ["6"]


def test_refuses_wrong_input() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        patch_carbon(b'<Server xmlns="http://wso2.org/projects/carbon/carbon.xml"/>', -1)
    with pytest.raises(ValueError, match=r"not a carbon\.xml"):
        patch_carbon(b"<Server><Ports><Offset>0</Offset></Ports></Server>", 1)


def test_baseline_carbon() -> None:
    stock = (BASELINE / "repository/conf/carbon.xml").read_bytes()
    root = root_of(stock)
    assert root.tag == f"{NS}Server"
    assert offsets(stock) == ["0"]
    for path in ("Name", "ServerKey", "Version", "Ports/JMX/RMIServerPort", "Ports/EmbeddedLDAP"):
        assert root.find("/".join(f"{NS}{p}" for p in path.split("/"))) is not None, path
    store = root.find(f"{NS}Security/{NS}KeyStore")
    assert store.findtext(f"{NS}Location").endswith("/wso2carbon.jks")
    assert store.findtext(f"{NS}KeyAlias") == "wso2carbon"
    # HostName is there for the operator to fill in, as a comment only.
    assert root.find(f"{NS}HostName") is None and b"<!--<HostName>" in stock
    assert b"generic WSO2 Carbon 4.4.x kernel baseline" in stock and b"Product-specific" in stock
    out = patch_carbon(stock, 12)
    assert offsets(out) == ["12"]
    assert out == stock.replace(b"<Offset>0</Offset>", b"<Offset>12</Offset>")
