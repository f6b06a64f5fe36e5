"""Connection tests: `wizard.probe` and each node's check-databases.sh.

The unit tests use loopback sockets only. The real-server tests use the throwaway PostgreSQL
and MariaDB of tests/dbservers.py (skipped when they are not running).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import answers_fixtures
from tests.render.test_real_databases import on_this_machine
from wizard import probe as probe_mod
from wizard.plan import DatabasePlan, Plan
from wizard.probe import ProbeResult, format_results, probe, probe_database, scrub
from wizard.render.checkscript import check_databases_script

PASSWORD = answers_fixtures.PASSWORD


def _db(engine: str = "postgresql", **changes: object) -> DatabasePlan:
    data = answers_fixtures.variant("database.engine", engine)
    base = answers_fixtures.build(data).database("registry")
    changes.setdefault("host", "127.0.0.1")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _free_port() -> int:
    """A loopback port that nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback socket that accepts connections and never says anything."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock
    sock.close()


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A loopback port whose accept queue is full: the kernel drops new SYNs, so a connect
    waits until its own timeout, as it would for a firewalled address."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(64):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
        probe_sock = socket.socket()
        probe_sock.settimeout(0.05)
        try:
            probe_sock.connect(("127.0.0.1", port))
        except TimeoutError:
            break
        except OSError:
            pass
        finally:
            probe_sock.close()
    else:
        pytest.skip("could not fill a listen queue on this kernel")
    yield port
    for filler in fillers:
        filler.close()
    server.close()


# --- unit: no server ------------------------------------------------------------------------


def test_name_that_does_not_resolve() -> None:
    result = probe_database(_db(host="nonexistent.invalid"), timeout=1)
    assert (result.step, result.status) == ("resolve", "failed")
    assert result.reason.startswith("name does not resolve")
    assert result.target == f"nonexistent.invalid:{result.target.split(':')[1]}"


def test_resolver_errors_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    result = probe_database(_db(host="db.example.com"), timeout=1)
    assert result.reason == "name does not resolve: db.example.com"


def test_stuck_resolver_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: time.sleep(5))
    started = time.monotonic()
    result = probe_database(_db(host="db.example.com"), timeout=0.2)
    assert time.monotonic() - started < 2
    assert (result.step, result.status) == ("resolve", "failed")
    assert result.reason.startswith("timeout")


def test_refused() -> None:
    port = _free_port()
    result = probe_database(_db(port=port), timeout=1)
    assert (result.step, result.status) == ("connect", "failed")
    assert result.reason == f"refused: nothing listens on 127.0.0.1:{port}"


def test_timeout_never_hangs(black_hole: int) -> None:
    started = time.monotonic()
    result = probe_database(_db(port=black_hole), timeout=0.3)
    elapsed = time.monotonic() - started
    assert (result.step, result.status) == ("connect", "failed")
    assert result.reason.startswith("timeout: 127.0.0.1:")
    assert 0.25 <= elapsed < 2


def test_login_timeout_when_the_server_never_answers(listener: socket.socket) -> None:
    pytest.importorskip("pymysql")
    port = listener.getsockname()[1]
    started = time.monotonic()
    result = probe_database(_db("mariadb", port=port), timeout=0.5)
    assert time.monotonic() - started < 3
    assert (result.step, result.status) == ("login", "failed")
    assert result.reason.startswith("timeout")


def test_missing_driver_is_skipped_with_the_fix(
    listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = probe_mod.importlib.util.find_spec
    monkeypatch.setattr(
        probe_mod.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "psycopg" else real(name, *a),
    )
    result = probe_database(_db(port=listener.getsockname()[1]), timeout=1)
    assert (result.step, result.status) == ("login", "skipped")
    assert result.reason == "driver psycopg not installed: pip install 'carbon-wizard[probe]'"


@pytest.mark.parametrize(("engine", "package"), [("oracle", "oracledb"), ("mssql", "python-tds")])
def test_other_engines_name_their_driver(
    engine: str, package: str, listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(probe_mod.importlib.util, "find_spec", lambda name, *a: None)
    db = dataclasses.replace(_db(port=listener.getsockname()[1]), engine=engine)
    result = probe_database(db, timeout=1)
    assert result.status == "skipped"
    assert package in result.reason and "pip install" in result.reason


def test_db2_is_skipped_after_tcp(listener: socket.socket) -> None:
    db = dataclasses.replace(_db(port=listener.getsockname()[1]), engine="db2")
    result = probe_database(db, timeout=1)
    assert (result.step, result.status) == ("login", "skipped")
    assert "no pure-Python DB2 driver" in result.reason


def test_missing_password_is_skipped(listener: socket.socket) -> None:
    db = _db(port=listener.getsockname()[1], password=None, password_env="REG_DB_PASSWORD")
    result = probe_database(db, timeout=1)
    assert (result.step, result.status) == ("login", "skipped")
    assert result.reason == "password of regadmin not available (set REG_DB_PASSWORD)"


def test_scrub_removes_every_form_of_the_password() -> None:
    escaped = PASSWORD.replace("\\", "\\\\").replace("'", "\\'")
    text = f"FATAL: bad password {PASSWORD}\n in conninfo password='{escaped}' ({PASSWORD!r})"
    cleaned = scrub(text, PASSWORD)
    assert PASSWORD not in cleaned and escaped not in cleaned and "\n" not in cleaned
    assert "********" in cleaned


def test_probe_keeps_plan_order_and_format() -> None:
    port = _free_port()
    data = answers_fixtures.variant("database.host", "127.0.0.1")
    data = answers_fixtures.variant("database.port", port, data)
    plan = answers_fixtures.build(on_this_machine(data, "127.0.0.1"))
    results = probe(plan, timeout=1)
    assert [r.database_key for r in results] == [db.key for db in plan.databases]
    assert all(r.status == "failed" and r.step == "connect" for r in results)
    table = format_results(results)
    lines = table.splitlines()
    assert lines[0].split() == ["database", "target", "step", "status", "reason"]
    assert "FAILED" in lines[1] and "refused" in lines[1]
    assert lines[-1] == f"0 ok, {len(results)} failed, 0 skipped"


def test_format_results_aligns_columns() -> None:
    results = [
        ProbeResult("registry", "h:1/a", "query", "ok", "fine"),
        ProbeResult("apim:WSO2AM_DB", "host:2/bb", "connect", "failed", "refused: x"),
    ]
    lines = format_results(results).splitlines()
    assert lines[1].index("h:1/a") == lines[2].index("host:2/bb")
    assert lines[1].index("ok") == lines[2].index("FAILED")


# --- check-databases.sh ---------------------------------------------------------------------


def _check_plan(ports: dict[str, int]) -> Plan:
    data = answers_fixtures.variant("database.host", "127.0.0.1")
    data = answers_fixtures.variant("database.port", ports["registry"], data)
    data = answers_fixtures.variant("database.user_management.port", ports["um"], data)
    path = "products[0].databases.WSO2AM_DB.port"
    data = answers_fixtures.variant(path, ports["am"], data)
    return answers_fixtures.build(on_this_machine(data, "127.0.0.1"))


def _run_check(script: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "check-databases.sh"
    path.write_text(script)
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run(
        ["sh", str(path)], capture_output=True, text=True, env=environment, timeout=60
    )


def _methods() -> list[str]:
    found = [m for m in ("bash", "python3", "perl") if shutil.which(m)]
    if shutil.which("nc"):
        found.append("nc")
    return found


@pytest.mark.parametrize("method", _methods())
def test_check_script_open_and_closed_ports(
    method: str, listener: socket.socket, tmp_path: Path
) -> None:
    open_port, closed = listener.getsockname()[1], _free_port()
    plan = _check_plan({"registry": open_port, "um": closed, "am": open_port})
    node = plan.node("apim-1")
    result = _run_check(check_databases_script(node, plan), tmp_path, CHECK_METHOD=method)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert f"checking database ports with {method}" in lines[0]
    assert f"ok      WSO2_SHARED_REG_DB (WSO2_REG_DB on 127.0.0.1:{open_port})" in lines
    assert f"ok      WSO2AM_DB (WSO2AM_DB on 127.0.0.1:{open_port})" in lines
    failed = [line for line in lines if line.startswith("FAILED")]
    assert failed == [
        f"FAILED  WSO2_UM_DB (WSO2_UM_DB on 127.0.0.1:{closed}): 127.0.0.1:{closed} refused "
        "the connection, does not resolve or is unreachable"
    ]
    assert result.stderr == ""


def test_check_script_all_open_exits_0(listener: socket.socket, tmp_path: Path) -> None:
    port = listener.getsockname()[1]
    plan = _check_plan({"registry": port, "um": port, "am": port})
    result = _run_check(check_databases_script(plan.node("apim-1"), plan), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("\nok  ") == 3
    assert result.stdout.rstrip().endswith("every database answered")


def test_check_script_times_out(black_hole: int, listener: socket.socket, tmp_path: Path) -> None:
    port = listener.getsockname()[1]
    plan = _check_plan({"registry": port, "um": port, "am": black_hole})
    script = check_databases_script(plan.node("apim-1"), plan)
    started = time.monotonic()
    result = _run_check(script, tmp_path, CHECK_TIMEOUT="1", CHECK_METHOD="python3")
    assert time.monotonic() - started < 10
    assert result.returncode == 1
    assert f"no answer from 127.0.0.1:{black_hole} within 1 s" in result.stdout


def test_check_script_says_when_no_tool_exists(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sleep", "grep"):
        found = shutil.which(tool)
        assert found
        (bin_dir / tool).symlink_to(found)
    plan = _check_plan({"registry": 1, "um": 1, "am": 1})
    script = check_databases_script(plan.node("apim-1"), plan)
    sh = shutil.which("sh")
    assert sh
    path = tmp_path / "check.sh"
    path.write_text(script)
    result = subprocess.run(
        [sh, str(path)], capture_output=True, text=True, env={"PATH": str(bin_dir)}, timeout=30
    )
    assert result.returncode == 2
    assert "cannot check: none of nc (with -z), bash, python3, python or perl" in result.stderr


def test_check_script_is_posix_sh() -> None:
    plan = answers_fixtures.build()
    script = check_databases_script(plan.node("is-1"), plan)
    assert script.startswith("#!/bin/sh\n")
    for bashism in ("[[", "function ", "local ", "$'", "<<<", "source ", "/dev/tcp/$1"):
        code = [line for line in script.splitlines() if "bash -c" not in line]
        assert not any(bashism in line for line in code), bashism
    dash = shutil.which("dash")
    if dash:
        subprocess.run([dash, "-n", "/dev/stdin"], input=script, text=True, check=True)
    assert "WSO2_IDENTITY_DB" in script


def test_check_script_quotes_labels() -> None:
    plan = answers_fixtures.build()
    script = check_databases_script(plan.node("apim-1"), plan)
    assert (
        "check 'WSO2_SHARED_REG_DB (WSO2_REG_DB on db.example.com:3306)' 'db.example.com' 3306"
        in (script)
    )


# --- real servers ---------------------------------------------------------------------------


def _real() -> object:
    try:
        from tests import dbservers
    except ImportError:  # pragma: no cover - written by another engineer
        pytest.skip("tests/dbservers.py is not there")
    return dbservers


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_real_server_probe(engine: str) -> None:
    from tests.render.test_real_databases import cleanup, create, real_plan

    dbservers = _real()
    srv = dbservers.server(engine)  # type: ignore[attr-defined]
    plan = real_plan(srv, "shared")
    create(srv, plan)
    try:
        results = probe(plan, timeout=3)
        assert [r.status for r in results] == ["ok"] * len(results), format_results(results)
        assert all(r.step == "query" for r in results)
        good = plan.database("registry")
        assert good.password == PASSWORD
        cases = {
            "auth": dataclasses.replace(good, password=PASSWORD + "x"),
            "refused": dataclasses.replace(good, port=_free_port()),
            "no such database": dataclasses.replace(good, name=good.name + "_missing"),
            "name does not resolve": dataclasses.replace(good, host="nonexistent.invalid"),
        }
        seen = []
        for expected, db in cases.items():
            result = probe_database(db, timeout=3)
            seen.append(result)
            assert result.status == "failed", result
            assert result.reason.startswith(expected), result
        auth = seen[0]
        assert (auth.step, auth.reason) == (
            "login",
            f"auth: password rejected for user {good.user}",
        )
        assert seen[2].step == "database"
        for result in [*results, *seen]:
            for form in (PASSWORD, PASSWORD + "x", PASSWORD.replace("'", "''")):
                assert form not in result.reason
                assert form not in format_results([result])
    finally:
        cleanup(srv, plan)


def test_cli_probe_module_entry() -> None:
    # The CLI prints format_results; make sure the module imports without drivers loaded.
    code = "import sys, wizard.probe; print('psycopg' in sys.modules, 'pymysql' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def _cli_probe(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wizard", "probe", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_cli_probe_a_tree_and_an_answers_file(engine: str, tmp_path: Path) -> None:
    """`carbon-wizard probe DIR` reads the tree's topology.toml (passwords from the variables
    it names) and `--answers FILE` the answers: ok, exit 0; a wrong password, exit 1."""
    from tests.render.test_real_databases import cleanup, create, generate, real_plan
    from wizard import answers
    from wizard.password_names import password_env_names

    srv = _real().server(engine)  # type: ignore[attr-defined]
    plan = real_plan(srv, "split")
    create(srv, plan)
    try:
        root = generate(plan, tmp_path)
        specs = plan.topology.database_specs()
        # The variables topology.toml names: made of each database's name, one per login.
        names = password_env_names(answers.to_data(plan.topology, keep_passwords=True))
        env = {names[path]: spec.password or "" for path, spec in specs}
        um_variable = names["database.user_management"]
        count = len(plan.databases)

        good = _cli_probe(str(root), env=env)
        assert good.returncode == 0, good.stdout + good.stderr
        assert good.stdout.splitlines()[-1] == f"{count} ok, 0 failed, 0 skipped"

        answers_file = tmp_path / "answers.toml"
        answers_file.write_text(answers.dumps(plan.topology, keep_passwords=True))
        from_file = _cli_probe("--answers", str(answers_file), env={})
        assert from_file.returncode == 0, from_file.stdout + from_file.stderr

        um = plan.database("user_management")
        wrong = {**env, um_variable: PASSWORD + "x"}
        bad = _cli_probe(str(root), env=wrong)
        assert bad.returncode == 1, bad.stdout + bad.stderr
        line = next(x for x in bad.stdout.splitlines() if x.startswith("user_management "))
        assert "FAILED" in line and f"auth: password rejected for user {um.user}" in line
        assert bad.stdout.splitlines()[-1] == f"{count - 1} ok, 1 failed, 0 skipped"

        unset = {k: v for k, v in env.items() if k != um_variable}
        skipped = _cli_probe(str(root), env=unset)
        assert skipped.returncode == 0, skipped.stdout + skipped.stderr
        assert f"not available (set {um_variable})" in skipped.stdout

        for result in (good, from_file, bad, skipped):
            for db in plan.databases:
                assert db.password and db.password not in result.stdout + result.stderr
            assert PASSWORD not in result.stdout + result.stderr
    finally:
        cleanup(srv, plan)


# --- what the operator gives and what a server sends ---------------------------------------


@pytest.mark.parametrize("given", ["-1", "nan", "inf", "0", "1e9", "-inf", "three"])
def test_cli_refuses_an_unusable_timeout_at_once(given: str) -> None:
    """Each is refused before anything is probed: exit 2, the option, the accepted range."""
    started = time.monotonic()
    result = _cli_probe("--preset", "apim-2node-mysql", f"--timeout={given}", env={})
    assert time.monotonic() - started < 30
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "argument --timeout" in result.stderr
    assert "give seconds per step from 0.1 to 120, e.g. 3" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("given", ["0.1", "3", "120"])
def test_timeouts_in_range_are_taken(given: str) -> None:
    assert probe_mod.check_timeout(given) == float(given)


def test_an_address_needs_no_name_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """An IP address is connected to even when every name server is silent."""
    real = socket.getaddrinfo

    def numeric_only(host: str, *args: object, **kwargs: object) -> object:
        if not int(kwargs.get("flags", 0)) & socket.AI_NUMERICHOST:  # type: ignore[call-overload]
            time.sleep(5)
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)
    port = _free_port()
    started = time.monotonic()
    result = probe_database(_db(host="127.0.0.1", port=port), timeout=0.2)
    assert time.monotonic() - started < 2
    assert result.reason == f"refused: nothing listens on 127.0.0.1:{port}"


def _pg_error_server(message: bytes) -> tuple[socket.socket, threading.Thread]:
    """A loopback 'PostgreSQL server' that answers any startup with an error whose text is
    `message`, as a hostile or broken server could."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def serve() -> None:
        for _ in range(4):
            try:
                conn, _addr = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    _answer_startup(conn, message)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


def _answer_startup(conn: socket.socket, message: bytes) -> None:
    """Say no to SSL and GSS encryption requests, then answer the startup with an error."""
    while True:
        head = conn.recv(8)
        if len(head) < 8:
            return
        length, code = int.from_bytes(head[:4], "big"), int.from_bytes(head[4:], "big")
        if code in (80877103, 80877104):  # SSLRequest, GSSENCRequest
            conn.sendall(b"N")
            continue
        conn.recv(max(0, length - 8))
        fields = b"SFATAL\0C08006\0M" + message + b"\0\0"
        conn.sendall(b"E" + (len(fields) + 4).to_bytes(4, "big") + fields)
        return


def test_a_server_message_never_reaches_the_terminal_raw() -> None:
    pytest.importorskip("psycopg")
    hostile = b"bad \x1b]0;owned\x07 \x1b[2J \x9b31m \xe2\x80\xae done"
    server, _thread = _pg_error_server(hostile)
    try:
        db = _db(port=server.getsockname()[1])
        result = probe_database(db, timeout=2)
    finally:
        server.close()
    assert result.status == "failed", result
    table = format_results([result])
    for text in (result.reason, table):
        assert all(c == "\n" or c.isprintable() for c in text), text
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b]0;owned\\x07" in result.reason, result.reason


def test_printable_keeps_ordinary_text() -> None:
    assert probe_mod.printable("auth: password rejected for user é") == (
        "auth: password rejected for user é"
    )
    assert probe_mod.printable("a\tb\x00c\x7f\u0085") == "a\\x09b\\x00c\\x7f\\x85"
