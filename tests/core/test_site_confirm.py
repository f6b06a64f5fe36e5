"""Answers a preset marks as site-specific: kept in the answers, settled by the operator."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.answers_fixtures import PASSWORD, SHARED
from tests.core.test_generate import preset_env, run_cli
from wizard import answers, locations, presets, steps
from wizard.problems import AnswersError


def marked() -> dict[str, Any]:
    data = copy.deepcopy(SHARED)
    data["confirm"] = ["database.host", "products[0].nodes[1].host", "products[5].nodes[0].host"]
    return data


def test_pending_marks_name_existing_answers_only() -> None:
    data = marked()
    assert steps.pending_confirmations(data) == ["database.host", "products[0].nodes[1].host"]
    problems = steps.confirmation_problems(data)
    assert [p.path for p in problems] == ["database.host", "products[0].nodes[1].host"]
    assert "'db.example.com'" in problems[0].message and "confirm" in problems[0].message
    steps.confirm(data, "database.host")
    steps.confirm(data, "products[0].nodes[1].host")
    steps.confirm(data, "products[5].nodes[0].host")
    assert "confirm" not in data and steps.pending_confirmations(data) == []


def test_a_mark_that_is_no_path_is_refused_at_its_field() -> None:
    data = copy.deepcopy(SHARED)
    data["confirm"] = ["database host"]
    with pytest.raises(AnswersError) as caught:
        answers.parse(data)
    assert "confirm[0]" in caught.value.report() and "database.host" in caught.value.report()


def test_marks_survive_the_answers_format_and_vanish_when_empty() -> None:
    text = answers.dumps(answers.parse(marked()))
    assert "confirm = [" in text and '"database.host"' in text
    assert "confirm" not in answers.dumps(answers.parse(SHARED))


def test_every_preset_marks_its_hosts() -> None:
    for info in presets.list_presets([locations.bundled_presets_dir()]):
        top = presets.load_preset(info.name, [locations.bundled_presets_dir()])
        hosts = {"database.host"} | {
            f"products[{pi}].nodes[{ni}].host" for pi, ni, _, _ in top.nodes()
        }
        assert hosts <= set(top.confirm), info.name


def test_generate_writes_but_names_what_is_unconfirmed(tmp_path: Path) -> None:
    name = "apim-2node-mysql"
    result = run_cli(
        "generate", "--preset", name, "--out", str(tmp_path / "t"), env=preset_env(name)
    )
    assert result.returncode == 0, result.stderr
    assert "not confirmed" in result.stderr and "products[0].nodes[0].host" in result.stderr


def test_saved_preset_has_no_password_and_marks_hosts_and_users(tmp_path: Path) -> None:
    top = answers.parse(copy.deepcopy(SHARED))
    path = presets.save_preset(top, "my-cluster", tmp_path)
    text = path.read_text()
    assert PASSWORD not in text and "um-secret" not in text
    loaded = presets.load_preset("my-cluster", [tmp_path])
    assert set(loaded.confirm) >= {
        "database.host",
        "database.registry.user",
        "products[0].nodes[0].host",
        "products[1].nodes[0].host",
    }
    assert loaded.model_copy(update={"confirm": []}).database.host == top.database.host
    with pytest.raises(AnswersError, match="exists already"):
        presets.save_preset(top, "my-cluster", tmp_path)
    with pytest.raises(AnswersError, match="cannot name a preset"):
        presets.save_preset(top, "../evil", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-cluster.toml"]


def test_every_preset_marks_what_save_as_preset_would() -> None:
    for info in presets.list_presets([locations.bundled_presets_dir()]):
        top = presets.load_preset(info.name, [locations.bundled_presets_dir()])
        assert set(presets.site_specific(top)) <= set(top.confirm), info.name
