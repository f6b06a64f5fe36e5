"""Product distributions: real WSO2 stock files assembled into a PRODUCT_HOME (and a zip),
patched into a tree that passes `check`, with product and version detected."""

from __future__ import annotations

import copy
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests import answers_fixtures as af
from tests.upstream import need_upstream
from wizard import plan, rules, tree
from wizard.distribution import (
    BaselineStock,
    DirectoryStock,
    DistributionError,
    ZipStock,
    detect,
    open_stock,
)
from wizard.problems import AnswersError


def overlay(target: Path, source: Path, into: str = "") -> None:
    """Copy the conf files of `source` over `target` (optionally re-rooted under `into`)."""
    for file in source.rglob("*"):
        if file.is_file() and "SOURCES" not in file.name and "build-inputs" not in file.parts:
            relative = file.relative_to(source)
            if into and relative.parts[:2] == ("repository", "conf"):
                relative = Path(into, *relative.parts[2:])
            dest = target / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, dest)


def apim_home(tmp_path: Path) -> Path:
    """wso2am-2.6.0: the kernel's files with API Manager's own files over them, as the
    product's build assembles them."""
    up = need_upstream()
    home = tmp_path / "wso2am-2.6.0"
    overlay(home, up / "carbon-kernel-4.4.x")
    overlay(home, up / "apim-2.6.0")
    return home


def ei_home(tmp_path: Path) -> Path:
    up = need_upstream()
    home = tmp_path / "wso2ei-6.4.0"
    overlay(home, up / "carbon-kernel-4.4.x", into="conf")
    for profile in ("broker", "business-process"):
        overlay(home, up / "carbon-kernel-4.4.x", into=f"wso2/{profile}/conf")
    overlay(home, up / "ei-6.4.0")
    return home


def zip_of(home: Path) -> Path:
    archive = home.parent / f"{home.name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(home.rglob("*")):
            if file.is_file():
                zf.write(file, f"{home.name}/{file.relative_to(home)}")
    return archive


def apim_answers(distribution: Path) -> dict[str, Any]:
    data = copy.deepcopy(af.SHARED)
    data["products"] = [copy.deepcopy(data["products"][0])]
    data["products"][0]["distribution"] = str(distribution)
    return data


def registry_children(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    return [el.tag for el in root if isinstance(el.tag, str)]


@pytest.mark.parametrize("form", ["directory", "zip"])
def test_apim_distribution_tree_keeps_the_product_settings_and_passes_check(
    tmp_path: Path, form: str
) -> None:
    home = apim_home(tmp_path)
    source = home if form == "directory" else zip_of(home)
    built = tree.build(af.build(apim_answers(source)))
    assert rules.check_files(built.files) == []
    stock_registry = (home / "repository/conf/registry.xml").read_bytes()
    patched = built.files["nodes/apim-1/repository/conf/registry.xml"]
    # All of API Manager's handlers, indexing and the rest are still there, in order.
    kept = [t for t in registry_children(patched) if t not in ("remoteInstance", "mount")]
    stock = registry_children(stock_registry)
    assert [t for t in kept if t != "dbConfig"] == [t for t in stock if t != "dbConfig"]
    assert registry_children(patched).count("handler") == 15
    ds = etree.fromstring(
        built.files["nodes/apim-1/repository/conf/datasources/master-datasources.xml"]
    )
    names = [d.findtext("name") for d in ds.iterfind("datasources/datasource")]
    # The stock statistics and message-broker stores stay as shipped (MB store node-local).
    assert {"WSO2_CARBON_DB", "WSO2AM_DB", "WSO2AM_STATS_DB", "WSO2_MB_STORE_DB"} <= set(names)
    assert built.stock_labels["apim"].startswith("product distribution")
    assert "Product-specific settings are not included" not in built.readme
    assert f"stock files: {source}" in built.files["topology.txt"].decode()
    baseline = tree.build(af.build(apim_answers(source) | {"products": af.SHARED["products"]}))
    assert (
        "stock files: built-in Carbon 4.4.x kernel baseline"
        in baseline.files["topology.txt"].decode()
    )


def test_ei_profiles_use_their_own_conf_folders(tmp_path: Path) -> None:
    home = ei_home(tmp_path)
    data = copy.deepcopy(af.SHARED)
    data["products"] = [
        {
            "id": "ei",
            "version": "6.4.0",
            "distribution": str(home),
            "nodes": [{"id": "ei-1", "host": "10.0.4.1"}, {"id": "ei-2", "host": "10.0.4.2"}],
        },
        {
            "id": "ei",
            "version": "6.4.0",
            "profile": "broker",
            "distribution": str(home),
            "databases": {
                "WSO2_MB_STORE_DB": {"name": "WSO2_MB_DB", "user": "mbadmin", "password": "mb"}
            },
            "nodes": [{"id": "mb-1", "host": "10.0.4.1", "offset": 3}],
        },
    ]
    built = tree.build(af.build(data))
    assert rules.check_files(built.files) == []
    assert "nodes/ei-1/conf/registry.xml" in built.files
    assert "nodes/mb-1/wso2/broker/conf/datasources/master-datasources.xml" in built.files
    assert not any(p.startswith("nodes/ei-1/repository/conf") for p in built.files)
    # The integrator's stock registry.xml (EI's own handlers and indexing) was patched.
    stock = (home / "conf/registry.xml").read_bytes()
    assert registry_children(built.files["nodes/ei-1/conf/registry.xml"]).count(
        "indexingConfiguration"
    ) == registry_children(stock).count("indexingConfiguration")


def test_detect_from_the_name(tmp_path: Path) -> None:
    home = apim_home(tmp_path)
    for source in (home, zip_of(home)):
        found = detect(str(source))
        assert (found.product, found.version) == ("apim", "2.6.0")


def test_detect_from_version_txt_when_the_name_says_nothing(tmp_path: Path) -> None:
    home = apim_home(tmp_path)
    renamed = home.rename(tmp_path / "product")
    (renamed / "bin").mkdir()
    (renamed / "bin/version.txt").write_text("WSO2 API Manager v2.6.0\n")
    found = detect(str(renamed))
    assert (found.product, found.version, found.source) == ("apim", "2.6.0", "bin/version.txt")


def test_a_distribution_of_another_version_is_refused_at_its_field(tmp_path: Path) -> None:
    home = apim_home(tmp_path)
    data = apim_answers(home)
    data["products"][0]["version"] = "2.5.0"
    with pytest.raises(AnswersError) as caught:
        tree.build(af.build(data))
    report = caught.value.report()
    assert "products[0].distribution" in report and "2.6.0" in report and "2.5.0" in report


def test_a_distribution_of_another_product_is_refused(tmp_path: Path) -> None:
    home = apim_home(tmp_path)
    data = apim_answers(home)
    data["products"][0] = dict(
        data["products"][0],
        id="is",
        version="5.7.0",
        databases={
            "WSO2_IDENTITY_DB": {"name": "WSO2_IDENTITY_DB", "user": "isadmin", "password": "x"},
            "BPS_DS": {"name": "WSO2IS_BPS_DB", "user": "isbpsadmin", "password": "x"},
        },
    )
    with pytest.raises(AnswersError, match="API Manager"):
        tree.build(af.build(data))


def test_the_parent_folder_of_a_product_home_is_accepted(tmp_path: Path) -> None:
    home = apim_home(tmp_path)
    stock = open_stock(str(tmp_path))
    assert isinstance(stock, DirectoryStock) and stock.home == home


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.zip", "does not exist"),
        (lambda p: _write(p / "notes.txt", b"hello"), "neither a zip nor a folder"),
        (lambda p: _zip(p / "other.zip", {"readme.txt": b"x"}), "not a WSO2 Carbon product"),
        (lambda p: _dir(p / "empty"), "not a PRODUCT_HOME"),
    ],
)
def test_bad_distributions_get_a_clear_message(tmp_path: Path, make: Any, message: str) -> None:
    with pytest.raises(DistributionError, match=message):
        open_stock(str(make(tmp_path)))


def test_bad_distribution_through_the_cli_has_no_traceback(tmp_path: Path) -> None:
    from tests.core.test_generate import run_cli

    data = apim_answers(tmp_path / "nowhere.zip")
    answers_file = tmp_path / "a.toml"
    from wizard import answers

    answers_file.write_text(answers.dumps(answers.parse(data)))
    result = run_cli("generate", "--answers", str(answers_file), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "products[0].distribution" in result.stderr and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_zip_is_read_without_extracting_and_paths_cannot_escape(tmp_path: Path) -> None:
    archive = zip_of(apim_home(tmp_path))
    stock = ZipStock(archive)
    assert stock.root == "wso2am-2.6.0/"
    assert stock.read("repository/conf/registry.xml") is not None
    assert stock.read("repository/conf/nothing.xml") is None
    with pytest.raises(ValueError, match="inside PRODUCT_HOME"):
        stock.read("../etc/passwd")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wso2am-2.6.0", "wso2am-2.6.0.zip"]


def test_baseline_serves_every_conf_layout() -> None:
    stock = BaselineStock()
    for conf in ("repository/conf", "conf", "wso2/broker/conf"):
        assert stock.read(f"{conf}/registry.xml") == stock.read("repository/conf/registry.xml")
    assert stock.read("bin/wso2server.sh") is None
    assert stock.read("repository/conf/datasources/bps-datasources.xml") is None


def test_preview_and_diffs_from_a_distribution(tmp_path: Path) -> None:
    p = af.build(apim_answers(apim_home(tmp_path)))
    diffs = {(d.node, d.path): d.diff for d in tree.diffs(p)}
    registry = diffs[("apim-1", "repository/conf/registry.xml")]
    assert '+    <mount path="/_system/config" overwrite="true">' in registry
    assert "-" not in "".join(
        line[0] for line in registry.splitlines()[2:] if line[:1] in "+-" and "handler" in line
    )
    assert af.PASSWORD not in "".join(diffs.values())


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _dir(path: Path) -> Path:
    path.mkdir()
    return path


def test_plan_module_is_untouched_by_distribution_reading(tmp_path: Path) -> None:
    # The plan never reads the distribution; only rendering does (a bad path is found there).
    data = apim_answers(tmp_path / "nowhere")
    assert plan.build(af.topology(data), af.ENV).nodes[0].distribution == str(tmp_path / "nowhere")
