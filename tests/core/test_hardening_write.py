"""Writing a tree when things go wrong: killed writes, --force, links and odd targets. DIR is
always the old tree or the complete new one; no password outlives a failed write outside DIR
and its documented backups; every refusal is exit 2 naming the output directory."""

from __future__ import annotations

import copy
import io
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from tests import answers_fixtures as af
from wizard import answers, cli, output, placing, workflow

ROOT = Path(__file__).resolve().parents[2]
SECRET = "kill-me-not-s3cret"


def answers_file(path: Path, nodes: int = 2, description: str = "old") -> Path:
    data = copy.deepcopy(af.SHARED)
    data["description"] = description
    data["database"]["registry"]["password"] = SECRET
    data["products"][1]["databases"]["WSO2_IDENTITY_DB"]["password"] = "is-secret"
    del data["products"][1]["databases"]["WSO2_IDENTITY_DB"]["password_env"]
    data["products"][0]["nodes"] = [
        {"id": f"apim-{i}", "host": f"10.0.{i // 200}.{i % 200 + 1}"} for i in range(1, nodes + 1)
    ]
    path.write_text(answers.dumps(answers.parse(data), keep_passwords=True))
    return path


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def generate(answers_path: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WSO2_", "CARBON_WIZARD"))}
    command = [sys.executable, "-m", "wizard", "generate", "--answers", str(answers_path)]
    return subprocess.Popen(
        [*command, "--out", str(out), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def hidden_trees(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".tmp-" in p.name)


def holding_secret(parent: Path, allowed: set[str]) -> list[Path]:
    """Files under `parent` that hold the password, outside the folders named `allowed`."""
    return [
        p
        for p in parent.rglob("*")
        if p.is_file()
        and p.relative_to(parent).parts[0] not in allowed
        and SECRET.encode() in p.read_bytes()
    ]


def test_kill_9_during_generate_force_leaves_the_old_or_the_new_tree(tmp_path: Path) -> None:
    old_answers = answers_file(tmp_path / "old.toml", nodes=150, description="old")
    new_answers = answers_file(tmp_path / "new.toml", nodes=150, description="new")
    parent = tmp_path / "trees"
    parent.mkdir()
    out = parent / "prod"
    reference = tmp_path / "reference"
    for source, target in ((old_answers, out), (new_answers, reference)):
        done = generate(source, target)
        assert done.wait(120) == 0, done.communicate()
    new = snapshot(reference)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    for attempt in range(8):
        before = snapshot(out)
        proc = generate(new_answers, out, "--force")
        if attempt % 2:
            time.sleep(rng.uniform(0.0, 0.8))  # anywhere: start-up, writing, renaming
        else:
            # Once the staging tree exists, within the write (~0.3 s here) or just after it.
            deadline = time.monotonic() + 30
            while not hidden_trees(parent) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        after = snapshot(out)
        assert after in (before, new), f"seed {seed}, attempt {attempt}: DIR is neither tree"
    last = generate(new_answers, out, "--force")
    _, stderr = last.communicate(timeout=120)
    assert last.returncode == 0, stderr
    assert snapshot(out) == new
    assert hidden_trees(parent) == [], f"seed {seed}: {hidden_trees(parent)}"
    backups = {p.name for p in parent.iterdir() if p.name.startswith("prod.bak-")}
    assert holding_secret(parent, {"prod", *backups}) == []


def test_a_stale_unfinished_tree_is_removed_and_named_by_the_next_write(tmp_path: Path) -> None:
    source = answers_file(tmp_path / "a.toml")
    out = tmp_path / "prod"
    dead = 2**22 - 3  # above any pid this machine has running
    unfinished = tmp_path / f".prod.tmp-{dead}-abcdef"
    unfinished.mkdir()
    (unfinished / placing.STAGING_MARK).touch()
    (unfinished / "master-datasources.xml").write_text(f"<password>{SECRET}</password>")
    complete = tmp_path / f".other.tmp-{dead}-123456"
    complete.mkdir()
    (complete / "README.md").write_text("a complete tree")
    alive = tmp_path / f".prod.tmp-{os.getpid()}-fedcba"
    alive.mkdir()
    (alive / placing.STAGING_MARK).touch()
    code, _, err = run("generate", "--answers", str(source), "--out", str(out))
    assert code == 0, err
    assert not unfinished.exists() and str(unfinished) in err and "removed" in err
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("other.bak-")]
    assert len(kept) == 1 and (kept[0] / "README.md").exists() and str(kept[0]) in err
    assert alive.exists()  # a write still running is not touched


def test_sigterm_during_a_write_removes_the_staging_tree(tmp_path: Path) -> None:
    source = answers_file(tmp_path / "a.toml", nodes=150)
    out = tmp_path / "prod"
    rng = random.Random()
    for attempt in range(4):
        proc = generate(source, out, "--force")
        deadline = time.monotonic() + 30
        while not hidden_trees(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.25))  # within the write (~0.3 s here), or at its end
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
        assert hidden_trees(tmp_path) == [], f"attempt {attempt}"
        # 130: stopped during the write; 0 or -15: it had finished writing (the default
        # handler is back once the tree is in place).
        assert proc.returncode in (0, 130, -signal.SIGTERM), stderr
        if proc.returncode != 130:
            assert (out / "manifest.json").is_file()
        assert "internal error" not in stderr


class Recorder:
    """What the write does to the file system: opens for writing, and renames."""

    def __init__(self) -> None:
        self.active = False  # a hook stays for the process: idle outside its test
        self.writes: list[str] = []
        self.renames: list[tuple[str, str]] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active:
            return
        if event == "open" and isinstance(args[0], str | bytes | os.PathLike):
            mode, flags = args[1], args[2]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            )
            if writing:
                self.writes.append(os.fsdecode(args[0]))
        elif event == "os.rename":
            self.renames.append((os.fsdecode(args[0]), os.fsdecode(args[1])))


RECORDER = Recorder()
sys.addaudithook(RECORDER)  # audit hooks cannot be removed: one for this module's tests


@pytest.mark.parametrize("existing", [False, True])
def test_the_tree_reaches_dir_by_one_rename_with_nothing_written_under_dir(
    tmp_path: Path, existing: bool
) -> None:
    out = tmp_path / "prod"
    built = workflow.build(workflow.plan_topology(af.topology(), af.ENV).plan)  # type: ignore[arg-type]
    if existing:
        output.write_tree(built, out)
    RECORDER.writes.clear()
    RECORDER.renames.clear()
    RECORDER.active = True
    try:
        result = output.write_tree(built, out, force=True)
    finally:
        RECORDER.active = False
    under = [w for w in RECORDER.writes if Path(w).is_relative_to(out)]
    assert under == [], under[:5]
    into = [(a, b) for a, b in RECORDER.renames if b == str(out)]
    assert len(into) == 1 and Path(into[0][0]).parent == tmp_path
    assert Path(into[0][0]).name.startswith(".prod.tmp-")
    assert (result.backup is not None) == existing
    assert sorted(snapshot(out)) == sorted(built.files)


def test_out_the_root_folder_is_refused(tmp_path: Path) -> None:
    code, _, err = run(
        "generate", "--answers", str(answers_file(tmp_path / "a.toml")), "--out", "/", "--force"
    )
    assert code == 2 and "--out" in err and "root folder" in err


def test_out_a_link_writes_where_it_points_and_keeps_the_link(tmp_path: Path) -> None:
    source = answers_file(tmp_path / "a.toml")
    real = tmp_path / "releases" / "r1"
    real.mkdir(parents=True)
    link = tmp_path / "current"
    link.symlink_to(real)
    code, stdout, err = run("generate", "--answers", str(source), "--out", str(link))
    assert code == 0, err
    assert link.is_symlink() and (real / "manifest.json").is_file()
    assert str(real) in stdout
    # --force over the link: the folder it points to is replaced, its backup beside it.
    code, stdout, err = run("generate", "--answers", str(source), "--out", str(link), "--force")
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert (real / "manifest.json").is_file()
    assert [p.name.startswith("r1.bak-") for p in real.parent.iterdir() if p != real] == [True]


def test_out_under_a_file_or_unreadable_is_an_operator_error(tmp_path: Path) -> None:
    source = answers_file(tmp_path / "a.toml")
    (tmp_path / "file").write_text("x")
    code, _, err = run("generate", "--answers", str(source), "--out", str(tmp_path / "file/x"))
    assert code == 2 and "--out" in err and "internal error" not in err
    code, _, err = run("generate", "--answers", str(source), "--out", str(tmp_path / "file"))
    assert code == 2 and "not a directory" in err
    long_name = tmp_path / ("x" * 240)
    code, _, err = run("generate", "--answers", str(source), "--out", str(long_name))
    assert code == 2 and "at most 200" in err


def test_check_verifies_the_modes_of_the_tree(tmp_path: Path) -> None:
    out = tmp_path / "prod"
    code, _, err = run(
        "generate", "--answers", str(answers_file(tmp_path / "a.toml")), "--out", str(out)
    )
    assert code == 0, err
    assert run("check", str(out))[0] == 0
    datasources = next(out.rglob("master-datasources.xml"))
    datasources.chmod(0o644)
    (out / "nodes").chmod(0o755)
    script = next(out.rglob("check-databases.sh"))
    script.chmod(0o755)
    code, stdout, _ = run("check", str(out))
    assert code == 1
    flagged = [line for line in stdout.splitlines() if line.startswith("rule 0")]
    assert len(flagged) == 3, stdout
    assert any("0644, not 0600" in line and "master-datasources.xml" in line for line in flagged)
    assert any("0755, not 0700" in line and "nodes" in line for line in flagged)


def test_out_with_a_control_character_is_refused(tmp_path: Path) -> None:
    source = answers_file(tmp_path / "a.toml")
    code, _, err = run("generate", "--answers", str(source), "--out", str(tmp_path / "a\nb"))
    assert code == 2 and "--out" in err and "U+000A" in err
    assert [p.name for p in tmp_path.iterdir()] == ["a.toml"]


def test_check_reads_no_file_past_its_bound(tmp_path: Path) -> None:
    out = tmp_path / "prod"
    assert (
        run("generate", "--answers", str(answers_file(tmp_path / "a.toml")), "--out", str(out))[0]
        == 0
    )
    huge = out / "nodes" / "apim-1" / "huge.bin"
    with huge.open("wb") as handle:
        handle.truncate(65 * 1024 * 1024)
    huge.chmod(0o600)
    code, stdout, _ = run("check", str(out))
    assert code == 1
    assert any("huge.bin" in line and "not read" in line for line in stdout.splitlines())


def test_a_killed_collection_is_cleared_by_the_next(tmp_path: Path) -> None:
    dead = 2**22 - 3
    left = tmp_path / f".deployed.tmp-{dead}-abcdef"
    (left / "apim-1").mkdir(parents=True)
    (left / "apim-1" / "master-datasources.xml").write_text(SECRET)
    previous = tmp_path / f".deployed.old-{dead}-abcdef"
    previous.mkdir()
    staging = output.deployed_staging(tmp_path)
    assert not left.exists() and not previous.exists()
    assert staging.is_dir() and oct(staging.stat().st_mode & 0o777) == "0o700"


def test_force_where_the_file_system_cannot_exchange(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = answers_file(tmp_path / "a.toml")
    out = tmp_path / "prod"
    assert run("generate", "--answers", str(source), "--out", str(out))[0] == 0
    old = snapshot(out)
    monkeypatch.setattr(placing, "_exchange", lambda a, b: False)
    code, stdout, err = run("generate", "--answers", str(source), "--out", str(out), "--force")
    assert code == 0, err
    backups = [p for p in tmp_path.iterdir() if p.name.startswith("prod.bak-")]
    assert len(backups) == 1 and snapshot(backups[0]) == old and str(backups[0]) in stdout
    assert "with their passwords" in stdout
    # Killed between its two renames: DIR missing, the new tree complete under its hidden
    # name. The next write keeps that tree as a backup too and says where both are.
    for backup in backups:
        backup.rename(tmp_path / "prod.bak-20260101-000000")
    out.rename(tmp_path / f".prod.tmp-{2**22 - 3}-abcdef")
    code, _, err = run("generate", "--answers", str(source), "--out", str(out))
    assert code == 0, err
    assert "complete tree" in err and "prod.bak-" in err
    assert hidden_trees(tmp_path) == [] and snapshot(out) == old
