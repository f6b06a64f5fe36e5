"""Which files hold a secret, and the same text with every secret value masked.

Read from the text, not from the plan: a drift report shows what a node has, and a node may
hold a password the plan never knew (a keystore password typed by hand). A value is a secret
where WSO2's files put one: an element or property whose name ends in password / pass /
passwd / secret (`<password>`, `<Property name="ConnectionPassword">`, `keystorePass="…"`,
`…Configuration.Password=` in Secure Vault's cipher-text.properties), and a JDBC URL's
password parameter. Masking errs on the side of hiding.
"""

from __future__ import annotations

import re
from functools import lru_cache

MASK = "********"

_NAME = r"(?:password|passwd|pass|pwd|secret)"
_TEXT = r"([^<]*[^<\s][^<]*)(?=</)"
_XML = (
    # <password>x</password>, <KeyPassword>x</KeyPassword>, <svns:x.password ...>x</...>
    re.compile(rf"(<(?:[\w.-]+:)?[\w.-]*{_NAME}(?:\s[^>]*)?>){_TEXT}", re.I),
    # <Property name="ConnectionPassword">x</Property>
    re.compile(rf"""(<[\w.:-]+\s[^>]*?\bname\s*=\s*["'][^"']*{_NAME}["'][^>]*>){_TEXT}""", re.I),
    # keystorePass="x", password='x'
    re.compile(rf"""(\s[\w.:-]*{_NAME}\s*=\s*["'])([^"']+)(?=["'])""", re.I),
    # ...?user=x&password=y in a JDBC URL
    re.compile(rf"([?&;]{_NAME}=)([^&;<\"'\s]+)", re.I),
)
_PROPERTIES = (
    # x.Password=value in .properties files
    re.compile(rf"^(\s*[^#!\s=:][^=:\s]*{_NAME}\s*[=:][ \t]*)(\S[^\r\n]*)", re.I | re.M),
)
_PATTERNS = _XML + _PROPERTIES
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_WORD = re.compile(r"[A-Za-z]{0,12}|\$\{[^}]*\}")
"""Values not scrubbed outside their element: a short plain word (`admin`, `password`,
`true`) or a `${variable}` would mask element names and ordinary text, hiding more than
it protects; they are still masked where they stand as a value."""


def text_of(content: bytes) -> str:
    # Latin-1 maps every byte: a file in any encoding is read without an error.
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


@lru_cache(maxsize=512)  # the preview renders the same files again after each edit
def holds_secret(content: bytes, name: str = "") -> bool:
    """Whether the file (named `name`) has a secret value outside its comments (a stock
    file's commented example is not one). Masking tries every pattern on every file; this
    tries only the patterns of the file's kind, as it runs on every generated file kind."""
    if name.endswith(".properties"):
        return any(p.search(text_of(content)) for p in _PROPERTIES)
    text = _COMMENT.sub("", text_of(content))
    patterns = _XML if name.endswith(".xml") else _PATTERNS
    return any(p.search(text) for p in patterns)


def secret_values(text: str) -> set[str]:
    return {m.group(2).strip() for p in _PATTERNS for m in p.finditer(text)}


def redact(text: str, also: set[str] | frozenset[str] = frozenset()) -> str:
    """`text` with each secret value masked where it stands, and each value of `also`
    (secrets read from the planned files: a password pasted into a comment by hand)
    wherever it appears."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    for value in sorted(also, key=len, reverse=True):
        if not _WORD.fullmatch(value) and value != MASK:
            text = text.replace(value, MASK)
    return text
