"""The password variables the wizard suggests and topology.toml names: short, made of the
database's name as the presets' are, one per login, the same for the same answers."""

from __future__ import annotations

import copy
import tomllib

import pytest

from tests.answers_fixtures import SHARED, topology
from wizard import answers, locations, presets
from wizard.password_names import password_env_name, password_env_names


def _without_variables(data: object) -> None:
    if isinstance(data, dict):
        data.pop("password_env", None)
        for value in data.values():
            _without_variables(value)
    elif isinstance(data, list):
        for value in data:
            _without_variables(value)


@pytest.mark.parametrize(
    "preset",
    [
        "apim-2node-mysql",
        "apim-is-km-mysql8",
        "esb-dss-bps-mssql-split",
        "ei-3node-oracle",
        "is-2node-postgresql-split",
    ],
)
def test_the_defaults_are_the_names_the_presets_chose(preset: str) -> None:
    """Take a preset's variables away: the wizard suggests the very names it had."""
    path = presets.find(preset, [locations.bundled_presets_dir()])
    data = tomllib.loads(path.read_text())
    chosen = password_env_names(data)
    _without_variables(data)
    assert password_env_names(data) == chosen


def test_topology_toml_names_short_variables() -> None:
    text = answers.dumps(topology())
    assert 'password_env = "WSO2_REG_DB_PASSWORD"' in text
    assert 'password_env = "WSO2_UM_DB_PASSWORD"' in text
    assert 'password_env = "WSO2_AM_DB_PASSWORD"' in text
    assert 'password_env = "IS_DB_PASSWORD"' in text  # as the answers name it
    assert "CW_" not in text


def test_one_variable_per_login() -> None:
    """Two users on one database get two variables; the same login, asked twice, one."""
    data = copy.deepcopy(SHARED)
    db = data["database"]
    db["user_management"]["name"] = db["registry"]["name"]
    names = password_env_names(data)
    assert names["database.registry"] == "WSO2_REG_DB_PASSWORD"
    assert names["database.user_management"] == "WSO2_UM_DB_PASSWORD"  # its role's name
    db["user_management"]["user"] = db["registry"]["user"]
    names = password_env_names(data)
    assert names["database.user_management"] == "WSO2_REG_DB_PASSWORD"


def test_a_variable_the_answers_name_is_not_suggested_for_another_login() -> None:
    data = copy.deepcopy(SHARED)
    data["database"]["user_management"]["password_env"] = "WSO2_REG_DB_PASSWORD"
    names = password_env_names(data)
    assert names["database.user_management"] == "WSO2_REG_DB_PASSWORD"
    assert names["database.registry"] == "WSO2_REG_DB_2_PASSWORD"


def test_a_name_of_any_case_or_shape_makes_a_valid_variable() -> None:
    from wizard.fields import check_env_name

    data = copy.deepcopy(SHARED)
    data["database"]["registry"]["name"] = "wso2reg.db-1"
    name = password_env_name("database.registry", data)
    assert name == "WSO2_REG_DB_1_PASSWORD"
    assert check_env_name(name) == name
    data["database"]["registry"]["name"] = "apimgt"
    assert password_env_name("database.registry", data) == "WSO2_APIMGT_PASSWORD"


def test_the_suggestion_for_a_table_ignores_its_own_variable() -> None:
    """Switching a table back to a variable suggests its default again, not what it had."""
    data = copy.deepcopy(SHARED)
    data["database"]["registry"]["password_env"] = "SOMETHING_ELSE"
    assert password_env_name("database.registry", data) == "WSO2_REG_DB_PASSWORD"


def test_without_answers_the_path_gives_a_short_name() -> None:
    assert password_env_name("database.registry") == "WSO2_REG_DB_PASSWORD"
    assert password_env_name("database.user_management") == "WSO2_UM_DB_PASSWORD"
    assert password_env_name("products[0].databases.WSO2AM_DB") == "WSO2_AM_DB_PASSWORD"
    assert password_env_name("products[0].ldap") == "WSO2_LDAP_PASSWORD"
    assert answers.password_env_name("database.registry") == "WSO2_REG_DB_PASSWORD"
