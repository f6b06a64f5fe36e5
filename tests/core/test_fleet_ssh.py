"""The push over real SSH: an sshd on 127.0.0.1 (a free high port, a throwaway host key) that
lets in one key-only test user, made here and removed again.

Needs root (to make the user and run sshd) and Debian's openssh-server (`.ci/run` installs
it). Skipped, saying why, without them; under CI (CI=true, or CARBON_WIZARD_REQUIRE_SSH=1 as
.ci/run sets) their absence fails instead, as a missing database server does there.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from tests.fleet_estate import database_listener, free_port, make_estate, recap, require_ansible

USER = "cwfleet"
SSHD = Path("/usr/sbin/sshd")
PYTHON = Path("/usr/bin/python3")
"""The nodes' Python, as on a real node: the test user cannot reach this project's venv."""
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
COMMAND_TIMEOUT = 60


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") in ("true", "1") or os.environ.get("CARBON_WIZARD_REQUIRE_SSH") == "1":
        pytest.fail(f"{reason} (required under CI: .ci/run installs it and runs as root)", False)
    pytest.skip(reason)


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=COMMAND_TIMEOUT)


@dataclass(frozen=True)
class Sshd:
    port: int
    key: Path
    """The test user's private key."""
    user: pwd.struct_passwd


@pytest.fixture
def ssh_user() -> Iterator[pwd.struct_passwd]:
    """A user that logs in by key only; made here (and removed after) when it is not there."""
    if os.geteuid() != 0:
        _unavailable("not root: making the test user and running sshd need root")
    if not SSHD.is_file():
        _unavailable(f"no {SSHD}: install Debian's openssh-server (apt-get install openssh-server)")
    if not PYTHON.is_file():
        _unavailable(f"no {PYTHON} for Ansible's modules on the node")
    created = False
    try:
        pwd.getpwnam(USER)
    except KeyError:
        _run("useradd", "--create-home", "--shell", "/bin/sh", USER)
        created = True
    try:
        # '*': no password to log in with, yet not locked ('!'), which sshd would refuse.
        _run("usermod", "--password", "*", USER)
        yield pwd.getpwnam(USER)
    finally:
        if created:
            _wait_for_no_processes(pwd.getpwnam(USER).pw_uid)
            _run("userdel", "--remove", USER)


def _wait_for_no_processes(uid: int) -> None:
    """check-databases.sh times itself with a background `sleep` that outlives it by up to
    its timeout; userdel refuses a user with processes, so wait for them (bounded), then
    stop the ones left, each by its pid."""
    deadline = time.monotonic() + STOP_TIMEOUT
    while found := _processes_of(uid):
        if time.monotonic() > deadline:
            for pid in found:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
            return
        time.sleep(0.2)


def _processes_of(uid: int) -> list[int]:
    """From /proc: procps (pgrep) is not in every Debian image."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
    return found


@pytest.fixture
def sshd(tmp_path: Path, ssh_user: pwd.struct_passwd) -> Iterator[Sshd]:
    folder = tmp_path / "sshd"
    folder.mkdir()
    host_key, user_key = folder / "host_ed25519", folder / "user_ed25519"
    for key in (host_key, user_key):
        _run(
            "ssh-keygen",
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "carbon-wizard test",
            "-f",
            str(key),
        )
    ssh_dir = Path(ssh_user.pw_dir) / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    authorized = ssh_dir / "authorized_keys"
    authorized.write_text(user_key.with_suffix(".pub").read_text())
    authorized.chmod(0o600)
    for path in (ssh_dir, authorized):
        os.chown(path, ssh_user.pw_uid, ssh_user.pw_gid)
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {host_key}",
                f"PidFile {folder / 'sshd.pid'}",
                "AuthorizedKeysFile .ssh/authorized_keys",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "PermitRootLogin no",
                f"AllowUsers {USER}",
                "Subsystem sftp internal-sftp",
                "",
            ]
        )
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # its privilege-separation folder
    checked = subprocess.run(
        [str(SSHD), "-t", "-f", str(config)],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert checked.returncode == 0, checked.stderr
    log = (folder / "sshd.log").open("wb")
    process = subprocess.Popen(
        [str(SSHD), "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_for(port, process, folder / "sshd.log")
        yield Sshd(port, user_key, ssh_user)
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
        log.close()


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"sshd exited ({process.returncode}): {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"sshd did not listen on 127.0.0.1:{port} within {START_TIMEOUT:g} s")


def test_push_over_ssh_as_a_key_only_user(tmp_path: Path, sshd: Sshd) -> None:
    require_ansible()
    user = sshd.user
    # The homes must be reachable by the test user: pytest's own folder is root's only.
    homes_root = Path(tempfile.mkdtemp(prefix="carbon-wizard-fleet-", dir="/tmp"))
    try:
        homes_root.chmod(0o755)
        with database_listener() as db_port:
            estate = make_estate(
                tmp_path,
                db_port,
                # The tree's own inventory says who logs in and who owns the files.
                fleet={"user": USER, "owner": USER},
                host_vars={
                    "ansible_connection": "ssh",
                    "ansible_host": "127.0.0.1",
                    "ansible_port": sshd.port,
                    "ansible_ssh_private_key_file": str(sshd.key),
                    "ansible_ssh_common_args": "-o StrictHostKeyChecking=no "
                    "-o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o BatchMode=yes "
                    "-o ConnectTimeout=10",
                    "ansible_python_interpreter": str(PYTHON),
                },
                homes_root=homes_root,
            )
            # One connection per node, reused, and modules piped through it: each push
            # is many module runs. The masters are stopped below, before sshd.
            control = tmp_path / "cp"
            estate.env["ANSIBLE_SSH_CONTROL_PATH_DIR"] = str(control)
            estate.env["ANSIBLE_SSH_ARGS"] = "-o ControlMaster=auto -o ControlPersist=60s"
            estate.env["ANSIBLE_PIPELINING"] = "True"
            estate.env["ANSIBLE_TIMEOUT"] = "10"
            for folder, _dirs, files in os.walk(homes_root):
                for path in [folder, *(os.path.join(folder, f) for f in files)]:
                    os.chown(path, user.pw_uid, user.pw_gid)
            assert f'ansible_user: "{USER}"' in (estate.tree / "ansible/inventory.yml").read_text()
            first = estate.push()
            assert first.returncode == 0, first.stdout + first.stderr
            assert {h: r["changed"] for h, r in recap(first.stdout).items()} == {
                "apim-1": 1,
                "apim-2": 1,
            }
            for node, home in estate.homes.items():
                folder = estate.tree / "nodes" / node
                for source in (p for p in folder.rglob("*") if p.is_file()):
                    target = home / source.relative_to(folder)
                    assert target.read_bytes() == source.read_bytes(), target
                    info = target.stat()
                    assert stat.S_IMODE(info.st_mode) == stat.S_IMODE(source.stat().st_mode)
                    assert info.st_uid == user.pw_uid, target
            second = estate.push()
            assert second.returncode == 0, second.stdout + second.stderr
            assert {h: r["changed"] for h, r in recap(second.stdout).items()} == {
                "apim-1": 0,
                "apim-2": 0,
            }
    finally:
        _stop_ssh_masters(tmp_path / "cp")
        shutil.rmtree(homes_root, ignore_errors=True)


def _stop_ssh_masters(control: Path) -> None:
    for socket_path in control.glob("*") if control.is_dir() else []:
        subprocess.run(
            ["ssh", "-O", "exit", "-o", f"ControlPath={socket_path}", "carbon-wizard-test"],
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
        )
