"""Test connections on the Database step: what the operator reads, one line per database.

The real-server tests use the throwaway PostgreSQL and MariaDB of tests/dbservers.py
(skipped when they are not running); the rest need no server.
"""

from __future__ import annotations

import copy
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests import answers_fixtures
from wizard import answers, connections
from wizard.plan import Plan

PASSWORD = answers_fixtures.PASSWORD


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(plan: Plan) -> dict[str, Any]:
    return answers.to_data(plan.topology, keep_passwords=True)


@pytest.fixture(params=["postgresql", "mariadb"])
def real(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The answers of a plan whose databases and users exist on a real server."""
    from tests import dbservers
    from tests.render.test_real_databases import cleanup, create, real_plan

    srv = dbservers.server(request.param)
    plan = real_plan(srv, "shared")
    create(srv, plan)
    try:
        yield _answers(plan)
    finally:
        cleanup(srv, plan)


def _texts(lines: list[connections.Line]) -> str:
    return "\n".join(line.text for line in lines)


def test_good_passwords_are_ok(real: dict[str, Any]) -> None:
    lines = connections.try_all(real, {})
    assert [line.outcome for line in lines] == ["ok"] * 4, _texts(lines)
    registry = real["database"]["registry"]
    assert lines[0].path == "database.registry"
    assert lines[0].text == (
        f"✓ Registry (config + governance): ok, {registry['user']}@{real['database']['host']}:"
        f"{real['database']['port']}/{registry['name']} logged in and answered SELECT 1"
    )
    assert connections.summary(lines) == "4 ok, 0 failed."


def test_a_wrong_password_says_why_and_never_shows_a_password(real: dict[str, Any]) -> None:
    data = copy.deepcopy(real)
    um = data["database"]["user_management"]
    um["password"] = PASSWORD + "wrong"
    lines = connections.try_all(data, {})
    by_path = {line.path: line for line in lines}
    bad = by_path["database.user_management"]
    assert bad.outcome == "failed"
    assert bad.text.startswith("✗ User management: ")
    assert bad.text.endswith(f"auth: password rejected for user {um['user']}")
    assert [line.outcome for line in lines].count("ok") == 3
    assert connections.summary(lines) == "3 ok, 1 failed. Fix what failed, then test again."
    for line in lines:
        assert PASSWORD not in line.text


def test_a_password_from_a_variable(real: dict[str, Any]) -> None:
    """Read from the variable the answers name; unset, the login is not tested (no failure)."""
    data = copy.deepcopy(real)
    registry = data["database"]["registry"]
    password = registry.pop("password")
    registry["password_env"] = "WSO2_REG_DB_PASSWORD"
    ok = connections.try_all(data, {"WSO2_REG_DB_PASSWORD": password})
    assert ok[0].outcome == "ok", ok[0].text

    unset = connections.try_all(data, {})
    assert unset[0].outcome == "untested"
    assert unset[0].text.endswith(
        ": the server answers; login not tested: $WSO2_REG_DB_PASSWORD is not set here (it is "
        "read when the tree is written); set it, or type the password, to test the login of "
        f"{registry['user']}"
    )
    assert connections.summary(unset) == "3 ok, 0 failed, 1 not tested."


def test_no_password_yet_is_not_a_failure(real: dict[str, Any]) -> None:
    data = copy.deepcopy(real)
    user = data["database"]["user_management"]["user"]
    del data["database"]["user_management"]["password"]
    lines = connections.try_all(data, {})
    um = next(line for line in lines if line.path == "database.user_management")
    assert um.outcome == "untested"
    assert um.text.endswith(
        f"login not tested: no password given yet for {user}; type it or name its "
        "environment variable"
    )


def test_a_closed_port(real: dict[str, Any]) -> None:
    data = copy.deepcopy(real)
    port = _free_port()
    data["database"]["port"] = port
    started = time.monotonic()
    lines = connections.try_all(data, {})
    assert time.monotonic() - started < connections.DEADLINE
    assert {line.outcome for line in lines} == {"failed"}
    assert lines[0].text.endswith(f"refused: nothing listens on 127.0.0.1:{port}")


def test_answers_that_make_no_plan_say_what_to_fix() -> None:
    data = answers_fixtures.variant("database.registry.name", "")
    testing = connections.prepare(data, {})
    assert testing.databases == ()
    lines = connections.run(testing)
    assert lines[0].outcome == "untested"
    assert lines[0].text == (
        "– Cannot test yet: database.registry.name: no value; give the database name"
    )


def test_the_whole_test_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A probe that never returns is given up on at the deadline, with a line of its own."""
    data = answers_fixtures.variant("database.host", "127.0.0.1")
    from tests.render.test_real_databases import on_this_machine

    testing = connections.prepare(on_this_machine(data, "127.0.0.1"), {})
    assert testing.databases
    monkeypatch.setattr(connections, "probe_database", lambda db, timeout: time.sleep(3))
    started = time.monotonic()
    lines = connections.run(testing, deadline=0.5)
    assert time.monotonic() - started < 2
    assert lines[0].outcome == "failed"
    assert lines[0].text.endswith("no answer within 0.5 s; the test stopped waiting")
    assert testing.start_line.startswith(f"Testing {len(testing.databases)} databases")


def test_a_cancelled_test_stops_waiting_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leaving the step (or quitting) cancels: no line, no wait for the probes."""
    import threading

    from tests.render.test_real_databases import on_this_machine

    data = answers_fixtures.variant("database.host", "127.0.0.1")
    testing = connections.prepare(on_this_machine(data, "127.0.0.1"), {})
    monkeypatch.setattr(connections, "probe_database", lambda db, timeout: time.sleep(5))
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    assert connections.run(testing, cancel=cancel) == []
    assert time.monotonic() - started < 1


def test_an_unexpected_error_is_a_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.render.test_real_databases import on_this_machine

    data = answers_fixtures.variant("database.host", "127.0.0.1")
    testing = connections.prepare(on_this_machine(data, "127.0.0.1"), {})

    def broken(db: object, timeout: float) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(connections, "probe_database", broken)
    lines = connections.run(testing)
    assert {line.outcome for line in lines} == {"failed"}
    assert lines[0].text.endswith("the test stopped: internal error (RuntimeError); test again")
    assert "Traceback" not in capsys.readouterr().err
