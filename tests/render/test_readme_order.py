"""The tree's README reads top to bottom as the operator works: the topology picture, what to
know first, then databases, tables, driver, files, first start, verification; every node file
has its copy or merge command, and nothing in it tells the operator to delete a node's data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wizard import plan, presets, rules, tree
from wizard.locations import bundled_presets_dir

DIRS = [bundled_presets_dir()]
PRESETS = [p.name for p in presets.list_presets(DIRS)]


def readme_of(name: str) -> tuple[plan.Plan, str]:
    # The preview needs no password: the README is the one the tree gets, passwords aside.
    built = plan.build(presets.load_preset(name, DIRS), {})
    return built, tree.preview(built).readme


@pytest.mark.parametrize("name", PRESETS)
def test_sections_come_in_the_order_the_operator_works(name: str) -> None:
    _, text = readme_of(name)
    heads = [line for line in text.splitlines() if line.startswith("## ")]
    order = ["## Topology", "## Read before you start", "## Next steps"]
    assert [h for h in heads if h in order] == order
    steps = re.findall(r"^### (\d+)\. (.*)$", text, re.MULTILINE)
    numbers = [int(n) for n, _ in steps]
    assert numbers == list(range(1, len(numbers) + 1))
    titles = [t for _, t in steps]
    expected = [
        "Create the databases",
        "Create the WSO2 tables",
        "JDBC driver",
        "files",
        "Start the nodes",
        "Verify",
    ]
    found = [next(i for i, t in enumerate(titles) if key in t) for key in expected]
    assert found == sorted(found), titles
    assert "```mermaid" in text.split("## Read before you start")[0]


@pytest.mark.parametrize("name", PRESETS)
def test_every_node_file_has_its_command(name: str) -> None:
    built, text = readme_of(name)
    rendered = tree.preview(built).node_files
    for node in built.nodes:
        if node.distribution:
            assert f"nodes/{node.id}/ {node.host}:<PRODUCT_HOME>/" in text
            continue
        for path in rendered[node.id]:
            if path.endswith(".xml"):
                assert f"scp nodes/{node.id}/{path} {node.host}:" in text, (node.id, path)
                assert f"diff -u <PRODUCT_HOME>/{path} <PRODUCT_HOME>/{path}.planned" in text


@pytest.mark.parametrize("name", PRESETS)
def test_nothing_tells_the_operator_to_delete_a_nodes_database(name: str) -> None:
    _, text = readme_of(name)
    start = text[text.index("Start the nodes") :]
    assert "Do not delete `repository/database/WSO2CARBON_DB*`" in start
    assert not re.search(r"(?<!not )delete (its|the) `repository/database", text)


def test_the_mermaid_picture_names_every_node_and_database() -> None:
    built, text = readme_of("apim-is-km-mysql8")
    block = text[text.index("```mermaid") : text.index("```", text.index("```mermaid") + 3)]
    for node in built.nodes:
        assert node.id in block
    for db in built.databases:
        assert f"{db.name}<br/>" in block
    assert "/_system/config → /_system/is-kmconfig" in block
    assert "keys and tokens: https://km.example.com:443/services/" in block


def _tree(name: str = "apim-2node-mysql") -> dict[str, bytes]:
    return dict(tree.preview(plan.build(presets.load_preset(name, DIRS), {})).files)


def _rule_39(files: dict[str, bytes]) -> list[rules.Finding]:
    return [f for f in rules.check_files(files) if f.rule == 39]


@pytest.mark.parametrize("name", PRESETS)
def test_check_accepts_every_presets_readme(name: str) -> None:
    assert _rule_39(_tree(name)) == []


def test_check_finds_a_readme_that_starts_nodes_before_their_files() -> None:
    files = _tree()
    text = files["README.md"].decode()
    start = re.search(r"^### (\d+)\. Start the nodes", text, re.MULTILINE)
    copy_ = re.search(r"^### (\d+)\. Put each node's files in place", text, re.MULTILINE)
    assert start and copy_
    # Swap the two titles: an operator following it would start nodes on stock files.
    swapped = (
        text.replace(start.group(0), "@@START@@")
        .replace(copy_.group(0), f"### {copy_.group(1)}. Start the nodes")
        .replace("@@START@@", f"### {start.group(1)}. Put each node's files in place")
    )
    files["README.md"] = swapped.encode()
    (finding,) = [
        f for f in _rule_39(files) if "files step" in f.message or "first start" in f.message
    ]
    assert finding.file == "README.md" and "comes before" in finding.message


@pytest.mark.parametrize("name", PRESETS)
def test_every_file_a_command_copies_is_in_the_tree(name: str) -> None:
    # Before: from the kernel baseline, step 4 copied identity.xml, consent-mgt-config.xml
    # and api-manager.xml, which the tree does not hold ("No such file" on every node).
    files = _tree(name)
    named = set(re.findall(r"scp (nodes/\S+) ", files["README.md"].decode()))
    assert named and named <= set(files), sorted(named - set(files))


def test_check_finds_a_command_that_copies_a_file_the_tree_lacks() -> None:
    files = _tree()
    text = files["README.md"].decode()
    kept = "scp nodes/apim-1/repository/conf/carbon.xml "
    assert kept in text
    lacking = "nodes/apim-1/repository/conf/api-manager.xml"
    assert lacking not in files
    files["README.md"] = text.replace(kept, f"scp {lacking} x:y && {kept}", 1).encode()
    (finding,) = _rule_39(files)
    assert finding.element == lacking and "does not hold" in finding.message


def test_check_finds_the_notes_after_the_steps() -> None:
    files = _tree()
    text = files["README.md"].decode()
    head, rest = text.split("## Read before you start", 1)
    notes, steps = rest.split("## Next steps", 1)
    files["README.md"] = (
        head + "## Next steps" + steps + "## Read before you start" + notes
    ).encode()
    messages = [f.message for f in _rule_39(files)]
    assert any("comes after the steps" in m for m in messages)


def test_the_projects_readme_lists_every_rule_check_numbers() -> None:
    """The README's rule table is the checker's own list, so neither drifts from the other."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    listed = dict(re.findall(r"^\| (\d+) \| (.+) \|$", text, re.MULTILINE))
    assert {int(k): v for k, v in listed.items()} == rules.RULE_TITLES


@pytest.mark.parametrize("name", PRESETS)
def test_the_start_step_says_deployed_artifacts_reach_no_other_node(name: str) -> None:
    """Clustering shares registry, users and databases, not what is deployed under
    repository/deployment/server: the start step says so for every cluster of two or more
    nodes, by its key, and says nothing of the kind for a plan of lone nodes."""
    built, text = readme_of(name)
    start = text.split(". Start the nodes", 1)[1].split("\n### ", 1)[0]
    clusters = [p.key for p in built.topology.products if len(p.nodes) > 1]
    assert clusters, "every bundled preset clusters at least one product"
    assert "repository/deployment/server" in start and "reaches no other node" in start
    for key in clusters:
        assert f"`{key}`" in start
    data = presets.load_preset(name, DIRS).model_dump(mode="json", exclude_none=True)
    for product in data["products"]:
        del product["nodes"][1:]
    lone = tree.preview(plan.build(type(built.topology).model_validate(data), {})).readme
    assert "repository/deployment/server" not in lone


def test_a_distribution_in_a_folder_named_baseline_is_not_the_kernel_baseline(
    tmp_path: Path,
) -> None:
    """Whether a cluster's files come from the kernel baseline was read from the word in its
    stock label, which for a distribution holds its path: a pack under /srv/baseline/ was
    then merged by hand and refused by the push. The label is compared whole."""
    from tests.core.test_distribution import apim_home

    home = apim_home(tmp_path / "baseline")
    stock = presets.load_preset("apim-2node-mysql", DIRS)
    data = stock.model_dump(mode="json", exclude_none=True)
    data["products"][0]["distribution"] = str(home)
    built = tree.preview(plan.build(type(stock).model_validate(data), {}))
    assert "baseline" in built.stock_labels["apim"]  # the path holds the word
    assert built.baseline == ()
    assert "Product-specific settings are not included" not in built.readme
    assert b"carbon_baseline" not in built.files["ansible/inventory.yml"]
    kernel = tree.preview(plan.build(stock, {}))
    assert kernel.baseline == ("apim",)
    assert "Product-specific settings are not included" in kernel.readme
