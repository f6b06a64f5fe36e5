"""Files hashed from a shared head's hash state get the digest of their whole bytes."""

from __future__ import annotations

import hashlib

from wizard.tree import _HeadHashes


def test_every_digest_is_the_whole_files() -> None:
    head = b"<axis2>" + b"x" * 5000
    other = b"<axis2>" + b"y" * 5000  # a head of the same length, other bytes
    contents = [
        head + b'<parameter name="localMemberHost">10.0.0.1</parameter>',
        head + b'<parameter name="localMemberHost">10.0.0.2</parameter>',
        other + b'<parameter name="localMemberHost">10.0.0.1</parameter>',
        head + b'<parameter name="localMemberHost">10.0.0.3</parameter>',
        b'short <parameter name="localMemberHost"/>',
        b"no mark at all" * 1000,
    ]
    heads = _HeadHashes()
    for content in contents:
        assert heads.sha(content) == hashlib.sha256(content).hexdigest()
