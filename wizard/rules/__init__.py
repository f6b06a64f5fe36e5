"""The WSO2 rules (reference §8) over a written tree.

`check_files` is the one checker: it reads a tree held in memory (tree-relative POSIX path ->
bytes), with `manifest.json` saying which node folder is which product, on which host, with
which conf dir. `check_tree` only reads a directory into that form. Rule numbers are the
reference's; rule 0 is the tree itself (manifest, node folders, required files).

Not checked here, and why:
- 21 (the stock registry.xml's non-mount content is kept) needs the stock file, which the tree
  does not carry; the registry patcher's tests compare against it.
- 27 and 28 are about the databases' contents; `check-databases.sh` and `probe` look at those.
  Given a distribution (`check --distribution`), 28 checks what it can from files: that the
  scripts manifest.json names are in it (`scripts`).
- 26 is checked only for the product files a tree happens to carry (api-manager.xml,
  identity/identity.xml, consent-mgt-config.xml); the wizard does not write them.

The checker is deliberately independent of the renderers: it re-derives everything from the
files, so a renderer bug is not shared by the check that is meant to catch it.

This module runs the rules in order; the package's modules hold:
- reading a tree: `tree` (files, manifest.json), `facts` (`NodeFiles`), `models` (what a
  parsed file says), `shared` (caches by content), `fastpath` (axis2.xml variants),
  `reading` (names and small readers), `findings` (`Finding`, `RULE_TITLES`);
- the rules per node: `datasources` (1-5, 8, 9), `jdbc` (6, 7, 10), `vault` (11),
  `registry` (12-20), `usermgt` (23-26), `carbon_axis2` (29, 30), `ei` (31);
- across nodes: `across` (9, 18-20, 22, 23, 29, 30, 38), `products` (32-34), `fronts`
  (35, 36), `databases` (37), `scripts` (28, with a distribution) and `readme` (39).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from wizard.rules import databases, fronts, products, readme, scripts
from wizard.rules.across import check_across
from wizard.rules.carbon_axis2 import check_axis2_xml, check_carbon_xml
from wizard.rules.datasources import check_datasources, check_local_database
from wizard.rules.ei import check_ei_layout
from wizard.rules.facts import NodeFiles, node_folders
from wizard.rules.findings import RULE_TITLES, Finding, Report
from wizard.rules.jdbc import check_driver_jars
from wizard.rules.reading import MANIFEST, MASTER_DATASOURCES
from wizard.rules.registry import check_registry
from wizard.rules.shared import Shared
from wizard.rules.tree import Manifest, load_manifest, mode_findings, read_tree
from wizard.rules.usermgt import check_product_files, check_user_mgt
from wizard.rules.vault import check_secure_vault

__all__ = ["RULE_TITLES", "Distribution", "Finding", "check_files", "check_tree"]

Distribution = scripts.Distribution


def check_tree(path: Path, distributions: Sequence[Distribution] = ()) -> list[Finding]:
    """Every regular file under `path`, read into memory and checked by `check_files`; and
    the modes of the files and folders as they lie on disk (rule 0)."""
    modes: dict[str, int] = {}
    findings = check_files(read_tree(Path(path), modes), distributions)
    report = Report()
    mode_findings(modes, report)
    return sorted(findings + report.findings, key=lambda f: (f.node, f.file, f.rule))


def check_files(
    files: Mapping[str, bytes], distributions: Sequence[Distribution] = ()
) -> list[Finding]:
    """The rules over a tree held in memory; keys are tree-relative POSIX paths. With
    `distributions` (`scripts.open_distribution`), the scripts manifest.json names are looked
    for in them too (rule 28); one of no product of the tree raises DistributionError."""
    out = Report()
    manifest = load_manifest(files, out)
    shared = Shared()
    nodes = node_folders(files, manifest, out, shared)
    for node in nodes:
        _check_node(node, manifest, out, shared)
        node.release()
    check_across(nodes, out)
    products.check_across(nodes, out)
    fronts.check_across(nodes, out)
    # manifest.json's databases say which product databases a cluster shares (rule 37).
    databases.check(nodes, files.get(MANIFEST), out)
    out.findings += readme.check(files.get(readme.README), files.keys())
    out.findings += scripts.check(files, distributions)
    return sorted(out.findings, key=lambda f: (f.node, f.file, f.rule))


def _check_node(node: NodeFiles, manifest: Manifest, out: Report, shared: Shared) -> None:
    _check_required_files(node, out)
    for path in sorted(node.files):
        if path.endswith(".xml"):
            node.load(path)
    for path, error in node.parse_errors.items():
        out.add(1, node.id, path, "", f"does not parse as XML: {error}")
    # The checks of files a product cluster's nodes share run once per distinct content.
    key = node.shared_key(manifest.layout)
    shared.run(
        ("datasources", *key),
        node,
        out,
        (check_datasources, check_local_database, check_driver_jars),
    )
    check_secure_vault(node, out)

    def registry(n: NodeFiles, o: Report) -> None:
        check_registry(n, manifest.layout, o)

    shared.run(("registry", *key), node, out, (registry, check_user_mgt, check_product_files))
    carbon = node.conf("carbon.xml")
    shared.run(("carbon", carbon, node.files.get(carbon)), node, out, (check_carbon_xml,))
    check_axis2_xml(node, out)
    check_ei_layout(node, out)
    products.check_node(node, manifest, out)
    fronts.check_node(node, manifest, out)


def _check_required_files(node: NodeFiles, out: Report) -> None:
    """Rule 0 for one node: the files every node needs, and those the manifest lists."""
    required = [node.conf(p) for p in ("registry.xml", "user-mgt.xml", MASTER_DATASOURCES)]
    for path in dict.fromkeys([*required, *node.info.listed_files]):
        if path not in node.files:
            why = "every node needs it" if path in required else "manifest.json lists it"
            out.add(0, node.id, path, "", f"is missing ({why})")
