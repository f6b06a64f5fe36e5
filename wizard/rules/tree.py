"""Reading a written tree: its files from disk into memory, and manifest.json (which node
folder is which product, on which host, with which conf dir) into `Manifest` (rule 0)."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from wizard import catalog, limits
from wizard.names import is_safe_name
from wizard.rules.findings import Report
from wizard.rules.reading import MANIFEST

FILE_MODE = 0o600
SCRIPT_MODE = 0o700
DIR_MODE = 0o700
"""What the tree's files and folders are written with: it holds database passwords."""
TOO_LARGE = "\0size"
"""Suffix of a `modes` entry that records, instead of a mode, the size of a file too large to
read (no path holds a NUL, so it cannot clash with a file's own entry)."""


def read_tree(root: Path, modes: dict[str, int] | None = None) -> dict[str, bytes]:
    """Every regular file under `root` (tree-relative POSIX path -> bytes). With `modes`,
    each folder's (path ending in '/') and file's permission bits are recorded there too, and
    the size of each file too large to read (path + TOO_LARGE)."""
    root = root.resolve()
    files: dict[str, bytes] = {}
    if modes is not None:
        with contextlib.suppress(OSError):
            modes[""] = stat.S_IMODE(os.stat(root).st_mode)
    _read_dir(str(root), "", root, files, modes)
    return files


def mode_findings(modes: Mapping[str, int], out: Report) -> None:
    """Rule 0: files 0600 (a `.sh` script 0700) and folders 0700, as they were written; a
    group or other bit lets another user of the machine read the passwords."""
    for path, mode in sorted(modes.items()):
        if path.endswith(TOO_LARGE):
            size = limits.too_big(mode, limits.TREE_FILE_BYTES)
            out.add(0, "", path.removesuffix(TOO_LARGE), "", f"{size}: not read")
            continue
        if path == "" or path.endswith("/"):
            wanted, what = DIR_MODE, "folder"
        else:
            # What `collect` fetched into deployed/ are copies to read, not to run: 0600.
            script = path.endswith(".sh") and not path.startswith("deployed/")
            wanted, what = (SCRIPT_MODE, "script") if script else (FILE_MODE, "file")
        if mode != wanted:
            shown = path.rstrip("/") or "."
            out.add(
                0,
                "",
                shown,
                "mode",
                f"{what} mode is {mode:04o}, not {wanted:04o}: the tree holds passwords; "
                f"chmod {wanted:o} {shown}",
            )


def _read_dir(
    directory: str,
    prefix: str,
    root: Path,
    files: dict[str, bytes],
    modes: dict[str, int] | None = None,
) -> None:
    """What `os.walk` would list, in its order, without a stat per file: a tree of a
    thousand nodes has thousands of files, and the dirent type says which are plain."""
    try:
        with os.scandir(directory) as listing:
            entries = list(listing)
    except OSError:
        return
    subdirs = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not entry.is_symlink():  # never descends into linked dirs
                subdirs.append(entry)
                if modes is not None:
                    with contextlib.suppress(OSError):
                        info = entry.stat(follow_symlinks=False)
                        modes[f"{prefix}{entry.name}/"] = stat.S_IMODE(info.st_mode)
            continue
        try:
            if entry.is_symlink():
                # A link may point anywhere; only what stays inside the tree is read.
                real = Path(entry.path).resolve()
                if not real.is_relative_to(root) or not stat.S_ISREG(os.stat(real).st_mode):
                    continue
                target = str(real)
            elif entry.is_file(follow_symlinks=False):
                target = entry.path
            else:
                continue  # fifos, sockets, devices: reading one could block or mislead
            with open(target, "rb", buffering=0) as handle:
                info = os.fstat(handle.fileno())
                if modes is not None and target is entry.path:  # a link's target is not ours
                    modes[prefix + entry.name] = stat.S_IMODE(info.st_mode)
                if info.st_size > limits.TREE_FILE_BYTES:
                    # Never read whole: the rules report it (missing, or not the tree's).
                    if modes is not None:
                        modes[prefix + entry.name + TOO_LARGE] = info.st_size
                    continue
                files[prefix + entry.name] = handle.read(limits.TREE_FILE_BYTES + 1)
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop
            continue  # unreadable: the rules then report the file as missing
    for entry in subdirs:
        _read_dir(entry.path, f"{prefix}{entry.name}/", root, files, modes)


@dataclass(frozen=True)
class NodeInfo:
    """What the manifest says about one node (guessed from its files when it says nothing)."""

    id: str
    product: str | None
    cluster: str | None
    """Product cluster key (`apim`, `ei-broker`); None when unknown."""
    host: str | None
    conf_dir: str
    lib_dir: str
    driver_jars: bool
    secure_vault: bool
    listed_files: tuple[str, ...] = ()
    load_balancer: str | None = None
    """`host:port` of the node's product cluster's load balancer (rules 35, 36)."""
    offset: int | None = None
    """The manifest's port offset; the rules read carbon.xml's first, which the node obeys."""


@dataclass(frozen=True)
class Manifest:
    present: bool
    layout: str | None
    nodes: tuple[NodeInfo, ...]


def manifest_data(raw: bytes) -> Any:
    """manifest.json's JSON, within the size and depth bounds; ValueError says why not."""
    if len(raw) > limits.MANIFEST_BYTES:
        raise ValueError(limits.too_big(len(raw), limits.MANIFEST_BYTES))
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"is not JSON ({exc})") from None
    except RecursionError:
        raise ValueError(f"nests objects or lists more than {limits.DEPTH} deep") from None
    deep = limits.depth_problem(data)
    if deep is not None:
        raise ValueError(deep)
    return data


def load_manifest(files: Mapping[str, bytes], out: Report) -> Manifest:
    absent = Manifest(False, None, ())
    raw = files.get(MANIFEST)
    if raw is None:
        out.add(
            0,
            "",
            MANIFEST,
            "",
            "no manifest.json: the nodes' products and hosts are unknown, so the rules that "
            "compare the nodes of a product or of a host were skipped; regenerate the tree",
        )
        return absent
    try:
        data = manifest_data(raw)
    except ValueError as exc:
        out.add(0, "", MANIFEST, "", f"manifest.json {exc}; regenerate the tree")
        return absent
    if not isinstance(data, dict):
        out.add(0, "", MANIFEST, "", "manifest.json is not a JSON object; regenerate the tree")
        return absent
    if data.get("schema_version") != 1:
        out.add(
            0,
            "",
            MANIFEST,
            "schema_version",
            f"schema_version {data.get('schema_version')!r} is not 1, the version this "
            "checker reads",
        )
    layout = data.get("layout")
    if layout not in ("shared", "split"):
        layout = _layout_from_databases(data.get("databases"))
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, list):
        out.add(0, "", MANIFEST, "nodes", "manifest.json has no list of nodes")
        return Manifest(True, layout, ())
    vault = data.get("secure_vault") is True
    jars = data.get("driver_jars") is True
    nodes: list[NodeInfo] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw_nodes, start=1):
        where = f"nodes[{i}]"
        if not isinstance(entry, dict):
            out.add(0, "", MANIFEST, where, "a node entry is not a JSON object")
            continue
        node_id = entry.get("id")
        if not isinstance(node_id, str) or not _safe_node_id(node_id):
            out.add(0, "", MANIFEST, f"{where}/id", f"{node_id!r} is not a node folder name")
            continue
        if node_id in seen:
            out.add(0, "", MANIFEST, f"nodes[id='{node_id}']", f"node '{node_id}' is listed twice")
            continue
        seen.add(node_id)
        nodes.append(_node_info(node_id, entry, vault, jars))
    return Manifest(True, layout, tuple(nodes))


def _layout_from_databases(databases: object) -> str | None:
    if not isinstance(databases, list):
        return None
    roles = {d.get("role") for d in databases if isinstance(d, dict)}
    if "registry" in roles:
        return "shared"
    if "governance" in roles:
        return "split"
    return None


def _safe_node_id(node_id: str) -> bool:
    # The model's own definition: a manifest is read with no looser rule than answers are.
    return is_safe_name(node_id)


def _node_info(node_id: str, entry: Mapping[str, Any], vault: bool, jars: bool) -> NodeInfo:
    product = _str(entry.get("product"))
    profile = _str(entry.get("profile"))
    conf_dir, lib_dir = _product_dirs(product, profile)
    offset = entry.get("offset")
    listed = entry.get("files")
    paths = tuple(
        f["path"]
        for f in (listed if isinstance(listed, list) else [])
        if isinstance(f, dict) and isinstance(f.get("path"), str)
    )
    return NodeInfo(
        id=node_id,
        product=product,
        cluster=_str(entry.get("product_key")) or product,
        host=_str(entry.get("host")),
        conf_dir=(_str(entry.get("conf_dir")) or conf_dir).strip("/"),
        lib_dir=(_str(entry.get("lib_dir")) or lib_dir).strip("/"),
        driver_jars=jars or entry.get("driver_jars") is True,
        secure_vault=vault or entry.get("secure_vault") is True,
        listed_files=paths,
        load_balancer=_str(entry.get("load_balancer")),
        offset=offset if isinstance(offset, int) and not isinstance(offset, bool) else None,
    )


@lru_cache(maxsize=64)
def _product_dirs(product: str | None, profile: str | None) -> tuple[str, str]:
    spec = catalog.PRODUCTS.get(product or "")
    if spec is not None:
        try:
            chosen = spec.profile(profile if profile and profile != "default" else None)
            return chosen.conf_dir, chosen.lib_dir
        except KeyError:
            pass
    return "repository/conf", "repository/components/lib"


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
