"""The tests in tiers, each a folder with its conftest: core/, render/, rules/, ui/. Helpers
shared by several tiers (answers fixtures, assembled distributions, database servers, the
fleet's local estate) stay here.

Each test is marked by what it needs, so `make test-fast` can leave out the slow kinds:

ui:      runs the full-screen app (Textual's pilot, snapshots) or a real terminal (tmux):
         the whole ui/ tier (tests/ui/conftest.py).
servers: needs a database server or an sshd (tests/dbservers.py, test_fleet_ssh.py).
slow:    needs neither but takes seconds on its own.

servers and slow are marked here by file and test name, as they are spread over the tiers.
`make test` runs everything; `make test-fast` runs `-m "not ui and not servers and not slow"`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SERVER_FILES = {"test_real_databases.py", "test_real_identity.py", "test_fleet_ssh.py"}
# Tests in otherwise quick files that log in to a real database server.
SERVER_TESTS = {
    "test_probe.py": {"test_real_server_probe", "test_cli_probe_a_tree_and_an_answers_file"},
    "test_connections.py": {
        "test_good_passwords_are_ok",
        "test_a_wrong_password_says_why_and_never_shows_a_password",
        "test_a_password_from_a_variable",
        "test_no_password_yet_is_not_a_failure",
        "test_a_closed_port",
    },
    "test_prompt_database.py": {"test_prompt_test_connections_one_line_per_database"},
    "test_tui_database_connections.py": {
        "test_test_connections_runs_in_the_background",
        "test_a_change_clears_the_lines_it_made_stale",
        "test_leaving_the_step_stops_the_test",
    },
}
# The real ansible-playbook pushing to folders on this machine: a minute or more each.
SLOW_FIXTURES = {"estate"}
SLOW_TESTS = {
    "test_fleet.py": {"test_push_stops_with_the_check_scripts_message_when_a_database_is_down"},
    # mypy over wizard/ and screens/: seconds from a cold cache (`make lint` runs it too).
    "test_types.py": {"test_the_types_hold"},
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        file = Path(str(item.path)).name
        name = getattr(item, "originalname", item.name)
        if file in SERVER_FILES or name in SERVER_TESTS.get(file, ()):
            item.add_marker(pytest.mark.servers)
        if name in SLOW_TESTS.get(file, ()) or SLOW_FIXTURES & set(
            getattr(item, "fixturenames", ())
        ):
            item.add_marker(pytest.mark.slow)
