"""Rule 11: every Secure Vault alias a file uses is in cipher-tool.properties and
cipher-text.properties, and secret-conf.properties names the secret repository."""

from __future__ import annotations

import re

from wizard import xpath
from wizard.rules.facts import NodeFiles
from wizard.rules.findings import Report
from wizard.rules.reading import SECRET_ALIAS, SVNS, element_path


def _aliases_of(node: NodeFiles, path: str) -> list[tuple[str, str]]:
    """(element path, alias) of every svns:secretAlias in the file, in document order."""
    content = node.files[path]
    head = content[:4]
    if b"secretAlias" not in content and head[:1] == b"<" and b"\0" not in head:
        return []  # an ASCII-compatible file without the name has no such attribute
    root = node.xml(path)
    if root is None:
        return []
    found = xpath.elements(root, "descendant-or-self::*[@sv:secretAlias]", {"sv": SVNS})
    # The path selects only elements that carry the attribute.
    return [(element_path(el), el.get(SECRET_ALIAS) or "") for el in found]


def _aliases_fact(node: NodeFiles, path: str) -> list[tuple[str, str]]:
    variant = node.clustering_variant(path)
    if variant is not None:
        # Its tree is the base's but for one parameter's text, so its aliases are the
        # base's: looked up by the base's bytes, not searched for in each node's 30 KB.
        key = ("aliases", (path, variant.base.content))
        return node.shared.fact(key, lambda: _aliases_of(node, path))
    return node.fact("aliases", (path,), lambda: _aliases_of(node, path))


def check_secure_vault(node: NodeFiles, out: Report) -> None:
    aliases: list[tuple[str, str, str]] = []
    for path in sorted(node.files):
        if path.endswith(".xml"):
            found = _aliases_fact(node, path)
            aliases += ((path, element, alias) for element, alias in found)
    if not aliases and not node.info.secure_vault:
        return
    tool_path = node.conf("security/cipher-tool.properties")
    text_path = node.conf("security/cipher-text.properties")
    conf_path = node.conf("security/secret-conf.properties")
    tool = _properties(node.files.get(tool_path))
    text = _properties(node.files.get(text_path))
    conf = _properties(node.files.get(conf_path))
    for path, props in ((tool_path, tool), (text_path, text), (conf_path, conf)):
        if props is None:
            out.add(11, node.id, path, "", "is missing, but the node uses Secure Vault")
    if conf is not None and not conf.get("secretRepositories.file.location", "").strip():
        out.add(
            11,
            node.id,
            conf_path,
            "secretRepositories.file.location",
            "is not set, so Carbon finds no secret repository; run ciphertool.sh -Dconfigure",
        )
    for path, element, alias in aliases:
        if not alias.strip():
            out.add(11, node.id, path, element, "svns:secretAlias is empty")
            continue
        if tool is not None:
            line = tool.get(alias)
            if line is None:
                out.add(
                    11,
                    node.id,
                    path,
                    element,
                    f"alias '{alias}' has no line in {tool_path}, so ciphertool never encrypts it",
                )
            elif not re.fullmatch(r".+//.+,(true|false)", line.strip()):
                out.add(
                    11,
                    node.id,
                    tool_path,
                    alias,
                    f"'{line}' is not <file>//<xpath>,<true|false>",
                )
        if text is not None and alias not in text:
            out.add(
                11,
                node.id,
                path,
                element,
                f"alias '{alias}' has no line in {text_path}, so Carbon cannot resolve it",
            )


# ---- rules 12-20: registry.xml ------------------------------------------------------------


# ---- Java properties files ----------------------------------------------------------------


def _properties(content: bytes | None) -> dict[str, str] | None:
    """A Java properties file (ISO-8859-1, as Properties.load reads it) as key -> value."""
    if content is None:
        return None
    lines = content.decode("latin-1").splitlines()
    props: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i].lstrip(" \t\f")
        i += 1
        if not line or line[0] in "#!":
            continue
        # A line ending in an odd number of backslashes continues on the next one.
        while (len(line) - len(line.rstrip("\\"))) % 2 and i < len(lines):
            line = line[:-1] + lines[i].lstrip(" \t\f")
            i += 1
        key, value = _split_property(line)
        props[_unescape(key)] = _unescape(value)
    return props


def _split_property(line: str) -> tuple[str, str]:
    i = 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] in "=: \t\f":
            rest = line[i:].lstrip(" \t\f")
            if rest[:1] in ("=", ":"):
                rest = rest[1:].lstrip(" \t\f")
            return line[:i], rest
        i += 1
    return line, ""


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc.startswith("u") and len(esc) == 5:
            return chr(int(esc[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(esc, esc)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", one, text)
