"""Identity Server 5.7.0 and IS as Key Manager 5.7.0 files, built as WSO2's builds build them.

No repository holds the packs' user-mgt.xml: IS 5.7.0's build makes it from the kernel 4.4.35
file with eight Ant `replace` tasks (token replaces, every occurrence), and the IS-as-KM build
re-enables the JDBC store and comments out the LDAP one by hand. The helpers below repeat
those steps on the real upstream inputs (see ../shared/upstream/is-5.7.0/SOURCES.md section 4
and ../shared/upstream/is-km-5.7.0/SOURCES.md); a test using them is skipped, saying why,
when ../shared/upstream is absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.upstream import need_upstream, upstream

KERNEL_4_4_35_USER_MGT = "is-5.7.0/build-inputs/carbon-kernel-v4.4.35/user-mgt.xml"
IS_IDENTITY = "is-5.7.0/repository/conf/identity/identity.xml"

JDBC_OPEN = b'<UserStoreManager class="org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager">'
LDAP_OPEN = (
    b'<UserStoreManager class="org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager">'
)

IS_USER_MGT_EDITS: tuple[tuple[bytes, bytes], ...] = (
    # 1, 2: the kernel's active JDBC store is commented out.
    (b"<UserStoreManager", b"<!--UserStoreManager"),
    (b"</UserStoreManager>", b"</UserStoreManager-->"),
    # 3, 4: Identity Server's ReadWriteLDAP store on the embedded LDAP is activated.
    (b"<!--ISUserStoreManager", b"<UserStoreManager"),
    (b"</ISUserStoreManager-->", b"</UserStoreManager>"),
    # 5: matches nothing in 4.4.35 (its value there is false), so its replacement never lands.
    (
        b'<Property name="GetAllRolesOfUserEnabled">true</Property>',
        b'<!--Property name="GetAllRolesOfUserEnabled">true</Property-->',
    ),
    (
        b'<Property name="IsBulkImportSupported">true</Property>',
        b'<Property name="IsBulkImportSupported">false</Property>',
    ),
    (
        b'<Property name="CaseInsensitiveUsername">true</Property>',
        b'<Property name="CaseInsensitiveUsername">false</Property>',
    ),
    # 8: one-space indentation, as every WSO2 copy of the built file shows.
    (
        b'<Property name="isCascadeDeleteEnabled">true</Property>',
        b'<Property name="isCascadeDeleteEnabled">true</Property>\n'
        b' <Property name="initializeNewClaimManager">true</Property>',
    ),
)
"""IS 5.7.0's distribution pom (product-is v5.7.0, lines 230-246), in order."""


def ant_replace(data: bytes, edits: tuple[tuple[bytes, bytes], ...]) -> bytes:
    """Ant `replace` tasks one after another: each replaces every occurrence of its token."""
    for token, value in edits:
        data = data.replace(token, value)
    return data


def is_user_mgt() -> bytes:
    """IS 5.7.0's repository/conf/user-mgt.xml: kernel 4.4.35's plus the build's eight edits."""
    return ant_replace(upstream(KERNEL_4_4_35_USER_MGT), IS_USER_MGT_EDITS)


def is_km_user_mgt() -> bytes:
    """IS as Key Manager 5.7.0's user-mgt.xml: IS's with the JDBC store re-enabled and the
    ReadWriteLDAP store commented out (the build's manual step 1)."""
    data = toggle_block(is_user_mgt(), b"<!--" + JDBC_OPEN[1:], uncomment=True)
    return toggle_block(data, LDAP_OPEN, uncomment=False)


def is_identity_xml() -> bytes:
    """IS 5.7.0's identity.xml: the feature's file with EnableAskPasswordAdminUI true."""
    return _replace_once(
        upstream(IS_IDENTITY),
        b"<EnableAskPasswordAdminUI>false</EnableAskPasswordAdminUI>",
        b"<EnableAskPasswordAdminUI>true</EnableAskPasswordAdminUI>",
    )


def is_km_identity_xml() -> bytes:
    """IS-as-KM's identity.xml as far as its datasource goes (build step 4's replacement):
    JDBCPersistenceManager's DataSource on jdbc/WSO2AM_DB."""
    data = is_identity_xml()
    start = data.index(b"<JDBCPersistenceManager>")
    end = data.index(b"</JDBCPersistenceManager>", start)
    section = _replace_once(
        data[start:end], b"<Name>jdbc/WSO2CarbonDB</Name>", b"<Name>jdbc/WSO2AM_DB</Name>"
    )
    return data[:start] + section + data[end:]


def is_home(tmp_path: Path) -> Path:
    """wso2is-5.7.0: the kernel's files with Identity Server's own over them, and the built
    user-mgt.xml and identity.xml."""
    up = need_upstream()
    home = tmp_path / "wso2is-5.7.0"
    overlay(home, up / "carbon-kernel-4.4.x")
    overlay(home, up / "is-5.7.0")
    _write(home / "repository/conf/user-mgt.xml", is_user_mgt())
    _write(home / "repository/conf/identity/identity.xml", is_identity_xml())
    return home


def is_km_home(tmp_path: Path) -> Path:
    """wso2is-km-5.7.0: IS 5.7.0's files, then the API-M core feature's api-manager.xml and
    master-datasources.xml (consent-mgt-config.xml stays IS's), and the KM build's
    user-mgt.xml and identity.xml."""
    up = need_upstream()
    home = tmp_path / "wso2is-km-5.7.0"
    overlay(home, up / "carbon-kernel-4.4.x")
    overlay(home, up / "is-5.7.0")
    overlay(home, up / "is-km-5.7.0")
    _write(home / "repository/conf/user-mgt.xml", is_km_user_mgt())
    _write(home / "repository/conf/identity/identity.xml", is_km_identity_xml())
    return home


def overlay(target: Path, source: Path) -> None:
    """Copy the pack files of `source` (not its notes, not its build inputs) over `target`."""
    for file in source.rglob("*"):
        if file.is_file() and "SOURCES" not in file.name and "build-inputs" not in file.parts:
            dest = target / file.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, dest)


def toggle_block(data: bytes, opening: bytes, uncomment: bool) -> bytes:
    """The one store block starting with `opening`, (un)commented by hand: only the first `<`
    and the last `>` of the element change."""
    assert data.count(opening) == 1, opening
    start = data.index(opening)
    closing = b"</UserStoreManager-->" if uncomment else b"</UserStoreManager>"
    end = data.index(closing, start) + len(closing)
    if uncomment:
        block = b"<" + data[start + 4 : end - 3] + b">"
    else:
        block = b"<!--" + data[start + 1 : end - 1] + b"-->"
    return data[:start] + block + data[end:]


def _replace_once(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1, old
    return data.replace(old, new)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
