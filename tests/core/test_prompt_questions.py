"""The prompt mode's questions that are composed of a product, a database and a field read
as one phrase, in the words the full-screen form uses for the same field: the Database
step's card title (`DatabaseSlot.label`), then the field ("... database name:"), never
"Business Process Server: BPS_DS: database name:"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.core.test_prompt import (
    BY_VARIABLE,
    CTRL_C,
    ENTER,
    PRESET_TO_WRITE,
    Run,
    bps_on_two_nodes,
    home,
    preset_run,
)
from wizard import database_slots
from wizard.prompt.asking import Asking
from wizard.questions import DATABASE_NAME, DATABASE_USER

__all__ = ["home"]  # the fixture, used by name

# Start, products and nodes (Continue), the layout question and its menu; the database
# step then asks BPS_DS (its name and user as suggested, its password from a variable) and
# whether BPMN is shared (yes), and ACTIVITI_DB's name, user and password the same way.
BPS_DATABASES = ENTER * 6 + ENTER * 2 + BY_VARIABLE + ENTER + ENTER * 2 + BY_VARIABLE


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every question the prompt mode puts, as composed (before it is wrapped)."""
    questions: list[str] = []
    wrap = Asking.question

    def record(message: str, answer: str = "") -> str:
        questions.append(message)
        return wrap(message, answer)

    monkeypatch.setattr(Asking, "question", staticmethod(record))
    return questions


def composed_wrongly(question: str) -> bool:
    """A subject and a field joined by a colon, then the question's own ("BPS_DS: user:").
    A URL's colon in an example (ldaps://host:636) is no joint."""
    return bool(re.search(r"\w: \S.*:\s*$", re.sub(r"\w+://\S+", "URL", question)))


def test_a_product_databases_questions_name_it_as_its_card_does(
    home: Path, tmp_path: Path, asked: list[str]
) -> None:
    run = preset_run(home, tmp_path, "bps", bps_on_two_nodes())
    assert run(BPS_DATABASES + CTRL_C, preset="bps") == 130
    assert "Business Process Server · BPS_DS database name:" in asked
    assert "Business Process Server · BPS_DS database user:" in asked
    assert "Business Process Server · ACTIVITI_DB database name:" in asked
    assert "Business Process Server · BPS_DS database password (user bpsadmin):" in asked
    assert [q for q in asked if composed_wrongly(q)] == []


def test_every_slot_is_asked_for_with_the_words_of_its_card() -> None:
    """The split layout with a product's own config database: each card title reads with
    the field after it, and none repeats "database"."""
    data = {
        "database": {"layout": "split"},
        "products": [
            {"id": "apim", "version": "2.6.0", "config_database": {}},
            {"id": "bps", "version": "3.6.0"},
        ],
    }
    slots = database_slots.needed(data)
    labels = [slot.label for slot in slots]
    assert "API Manager · own config registry" in labels
    assert "API Manager · WSO2AM_DB" in labels
    assert "Business Process Server · BPS_DS" in labels
    for slot in slots:
        for question in (
            DATABASE_NAME.ask(database=slot.label),
            DATABASE_USER.ask(database=slot.label),
        ):
            assert question.startswith(slot.label + " database ")
            assert "database database" not in question and not composed_wrongly(question)
        assert database_slots.label_of(data, slot.path) == slot.label


def test_the_user_store_and_the_hosts_to_add_name_their_product_once() -> None:
    from wizard.questions import ADD_HOSTS, USER_STORE_QUESTION

    for question in (
        USER_STORE_QUESTION.format(product="Identity Server"),
        ADD_HOSTS.ask(product="Identity Server"),
    ):
        assert question.startswith("Identity Server · ")
        assert not composed_wrongly(question)


def test_a_password_asked_before_writing_names_its_database(
    home: Path, tmp_path: Path, asked: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The password of a variable not set, asked at the write: named as the Write step's
    box is titled, with the variable and who logs in with it."""
    run = Run(home)
    del run.env["WSO2_UM_DB_PASSWORD"]
    assert run(PRESET_TO_WRITE + CTRL_C, preset="apim-2node-mysql") == 130
    printed = " ".join(capsys.readouterr().out.split())
    assert "note: $WSO2_UM_DB_PASSWORD (User management database password, wso2um on " in printed
    question = next(q for q in asked if "$WSO2_UM_DB_PASSWORD" in q)
    assert question.startswith("User management database password ($WSO2_UM_DB_PASSWORD is ")
    assert not composed_wrongly(question)
