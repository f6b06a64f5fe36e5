"""*-datasources.xml: the plan's datasources in the real stock files, nothing else changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from tests import answers_fixtures as af
from tests.upstream import upstream
from wizard.plan import DatasourcePlan
from wizard.render.datasources import patch_datasources

BASELINE = Path(__file__).resolve().parents[2] / "wizard" / "baseline" / "repository" / "conf"
MASTER = "datasources/master-datasources.xml"

STOCK = {
    "kernel": "carbon-kernel-4.4.x/repository/conf/datasources/master-datasources.xml",
    "apim-2.6.0": "apim-2.6.0/repository/conf/datasources/master-datasources.xml",
    "is-5.7.0": "is-5.7.0/repository/conf/datasources/master-datasources.xml",
    "ei-broker": "ei-6.4.0/wso2/broker/conf/datasources/master-datasources.xml",
    "ei-business-process": "ei-6.4.0/wso2/business-process/conf/datasources/master-datasources.xml",
}


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False))


def by_name(root: etree._Element) -> dict[str, etree._Element]:
    return {d.findtext("name"): d for d in root.iterfind("datasources/datasource")}


def canonical(el: etree._Element) -> bytes:
    return etree.tostring(el, with_tail=False)


def apim_datasources() -> tuple[DatasourcePlan, ...]:
    return af.build().node("apim-1").datasources


@pytest.mark.parametrize("label", sorted(STOCK))
def test_stock_datasources_and_comments_are_kept(label: str) -> None:
    stock = upstream(STOCK[label])
    plan = [d for d in apim_datasources() if d.file == MASTER]
    out = patch_datasources(stock, plan)
    before, after = by_name(parse(stock)), by_name(parse(out))
    for name, element in before.items():
        if name not in {d.name for d in plan}:
            assert canonical(after[name]) == canonical(element), name
    assert [c.text for c in parse(out).iter(etree.Comment)] == [
        c.text for c in parse(stock).iter(etree.Comment)
    ]
    assert parse(out).findtext("providers/provider") == parse(stock).findtext("providers/provider")
    for ds in plan:
        config = after[ds.name].find("definition/configuration")
        assert after[ds.name].findtext("jndiConfig/name") == ds.jndi_name
        assert config.findtext("url") == ds.url
        assert config.findtext("username") == ds.username
        assert config.findtext("password") == ds.password
        assert config.findtext("driverClassName") == ds.driver_class
        assert config.findtext("validationQuery") == ds.validation_query


def test_the_local_carbon_db_is_never_touched() -> None:
    stock = upstream(STOCK["apim-2.6.0"])
    out = patch_datasources(stock, apim_datasources())
    start = stock.index(b"<datasource>")
    end = stock.index(b"</datasource>") + len(b"</datasource>")
    assert b"WSO2_CARBON_DB" in stock[start:end]
    assert out[:end] == stock[:end]


def test_a_stock_product_datasource_is_edited_in_place() -> None:
    stock = upstream(STOCK["apim-2.6.0"])
    am = next(d for d in apim_datasources() if d.name == "WSO2AM_DB")
    out = patch_datasources(stock, [am])
    before = by_name(parse(stock))["WSO2AM_DB"].find("definition/configuration")
    after = by_name(parse(out))["WSO2AM_DB"].find("definition/configuration")
    # The product's own pool settings and their order stay; only the owned values change.
    assert [c.tag for c in after] == [c.tag for c in before]
    for tag in ("maxActive", "maxWait", "validationInterval"):
        assert after.findtext(tag) == before.findtext(tag)
    assert after.findtext("url").startswith("jdbc:mysql://db.example.com:3306/WSO2AM_DB")
    assert after.findtext("defaultAutoCommit") == "true"
    assert len(by_name(parse(out))) == len(by_name(parse(stock)))


def test_passwords_and_urls_read_back_exactly() -> None:
    tricky = "p&<>\"'\\$%x]]>&amp;"
    url = "jdbc:mysql://db:3306/X?useSSL=false&serverTimezone=UTC&a=<b>"
    ds = replace(apim_datasources()[0], password=tricky, url=url, username="u&'\"")
    out = patch_datasources((BASELINE / MASTER).read_bytes(), [ds])
    config = by_name(parse(out))[ds.name].find("definition/configuration")
    assert (config.findtext("password"), config.findtext("url")) == (tricky, url)
    assert config.findtext("username") == "u&'\""
    assert b"&amp;amp;serverTimezone" not in out and b"useSSL=false&amp;serverTimezone" in out


def test_a_stock_password_alias_or_encrypted_flag_is_dropped() -> None:
    stock = upstream(STOCK["apim-2.6.0"]).replace(
        b"<password>wso2carbon</password>\n                    <defaultAutoCommit>true",
        b'<password svns:secretAlias="Old.Alias" encrypted="true">x</password>\n'
        b"                    <defaultAutoCommit>true",
    )
    assert b"Old.Alias" in stock
    am = next(d for d in apim_datasources() if d.name == "WSO2AM_DB")
    out = patch_datasources(stock, [am])
    password = by_name(parse(out))["WSO2AM_DB"].find("definition/configuration/password")
    assert password.attrib == {} and password.text == am.password


def test_new_file_when_the_stock_has_none() -> None:
    ds = DatasourcePlan(
        file="datasources/bps-datasources.xml",
        name="BPS_DS",
        jndi_name="bpsds",
        description="BPEL",
        url="jdbc:postgresql://db:5432/BPS",
        username="bps",
        password="s3cret",
        driver_class="org.postgresql.Driver",
        validation_query="SELECT 1; COMMIT",
        database_key="bps:BPS_DS",
    )
    root = parse(patch_datasources(None, [ds]))
    assert root.tag == "datasources-configuration"
    assert root.nsmap.get("svns") == "http://org.wso2.securevault/configuration"
    assert root.findtext("providers/provider") == (
        "org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader"
    )
    assert by_name(root)["BPS_DS"].findtext("definition/configuration/testOnBorrow") == "true"


def test_patch_is_idempotent() -> None:
    stock = upstream(STOCK["apim-2.6.0"])
    once = patch_datasources(stock, apim_datasources())
    assert patch_datasources(once, apim_datasources()) == once


def test_latin1_file_keeps_its_encoding_and_escapes_what_it_cannot_hold() -> None:
    stock = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<datasources-configuration>\n'
        b"    <datasources>\n    </datasources>\n</datasources-configuration>\n"
    )
    ds = replace(apim_datasources()[0], password="pässwörd-€")
    out = patch_datasources(stock, [ds])
    assert out.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert b"&#8364;" in out  # the euro sign is not in ISO-8859-1
    assert by_name(parse(out))[ds.name].findtext("definition/configuration/password") == (
        "pässwörd-€"
    )


# ---- defaultAutoCommit is the product's; validationQuery follows it -------------------------

BPS_STOCK = "bps-3.6.0/repository/conf/datasources/bps-datasources.xml"
IS_KM_STOCK = "is-km-5.7.0/repository/conf/datasources/master-datasources.xml"


def _pg(name: str, jndi: str, file: str, auto_commit: bool) -> DatasourcePlan:
    """A PostgreSQL datasource as the plan has it (the query fits the plan's autocommit)."""
    return DatasourcePlan(
        file=file,
        name=name,
        jndi_name=jndi,
        description=name,
        url="jdbc:postgresql://db:5432/X",
        username="u",
        password="p",
        driver_class="org.postgresql.Driver",
        validation_query="SELECT 1" if auto_commit else "SELECT 1; COMMIT",
        database_key=f"p:{name}",
        auto_commit=auto_commit,
        engine="postgresql",
    )


def _config(out: bytes, name: str) -> etree._Element:
    return by_name(parse(out))[name].find("definition/configuration")


def test_bps_ds_keeps_the_stock_autocommit_and_its_pool() -> None:
    # bps-datasources.xml of BPS 3.6.0 (and EI 6.4.0, IS 5.7.0) says defaultAutoCommit true;
    # WSO2's guide changes only url, user, password and driver.
    stock = upstream(BPS_STOCK)
    bps = _pg("BPS_DS", "bpsds", "datasources/bps-datasources.xml", auto_commit=False)
    before, after = _config(stock, "BPS_DS"), _config(patch_datasources(stock, [bps]), "BPS_DS")
    assert after.findtext("defaultAutoCommit") == "true"
    assert after.findtext("validationQuery") == "SELECT 1"  # no COMMIT with autocommit on
    for tag in ("maxActive", "maxIdle", "maxWait", "validationInterval", "useDataSourceFactory"):
        assert after.findtext(tag) == before.findtext(tag), tag
    assert [c.tag for c in after] == [c.tag for c in before]


def test_a_stock_datasource_without_autocommit_keeps_none() -> None:
    # IS as Key Manager's WSO2AM_DB has no defaultAutoCommit: the driver's default (on) stays.
    stock = upstream(IS_KM_STOCK)
    am = _pg("WSO2AM_DB", "jdbc/WSO2AM_DB", MASTER, auto_commit=True)
    after = _config(patch_datasources(stock, [am]), "WSO2AM_DB")
    assert after.find("defaultAutoCommit") is None
    assert after.findtext("validationQuery") == "SELECT 1"


def test_api_managers_wso2am_db_keeps_true_and_gets_select_1_on_postgresql() -> None:
    stock = upstream(STOCK["apim-2.6.0"])
    am = _pg("WSO2AM_DB", "jdbc/WSO2AM_DB", MASTER, auto_commit=True)
    after = _config(patch_datasources(stock, [am]), "WSO2AM_DB")
    assert (after.findtext("defaultAutoCommit"), after.findtext("validationQuery")) == (
        "true",
        "SELECT 1",
    )


def test_an_added_datasource_gets_the_plans_autocommit_and_query() -> None:
    reg = _pg("WSO2_SHARED_REG_DB", "jdbc/WSO2SharedRegDB", MASTER, auto_commit=False)
    after = _config(patch_datasources(upstream(STOCK["kernel"]), [reg]), "WSO2_SHARED_REG_DB")
    assert (after.findtext("defaultAutoCommit"), after.findtext("validationQuery")) == (
        "false",
        "SELECT 1; COMMIT",
    )


def test_a_placeholder_autocommit_is_kept_with_the_plans_query() -> None:
    stock = upstream(STOCK["apim-2.6.0"]).replace(
        b"<defaultAutoCommit>true</defaultAutoCommit>\n                    <driverClassName>",
        b"<defaultAutoCommit>${am.autocommit}</defaultAutoCommit>\n"
        b"                    <driverClassName>",
    )
    assert b"${am.autocommit}" in stock
    am = _pg("WSO2AM_DB", "jdbc/WSO2AM_DB", MASTER, auto_commit=False)
    after = _config(patch_datasources(stock, [am]), "WSO2AM_DB")
    assert after.findtext("defaultAutoCommit") == "${am.autocommit}"
    assert after.findtext("validationQuery") == "SELECT 1; COMMIT"
