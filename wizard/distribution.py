"""Where a product's stock files come from: its distribution (zip or PRODUCT_HOME), or the
built-in kernel baseline.

A zip is read in place (its central directory, then only the members asked for), never
extracted. Product and version are detected from the distribution's name, or from
`bin/version.txt` when the name says nothing, and checked against the answers.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from wizard import limits
from wizard.catalog import PRODUCTS

if TYPE_CHECKING:
    from wizard.model import Product

BASELINE_DIR = Path(__file__).resolve().parent / "baseline"
BASELINE_LABEL = "built-in Carbon 4.4.x kernel baseline (product-specific settings not included)"


def baseline_clusters(labels: Mapping[str, str]) -> tuple[str, ...]:
    """The product cluster keys of `labels` (key -> `Stock.label`) whose files are patched
    from the kernel baseline, in the mapping's order. The label is compared whole: a
    distribution's label holds its path, which may itself hold the word "baseline"."""
    return tuple(key for key, label in labels.items() if label == BASELINE_LABEL)


# A conf folder of any layout: the 4.4.x kernel's, EI 6.x's integrator, and EI 6.x's profiles.
_CONF = re.compile(r"^(?:repository/conf|conf|wso2/[^/]+/conf)/(?P<rest>.+)$")
_MARKERS = ("repository/conf/carbon.xml", "conf/carbon.xml")
# `wso2is-km-5.7.0` (IS as Key Manager) has a dash in its prefix.
_NAME = re.compile(r"^(?P<prefix>wso2[a-z]+(?:-[a-z]+)?)-(?P<version>\d+\.\d+\.\d+)(?:[.-].*)?$")
_VERSION_TXT = re.compile(r"\bv?(?P<version>\d+\.\d+\.\d+)\b")
_MAX_MEMBER = limits.STOCK_BYTES  # a stock conf file is a few hundred KiB; refuse a zip bomb


class DistributionError(Exception):
    """A distribution the operator named cannot be used; the message says why and what to do."""


class Stock(Protocol):
    label: str

    def read(self, path: str) -> bytes | None:
        """The stock file at `path` (relative to PRODUCT_HOME), or None when it has none."""
        ...


class BaselineStock:
    """The project's own kernel baseline; every conf folder layout maps onto it."""

    label = BASELINE_LABEL

    def read(self, path: str) -> bytes | None:
        m = _CONF.match(path)
        if m is None:
            return None
        return _baseline_file(m.group("rest"))


@cache
def _baseline_file(rest: str) -> bytes | None:
    file = BASELINE_DIR / "repository" / "conf" / rest
    return file.read_bytes() if file.is_file() else None


class DirectoryStock:
    """An extracted PRODUCT_HOME."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.label = f"product distribution {home}"
        self._real_home = home.resolve()

    def _inside(self, path: str) -> Path | None:
        """The regular file at `path`, resolved; None when there is none, or when a link
        leads out of PRODUCT_HOME (the operator named this folder, not what it links to)."""
        file = self.home / _safe(path)
        try:
            real = file.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop
            return None
        if not real.is_relative_to(self._real_home) or not real.is_file():
            return None
        return real

    def has(self, path: str) -> bool:
        """Whether PRODUCT_HOME holds a file at `path` (not read: a schema script can be big)."""
        return self._inside(path) is not None

    def read(self, path: str) -> bytes | None:
        real = self._inside(path)
        if real is None:
            return None
        try:
            return limits.read_capped(real, _MAX_MEMBER, regular_only=True)
        except limits.TooLarge as exc:
            raise DistributionError(
                f"{self.home / path} {exc}; a stock file is a few hundred KiB: point "
                "distribution at the product's own PRODUCT_HOME"
            ) from None
        except OSError as exc:
            raise DistributionError(
                f"cannot read {self.home / path}: {exc.strerror or exc}"
            ) from None


class ZipStock:
    """A distribution zip, read member by member."""

    def __init__(self, archive: Path) -> None:
        self.archive = archive
        self.label = f"product distribution {archive}"
        try:
            with zipfile.ZipFile(archive) as zf:
                self._members = {i.filename: i.file_size for i in zf.infolist()}
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise DistributionError(
                f"{archive} is not a readable zip ({exc}); give the product's .zip or the "
                "folder it was extracted to"
            ) from exc
        self.root = _zip_root(self._members, archive)
        self._cache: dict[str, bytes | None] = {}

    def read(self, path: str) -> bytes | None:
        if path not in self._cache:
            self._cache[path] = self._read(path)
        return self._cache[path]

    def has(self, path: str) -> bool:
        """Whether the zip holds a file at `path` (from its central directory)."""
        return f"{self.root}{_safe(path)}" in self._members

    def _read(self, path: str) -> bytes | None:
        member = f"{self.root}{_safe(path)}"
        size = self._members.get(member)
        if size is None:
            return None
        if size > _MAX_MEMBER:
            raise DistributionError(f"{self.archive}: {member} is {size} bytes; not a stock file")
        try:
            with zipfile.ZipFile(self.archive) as zf, zf.open(member) as handle:
                # Never more than the header promises plus one byte: a member that lies
                # about its size is caught at once, not after reading all it holds.
                data = handle.read(size + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise self._damaged(member, exc) from None
        except RuntimeError as exc:  # an encrypted member
            raise self._damaged(member, exc) from None
        if len(data) != size:
            raise self._damaged(member, ValueError(f"it holds other than the {size} bytes listed"))
        return data

    def _damaged(self, member: str, exc: BaseException) -> DistributionError:
        return DistributionError(
            f"{self.archive}: {member} cannot be read ({exc}); the zip is damaged: download "
            "the product distribution again, or give the folder it was extracted to"
        )


@dataclass(frozen=True)
class Detected:
    product: str | None
    """Catalog product id, when the distribution says."""
    version: str | None
    source: str
    """How it was found (for messages)."""


def open_stock(distribution: str | None) -> Stock:
    """The stock files of `distribution` (None: the kernel baseline)."""
    if not distribution:
        return BaselineStock()
    try:
        return _open_stock(_local(distribution))
    except OSError as exc:  # a name too long, a loop of links, a folder not ours to read
        raise DistributionError(
            f"{distribution} cannot be opened ({exc.strerror or exc}); give the product's "
            ".zip or PRODUCT_HOME, or leave distribution out to use the built-in kernel baseline"
        ) from None


def _local(distribution: str) -> Path:
    try:
        return Path(distribution).expanduser()
    except RuntimeError:  # ~name of no such user
        raise DistributionError(
            f"{distribution} names the home folder of an unknown user; write the full path"
        ) from None


def _open_stock(path: Path) -> Stock:
    if path.is_dir():
        return DirectoryStock(product_home(path))
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise DistributionError(
                f"{path} is neither a zip nor a folder; give the product's .zip or the folder "
                "it was extracted to (PRODUCT_HOME)"
            )
        return ZipStock(path)
    raise DistributionError(
        f"{path} does not exist; give the product's .zip or PRODUCT_HOME, or leave "
        "distribution out to use the built-in kernel baseline"
    )


def product_home(path: Path) -> Path:
    """`path` itself when it is a PRODUCT_HOME, or its only child that is one (the folder a
    zip was extracted into)."""
    if _is_home(path):
        return path
    try:
        homes = [child for child in path.iterdir() if child.is_dir() and _is_home(child)]
    except OSError as exc:
        raise DistributionError(f"cannot list {path}: {exc.strerror or exc}") from exc
    if len(homes) == 1:
        return homes[0]
    raise DistributionError(
        f"{path} is not a PRODUCT_HOME: it has no repository/conf/carbon.xml (or conf/carbon.xml "
        "for Enterprise Integrator); give the folder the product was extracted to"
    )


def detect(distribution: str, stock: Stock | None = None) -> Detected:
    """Product and version of a distribution, from its name, else from bin/version.txt.

    `stock` is the distribution already opened with `open_stock`, when the caller has it.
    """
    path = _local(distribution)
    names = [path.name.removesuffix(".zip")]
    if stock is None:
        stock = open_stock(distribution)
    if isinstance(stock, ZipStock):
        names.insert(0, stock.root.rstrip("/"))
    elif isinstance(stock, DirectoryStock):
        names.insert(0, stock.home.name)
    for name in names:
        m = _NAME.match(name)
        if m:
            product = _product_of_prefix(m.group("prefix"))
            if product:
                return Detected(product, m.group("version"), f"the name {name}")
    version_txt = stock.read("bin/version.txt")
    if version_txt:
        text = version_txt.decode("utf-8", "replace")
        m = _VERSION_TXT.search(text)
        # Longest label first: "Identity Server as Key Manager" before "Identity Server".
        labels = sorted(PRODUCTS.values(), key=lambda p: -len(p.label))
        product = next((p.id for p in labels if p.label.lower() in text.lower()), None)
        return Detected(product, m.group("version") if m else None, "bin/version.txt")
    return Detected(None, None, "nothing (no wso2<product>-<version> name, no bin/version.txt)")


def missing_scripts(
    manifest: Mapping[str, Any], product_key: str, stock: Stock
) -> dict[str, list[str]]:
    """Database key -> the schema scripts manifest.json tells the operator to run from the
    PRODUCT_HOME of `product_key` (its `scripts_from`) that `stock` does not hold. Empty for
    the kernel baseline, which is no distribution. The same check as `generate` makes, for a
    written tree's manifest and any distribution (zip or PRODUCT_HOME) of that product."""
    has = getattr(stock, "has", None)
    if has is None:
        return {}
    missing: dict[str, list[str]] = {}
    databases = manifest.get("databases")
    for entry in databases if isinstance(databases, list) else []:
        if not isinstance(entry, Mapping) or product_key not in (entry.get("scripts_from") or []):
            continue
        scripts = entry.get("schema_scripts") or []
        lacking = [s for s in scripts if isinstance(s, str) and not has(s)]
        if lacking:
            missing[str(entry.get("key"))] = lacking
    return missing


def check_matches(product: Product, detected: Detected, path: str) -> str | None:
    """Why the distribution does not fit the answers' product, or None when it does."""
    spec = PRODUCTS[product.id]
    if detected.product is not None and detected.product != product.id:
        found = PRODUCTS[detected.product].label
        if detected.version:
            found += f" {detected.version}"
        return (
            f"the distribution is {found} (from {detected.source}), but the product is "
            f"{spec.label}; fix id or the distribution path"
        )
    if detected.version is not None and detected.version != product.version:
        return (
            f"the distribution is version {detected.version} (from {detected.source}), "
            f'but the answers say {product.version}; set version = "{detected.version}" '
            "or point at the right distribution"
        )
    return None


def _product_of_prefix(prefix: str) -> str | None:
    for p in PRODUCTS.values():
        if p.archive_prefix == prefix:
            return p.id
    return None


def _is_home(path: Path) -> bool:
    return any((path / marker).is_file() for marker in _MARKERS)


def _zip_root(members: dict[str, int], archive: Path) -> str:
    """The folder inside the zip that is PRODUCT_HOME (`wso2am-2.6.0/`), or '' for a flat zip."""
    roots = sorted(
        {
            name[: -len(marker)]
            for name in members
            for marker in _MARKERS
            if name.endswith(marker) and name[: -len(marker)].count("/") <= 1
        },
        key=len,
    )
    # EI's conf/carbon.xml also matches repository/conf/... suffixes of deeper homes: the
    # shortest root is PRODUCT_HOME.
    if not roots:
        raise DistributionError(
            f"{archive} holds no repository/conf/carbon.xml (nor conf/carbon.xml); it is not a "
            "WSO2 Carbon product distribution"
        )
    return roots[0]


def _safe(path: str) -> str:
    """A relative path that cannot leave PRODUCT_HOME."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        raise ValueError(f"stock path {path!r} must stay inside PRODUCT_HOME")
    return pure.as_posix()
