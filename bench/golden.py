"""Every byte the wizard produces, written to one folder, for comparing before and after a refactor.

    python -m bench.golden OUT [--upstream DIR]

For every preset (with and without the real stock files of `--upstream`, when given) and a
1 000-node estate: the built tree, the preview tree, every diff, and the findings of `check`
on the tree. Run it before a change and after it, then `diff -r BEFORE AFTER`: a refactor
that means to change nothing an operator sees must leave no difference.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from bench.topology import estate
from wizard import answers, locations, plan, presets, rules, tree

# Where each product's stock files are in the upstream folder, as PRODUCT_HOMEs.
_HOMES = {  # upstream folder per product id
    "apim": "apim-2.6.0",
    "is": "is-5.7.0",
    "is-km": "is-km-5.7.0",
    "bps": "bps-3.6.0",
    "ei": "ei-6.4.0",
}
_ENV = {"WSO2_GOLDEN_PASSWORD": "golden-secret"}


def _with_passwords(data: dict[str, Any]) -> dict[str, Any]:
    """Presets read passwords from variables; give every variable one value."""
    out = copy.deepcopy(data)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if "password_env" in node:
                _ENV.setdefault(node["password_env"], "golden-secret")
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(out)
    return out


def _homes(upstream: Path, where: Path) -> dict[str, Path]:
    """PRODUCT_HOMEs built as the tests build them: the kernel's files, the product's over them."""
    from tests import is_pack

    homes = {"is": is_pack.is_home(where), "is-km": is_pack.is_km_home(where)}
    for pid in ("apim", "bps"):
        home = where / pid
        is_pack.overlay(home, upstream / "carbon-kernel-4.4.x")
        is_pack.overlay(home, upstream / _HOMES[pid])
        homes[pid] = home
    # EI keeps the integrator profile's files in conf/, not repository/conf/.
    is_pack.overlay(where / "ei/conf", upstream / "carbon-kernel-4.4.x/repository/conf")
    is_pack.overlay(where / "ei", upstream / _HOMES["ei"])
    homes["ei"] = where / "ei"
    return homes


def _with_distributions(data: dict[str, Any], homes: dict[str, Path]) -> dict[str, Any] | None:
    out = copy.deepcopy(data)
    used = False
    for product in out.get("products", []):
        home = homes.get(product.get("id", ""))
        if home is not None:
            product["distribution"] = str(home)
            used = True
    return out if used else None


def _dump(name: str, data: dict[str, Any], out: Path) -> None:
    topology = answers.parse(data)
    planned = plan.build(topology, _ENV)
    built = tree.build(planned)
    root = out / name
    for rel, content in built.files.items():
        target = root / "tree" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    previewed, diffs = tree.review(planned)
    for rel, content in previewed.files.items():
        target = root / "preview" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    (root / "diffs.txt").write_text(
        "".join(f"== {d.node} {d.path}\n{d.diff}\n" for d in diffs), encoding="utf-8"
    )
    findings = rules.check_tree(_private(root / "tree"))
    (root / "findings.txt").write_text("".join(f"{f}\n" for f in findings), encoding="utf-8")
    # And what `check` says of a damaged copy: in the first node's files, each first
    # datasource name (or URL) changed, so that most rule families find something.
    damaged = root / "damaged"
    first = next(iter(built.node_files))
    for rel, content in built.files.items():
        if rel.startswith(f"nodes/{first}/"):
            content = content.replace(b"jdbc/", b"jdbc/x", 1).replace(b"jdbc:", b"jdbc:x", 1)
        target = damaged / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    findings = rules.check_tree(_private(damaged))
    (root / "damaged.txt").write_text("".join(f"{f}\n" for f in findings), encoding="utf-8")
    (root / "meta.json").write_text(
        json.dumps(
            {"readme": built.readme, "executables": sorted(built.executables)},
            indent=1,
        ),
        encoding="utf-8",
    )


def _private(tree: Path) -> Path:
    """The modes `generate` writes (files 0600, scripts and folders 0700), which `check`
    verifies: the findings are then about the files' contents only."""
    for folder, _dirs, files in os.walk(tree):
        os.chmod(folder, 0o700)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o700 if name.endswith(".sh") else 0o600)
    return tree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.golden")
    parser.add_argument("out", type=Path)
    parser.add_argument("--upstream", type=Path)
    args = parser.parse_args(argv)
    dirs = locations.preset_dirs()
    # One place for the built homes, whatever OUT is: their paths are in topology.toml.
    where = Path(tempfile.gettempdir()) / "carbon-wizard-golden-homes"
    shutil.rmtree(where, ignore_errors=True)
    homes = _homes(args.upstream, where) if args.upstream else {}
    for info in presets.list_presets(dirs):
        data = _with_passwords(tomllib.loads(info.path.read_text(encoding="utf-8")))
        _dump(info.name, data, args.out)
        if args.upstream:
            with_stock = _with_distributions(data, homes)
            if with_stock is not None:
                _dump(f"{info.name}+stock", with_stock, args.out)
    _dump("estate-1000", estate(1000), args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
