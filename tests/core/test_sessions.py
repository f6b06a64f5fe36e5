"""Sessions: private atomic files, quarantine of damaged ones, locks, migration, passwords."""

from __future__ import annotations

import copy
import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.answers_fixtures import SHARED
from wizard import sessions
from wizard.problems import AnswersError
from wizard.sessions import Session, SessionInUse, SessionTooNew

SECRET = "Zq9-distinctive-PW-4471"


def answers_with_secret() -> dict[str, Any]:
    data = copy.deepcopy(SHARED)
    data["database"]["registry"]["password"] = SECRET
    data["products"][0]["databases"]["WSO2AM_DB"]["password"] = SECRET + "-am"
    return data


@pytest.fixture
def sdir(tmp_path: Path) -> Path:
    return tmp_path / "home" / "sessions"


def test_round_trip(sdir: Path) -> None:
    session = sessions.new_session("apim prod", copy.deepcopy(SHARED), "nodes", dir=sdir)
    assert sessions.check_id(session.id).startswith("apim-prod-")
    loaded = sessions.load(session.id, dir=sdir)
    assert (loaded.id, loaded.name, loaded.step) == (session.id, "apim prod", "nodes")
    assert loaded.created == session.created and loaded.updated == session.updated
    data = json.loads((sdir / f"{session.id}.json").read_text())
    assert data["schema_version"] == 1
    assert set(data) >= {"id", "name", "created", "updated", "step", "answers", "keep_passwords"}
    assert data["created"].endswith("Z")
    # Passwords are gone from the stored answers; everything else is as given.
    expected, dropped = sessions.strip_passwords(SHARED)
    assert loaded.answers == expected
    assert loaded.dropped_passwords == dropped
    assert "database.registry.password" in dropped


def test_save_skips_unchanged_and_keeps_memory_passwords(sdir: Path) -> None:
    session = sessions.new_session("p", answers_with_secret(), "start", dir=sdir)
    assert sessions.save(session, dir=sdir) is False  # nothing changed: no write
    assert session.answers["database"]["registry"]["password"] == SECRET
    session.step = "products"
    assert sessions.save(session, dir=sdir) is True
    assert sessions.load(session.id, dir=sdir).step == "products"


def test_list_newest_first(sdir: Path) -> None:
    first = sessions.new_session("first", {}, dir=sdir)
    second = sessions.new_session("second", {"products": []}, dir=sdir)
    third = sessions.new_session("third", copy.deepcopy(SHARED), "database", dir=sdir)
    assert [e.id for e in sessions.list_sessions(sdir)] == [third.id, second.id, first.id]
    first.step = "products"
    sessions.save(first, dir=sdir)
    listed = sessions.list_sessions(sdir)
    assert [e.id for e in listed] == [first.id, third.id, second.id]
    entry = next(e for e in listed if e.id == third.id)
    assert (entry.name, entry.step) == ("third", "database")
    assert entry.products == "apim 2.6.0 ×2, is 5.7.0 ×1"
    assert listed.damaged == []
    assert sessions.latest(sdir).id == first.id  # type: ignore[union-attr]
    table = sessions.format_list(listed)
    assert third.id in table and "apim 2.6.0 ×2" in table


def _count_calls(monkeypatch: pytest.MonkeyPatch, name: str, action: Any) -> int:
    calls = 0
    real = getattr(os, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(os, name, counting)
        action()
    return calls


@pytest.mark.parametrize("name", ["open", "write", "fsync", "close", "chmod", "replace"])
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt])
def test_failed_save_leaves_previous_version(
    sdir: Path, monkeypatch: pytest.MonkeyPatch, name: str, error: BaseException
) -> None:
    session = sessions.new_session("atomic", {"name": "v1"}, dir=sdir)

    def change_and_save(version: int) -> None:
        session.answers = {"name": f"v{version}"}
        sessions.save(session, dir=sdir)

    calls = _count_calls(monkeypatch, name, lambda: change_and_save(2))
    assert calls >= 1, f"save never calls os.{name}"
    previous = "v2"
    for nth in range(1, calls + 1):
        version = nth + 2
        replaced = False
        real_replace = os.replace

        def recording_replace(*args: Any, _real: Any = real_replace, **kwargs: Any) -> Any:
            nonlocal replaced
            result = _real(*args, **kwargs)
            replaced = True
            return result

        seen = 0
        with monkeypatch.context() as m:
            m.setattr(os, "replace", recording_replace)
            real = getattr(os, name)

            def failing(*args: Any, _real: Any = real, _nth: int = nth, **kwargs: Any) -> Any:
                nonlocal seen
                seen += 1
                if seen == _nth:
                    raise error
                return _real(*args, **kwargs)

            m.setattr(os, name, failing)
            try:
                change_and_save(version)
            except (OSError, KeyboardInterrupt):
                session._saved = None  # the file may still hold the previous version
        loaded = sessions.load(session.id, dir=sdir)
        # Until the rename the file is the previous version; after it, the complete new one
        # (a failed directory fsync loses nothing).
        expected = f"v{version}" if replaced else previous
        assert loaded.answers == {"name": expected}, (name, nth)
        previous = expected
        leftovers = [p.name for p in sdir.iterdir() if p.name != f"{session.id}.json"]
        assert leftovers == [], leftovers


def test_corrupt_files_are_quarantined_and_listed(sdir: Path) -> None:
    good = sessions.new_session("good", copy.deepcopy(SHARED), dir=sdir)
    (sdir / "broken.json").write_text('{"schema_version": 1, "name": ')
    (sdir / "wrong.json").write_text(json.dumps({"schema_version": 1, "name": "x"}))
    (sdir / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    listed = sessions.list_sessions(sdir)
    assert [e.id for e in listed] == [good.id]
    reasons = {d.path.name: d.reason for d in listed.damaged}
    assert set(reasons) == {"broken.json.corrupt", "wrong.json.corrupt", "binary.json.corrupt"}
    assert "not valid JSON" in reasons["broken.json.corrupt"]
    assert "'created' is missing" in reasons["wrong.json.corrupt"]
    assert "not UTF-8" in reasons["binary.json.corrupt"]
    assert not (sdir / "broken.json").exists()
    # A second damaged file of the same name never replaces the first one moved aside.
    (sdir / "broken.json").write_text("[1, 2")
    again = sessions.list_sessions(sdir)
    assert [d.path.name for d in again.damaged] == ["broken.json.1.corrupt"]
    assert (sdir / "broken.json.corrupt").read_text() == '{"schema_version": 1, "name": '
    assert [e.id for e in again] == [good.id]
    with pytest.raises(sessions.SessionNotFound):
        sessions.load("broken", dir=sdir)


def test_load_of_damaged_file_says_why(sdir: Path) -> None:
    sdir.mkdir(parents=True)
    (sdir / "bad.json").write_text("nope")
    with pytest.raises(sessions.SessionError, match=r"session bad is damaged .*not valid JSON"):
        sessions.load("bad", dir=sdir)


def test_ids_cannot_leave_the_folder(sdir: Path) -> None:
    for bad in ("../x", "a/b", "", ".hidden", "x.json"):
        with pytest.raises(sessions.SessionNotFound):
            sessions.load(bad, dir=sdir)


def test_second_lock_is_refused_naming_pid_and_host(sdir: Path) -> None:
    session = sessions.new_session("locked", {}, dir=sdir)
    with sessions.lock(session.id, dir=sdir) as held:
        assert held.note is None
        lock_file = sdir / f"{session.id}.lock"
        info = json.loads(lock_file.read_text())
        assert info["pid"] == os.getpid() and info["host"] == socket.gethostname()
        assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600
        with pytest.raises(SessionInUse) as refused:
            sessions.lock(session.id, dir=sdir)
        message = str(refused.value)
        assert f"pid {os.getpid()}" in message and f"host {socket.gethostname()}" in message
        with pytest.raises(SessionInUse):
            _delete_as_other(session.id, sdir)
    assert not (sdir / f"{session.id}.lock").exists()
    with sessions.lock(session.id, dir=sdir):
        pass


def _delete_as_other(session_id: str, sdir: Path) -> None:
    """Delete from a second process while this one holds the lock."""
    code = (
        "import sys\nfrom pathlib import Path\nfrom wizard import sessions\n"
        "try:\n"
        f"    sessions.delete({session_id!r}, dir=Path({str(sdir)!r}))\n"
        "except sessions.SessionInUse as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    if result.returncode == 3:
        raise SessionInUse(session_id, os.getpid(), socket.gethostname(), "", sdir)
    raise AssertionError(result.stdout + result.stderr)


def test_lock_held_on_another_host_is_refused(sdir: Path) -> None:
    session = sessions.new_session("remote", {}, dir=sdir)
    lock_file = sdir / f"{session.id}.lock"
    lock_file.write_text(json.dumps({"pid": 1, "host": "other-jump-host", "since": "x"}))
    with pytest.raises(SessionInUse, match="pid 1 on host other-jump-host"):
        sessions.lock(session.id, dir=sdir)
    assert lock_file.exists()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_lock_is_taken_over_with_a_note(sdir: Path) -> None:
    session = sessions.new_session("stale", {}, dir=sdir)
    pid = dead_pid()
    lock_file = sdir / f"{session.id}.lock"
    lock_file.write_text(
        json.dumps({"pid": pid, "host": socket.gethostname(), "since": "2024-01-01T00:00:00Z"})
    )
    with sessions.lock(session.id, dir=sdir) as held:
        assert held.note is not None and f"pid {pid}" in held.note
        assert "taken over" in held.note
        assert json.loads(lock_file.read_text())["pid"] == os.getpid()
    assert not lock_file.exists()


def test_half_written_lock_counts_as_stale(sdir: Path) -> None:
    session = sessions.new_session("half", {}, dir=sdir)
    (sdir / f"{session.id}.lock").write_text("")
    with sessions.lock(session.id, dir=sdir) as held:
        assert held.note is not None


def test_release_leaves_a_lock_someone_took_over(sdir: Path) -> None:
    session = sessions.new_session("mine", {}, dir=sdir)
    held = sessions.lock(session.id, dir=sdir)
    other = json.dumps({"pid": 1, "host": "elsewhere", "since": "now"})
    (sdir / f"{session.id}.lock").write_text(other)
    held.release()
    assert (sdir / f"{session.id}.lock").read_text() == other


V0 = {
    "schema_version": 0,
    "id": "old-1234",
    "name": "old plan",
    "created": "2024-05-01T10:00:00Z",
    "updated": "2024-05-01T10:05:00Z",
    "current_step": "database",
    "answers": {"name": "old-plan", "products": [{"id": "apim", "version": "2.6.0"}]},
}


def test_migrate_v0_to_v1(sdir: Path) -> None:
    migrated = sessions.migrate(copy.deepcopy(V0))
    assert migrated["schema_version"] == 1
    assert migrated["step"] == "database" and "current_step" not in migrated
    assert migrated["keep_passwords"] is False
    assert migrated["dropped_passwords"] == []
    unversioned = {k: v for k, v in V0.items() if k != "schema_version"}
    assert sessions.migrate(unversioned)["step"] == "database"
    # A v0 file on disk opens, and the next save writes it as v1.
    sdir.mkdir(parents=True)
    (sdir / "old-1234.json").write_text(json.dumps(V0))
    session = sessions.load("old-1234", dir=sdir)
    assert (session.step, session.name, session.keep_passwords) == ("database", "old plan", False)
    assert sessions.save(session, dir=sdir) is True
    assert json.loads((sdir / "old-1234.json").read_text())["schema_version"] == 1


def test_newer_schema_is_refused_and_left_alone(sdir: Path) -> None:
    newer = dict(V0, schema_version=2, id="new-1", step="database")
    with pytest.raises(SessionTooNew) as refused:
        sessions.migrate(newer)
    assert str(refused.value) == (
        "session new-1 was written by a newer carbon-wizard (schema 2); "
        "upgrade carbon-wizard to open it"
    )
    sdir.mkdir(parents=True)
    path = sdir / "new-1.json"
    path.write_text(json.dumps(newer))
    with pytest.raises(SessionTooNew, match="schema 2"):
        sessions.load("new-1", dir=sdir)
    listed = sessions.list_sessions(sdir)
    assert listed.entries == []
    assert [(d.path, "newer carbon-wizard" in d.reason) for d in listed.damaged] == [(path, True)]
    assert path.exists()  # not quarantined: the newer version can still open it


def test_file_and_folder_modes(sdir: Path) -> None:
    old = os.umask(0)  # even a permissive umask must not widen them
    try:
        session = sessions.new_session("modes", copy.deepcopy(SHARED), dir=sdir)
    finally:
        os.umask(old)
    assert stat.S_IMODE(sdir.stat().st_mode) == 0o700
    assert stat.S_IMODE((sdir / f"{session.id}.json").stat().st_mode) == 0o600
    os.chmod(sdir, 0o755)
    session.step = "nodes"
    sessions.save(session, dir=sdir)
    assert stat.S_IMODE(sdir.stat().st_mode) == 0o700


def test_passwords_left_out_of_session_and_export(sdir: Path, tmp_path: Path) -> None:
    session = sessions.new_session("secret", answers_with_secret(), "preview", dir=sdir)
    raw = (sdir / f"{session.id}.json").read_bytes()
    assert SECRET.encode() not in raw
    data = json.loads(raw)
    assert data["keep_passwords"] is False
    assert set(data["dropped_passwords"]) == {
        "database.registry.password",
        "database.user_management.password",
        "products[0].databases.WSO2AM_DB.password",
    }
    loaded = sessions.load(session.id, dir=sdir)
    assert sorted(sessions.missing_passwords(loaded)) == sorted(data["dropped_passwords"])
    # Saving a resumed session before the passwords are typed again keeps the list.
    loaded.step = "write"
    sessions.save(loaded, dir=sdir)
    assert sessions.load(session.id, dir=sdir).dropped_passwords == loaded.dropped_passwords

    out = tmp_path / "exported.toml"
    sessions.export(session.id, out, dir=sdir)
    text = out.read_bytes()
    assert SECRET.encode() not in text
    assert b'password_env = "WSO2_REG_DB_PASSWORD"' in text
    assert b'password_env = "IS_DB_PASSWORD"' in text
    from wizard import answers

    assert answers.loads(text.decode()).name == "apim-is-prod"


def test_kept_passwords_stay_in_the_private_file_only(sdir: Path, tmp_path: Path) -> None:
    session = sessions.new_session(
        "kept", answers_with_secret(), "preview", dir=sdir, keep_passwords=True
    )
    path = sdir / f"{session.id}.json"
    raw = path.read_bytes()
    assert SECRET.encode() in raw
    assert b'"keep_passwords": true' in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(raw)["dropped_passwords"] == []
    assert sessions.load(session.id, dir=sdir).answers == answers_with_secret()
    out = tmp_path / "exported.toml"
    sessions.export(session.id, out, dir=sdir)
    assert SECRET.encode() not in out.read_bytes()


def test_export_of_unfinished_answers_lists_problems(sdir: Path, tmp_path: Path) -> None:
    data = copy.deepcopy(SHARED)
    del data["database"]
    data["products"][0]["nodes"][0]["host"] = "bad host"
    session = sessions.new_session("unfinished", data, "nodes", dir=sdir)
    with pytest.raises(AnswersError) as refused:
        sessions.export(session.id, tmp_path / "x.toml", dir=sdir)
    paths = {p.path for p in refused.value.problems}
    assert {"database", "products[0].nodes[0].host"} <= paths
    assert not (tmp_path / "x.toml").exists()


def test_delete(sdir: Path) -> None:
    session = sessions.new_session("gone", {}, dir=sdir)
    sessions.delete(session.id, dir=sdir)
    assert sessions.list_sessions(sdir).entries == []
    with pytest.raises(sessions.SessionNotFound):
        sessions.delete(session.id, dir=sdir)
    with pytest.raises(sessions.SessionNotFound):
        sessions.load(session.id, dir=sdir)


def test_resolve_id_by_prefix(sdir: Path) -> None:
    a = sessions.new_session("alpha", {}, dir=sdir)
    sessions.new_session("beta", {}, dir=sdir)
    assert sessions.resolve_id("alph", dir=sdir) == a.id
    assert sessions.resolve_id(a.id, dir=sdir) == a.id
    with pytest.raises(sessions.SessionNotFound, match="saved sessions"):
        sessions.resolve_id("gamma", dir=sdir)


def test_unfinished_answers_of_any_shape_save(sdir: Path) -> None:
    odd = {"products": [{"id": "apim", "nodes": [{"host": ""}]}], "database": {"port": "x"}}
    session = sessions.new_session("odd", odd, "nodes", dir=sdir)
    assert sessions.load(session.id, dir=sdir).answers == odd
    assert sessions.list_sessions(sdir).entries[0].products == "apim ×1"


def test_session_dataclass_is_ui_neutral() -> None:
    session = Session("x-1", "x", "t", "t", "start", {})
    assert session.keep_passwords is False and session.dropped_passwords == []


def test_a_name_taken_by_a_saved_plan_gets_a_number(tmp_path: Path) -> None:
    # Before: a preset started twice made two plans of one name, both written to ./<name>.
    assert sessions.unused_name("apim-prod", tmp_path) == "apim-prod"
    sessions.new_session("apim-prod", {"schema_version": 1}, dir=tmp_path)
    assert sessions.unused_name("apim-prod", tmp_path) == "apim-prod-2"
    sessions.new_session("apim-prod-2", {"schema_version": 1}, dir=tmp_path)
    assert sessions.unused_name("apim-prod", tmp_path) == "apim-prod-3"
