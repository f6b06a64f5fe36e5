"""Refusing to write a tree without real passwords: unset variables and placeholders."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wizard import fields
from wizard.problems import AnswersError, Problem, join_path

if TYPE_CHECKING:
    from wizard.plan import Plan

_PLACEHOLDER = re.compile(r"^(<.*>|change[-_ ]?me.*|placeholder|password)$", re.IGNORECASE)


def require_secrets(plan: Plan) -> None:
    """Refuse to write files without real passwords: unset variables and preset placeholders."""
    # Every secret the files hold: (answers path, password, its variable, whose it is).
    secrets = [(db.answers_path, db.password, db.password_env, db.user) for db in plan.databases]
    ldap = plan.ldap
    if ldap is not None:
        secrets.append((ldap.answers_path, ldap.password, ldap.password_env, ldap.bind_dn))
    problems = []
    vaulted = plan.topology.cluster.secure_vault  # datasource passwords only, not the LDAP's
    for path, password, variable, who in secrets:
        if password is None:
            problems.append(
                Problem(
                    join_path(path, "password_env"),
                    f"environment variable {variable} is not set; "
                    f"export {variable}='...' (the password of {who}) and run again",
                )
            )
        elif problem := unusable(password, vaulted and (ldap is None or path != ldap.answers_path)):
            problems.append(Problem(join_path(path, "password_env"), f"{variable}: {problem}"))
        elif _PLACEHOLDER.match(password):
            problems.append(
                Problem(
                    join_path(path, "password"),
                    f"'{password}' is a placeholder, not {who}'s password; "
                    "set the real one (or password_env) before generating",
                )
            )
    if problems:
        raise AnswersError(problems)


def unusable(password: str, vault: bool) -> str | None:
    """What the files cannot carry in a password read from the environment (a typed one
    was checked at its field by the same checks; the prompt mode's password for an unset
    variable by this one)."""
    try:
        fields.check_password(password)
    except ValueError as exc:
        return str(exc)
    return fields.vault_password_problem(password) if vault else None
