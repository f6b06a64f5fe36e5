"""The [database] section and one database's answers (name, user, password source).

Checks that need only the engine live here: identifiers and Oracle's password limits, the
driver and TLS choice, which registry databases each layout takes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from wizard import fields
from wizard.catalog import ENGINES, Engine, EngineId
from wizard.engines import connection
from wizard.model.base import Host, Port, Strict
from wizard.problems import Problem, Problems, join_path

if TYPE_CHECKING:
    from wizard.model.products import LdapStore


# Said at the password of a database or an LDAP bind DN, in an answers file and on a screen
# alike: in the screens' words, not the answers file's keys (its problems name the key in
# their path already).
NO_PASSWORD = (
    "no password: type it, or name the environment variable that will hold it when the tree "
    "is written"
)
TWO_PASSWORDS = "both a typed password and an environment variable are given; keep one"


# The engine the answers being validated name. A database's own checks run before its
# [database] section is whole (and a product's databases outside it), yet an empty name is
# said in the engine's words: Oracle's is its service name (wizard.fields.empty_identifier).
_ENGINE: ContextVar[Engine | None] = ContextVar("carbon_wizard_engine", default=None)


@contextmanager
def engine_of(answers: object) -> Iterator[None]:
    """While `answers` are validated, the engine their [database] names (None when it names
    none the catalog knows: its own check says so)."""
    db = answers.get("database") if isinstance(answers, Mapping) else None
    engine = ENGINES.get(str(db.get("engine"))) if isinstance(db, Mapping) else None
    token = _ENGINE.set(engine)
    try:
        yield
    finally:
        _ENGINE.reset(token)


class DatabaseSpec(Strict):
    """One database: its name, the user WSO2 logs in with, and where the password comes from."""

    name: str
    """Database name (Oracle: the service name; the user is the schema)."""
    user: str
    password: Annotated[str, AfterValidator(fields.check_password)] | None = Field(
        default=None, repr=False
    )
    """Literal password. Kept out of topology.toml and, unless asked, out of sessions."""
    password_env: Annotated[str, AfterValidator(fields.check_env_name)] | None = None
    """Environment variable that holds the password when the tree is generated."""
    host: Host | None = None
    """Server of this database when it is not the [database] host."""
    port: Port | None = None

    @model_validator(mode="after")
    def _one_password_source(self) -> DatabaseSpec:
        if self.password is None and self.password_env is None:
            # Raised here, the section's checks of the name and user never run: an empty
            # one is said with the password, not only once the password is given.
            empty = [
                Problem(what, fields.empty_identifier(_ENGINE.get(), what))
                for what in ("name", "user")
                if not getattr(self, what)
            ]
            raise Problems([*empty, Problem("password", NO_PASSWORD)])
        if self.password is not None and self.password_env is not None:
            raise Problems([Problem("password_env", TWO_PASSWORDS)])
        return self


class DatabaseSection(Strict):
    engine: EngineId
    host: Host
    port: Port | None = None
    """Defaults to the engine's port (3306, 5432, 1521, 1433, 50000)."""
    layout: Literal["shared", "split"] = "shared"
    """shared: config and governance registry in one database; split: two databases."""
    url_options: Annotated[str, AfterValidator(fields.check_url_options)] | None = None
    """JDBC URL options; defaults to the engine's (e.g. autoReconnect=true&useSSL=false)."""
    jdbc_driver: Literal["mysql", "mariadb"] | None = None
    """Engine mariadb only: "mysql" (the default, as WSO2's 4.4.x guide has it:
    com.mysql.jdbc.Driver, jdbc:mysql:// URLs) or "mariadb" (MariaDB Connector/J,
    org.mariadb.jdbc.Driver, jdbc:mariadb:// URLs)."""
    tls: bool | None = None
    """true: URLs with the engine's TLS options (encrypt, and check the server's
    certificate). Not with url_options, which replace the engine's options entirely."""
    registry: DatabaseSpec | None = None
    config: DatabaseSpec | None = None
    governance: DatabaseSpec | None = None
    user_management: DatabaseSpec

    @property
    def engine_spec(self) -> Engine:
        """The engine, reached through the chosen driver (refused by validation where the
        engine offers no such choice)."""
        return connection(ENGINES[self.engine], self.jdbc_driver, False, None)[0]

    @property
    def effective_port(self) -> int:
        return self.port or self.engine_spec.default_port

    @property
    def effective_url_options(self) -> str:
        engine = ENGINES[self.engine]
        return connection(engine, self.jdbc_driver, bool(self.tls), self.url_options)[1]

    @model_validator(mode="after")
    def _driver_and_tls(self) -> DatabaseSection:
        engine = self.engine_spec
        problems: list[Problem] = []
        if self.jdbc_driver is not None and self.jdbc_driver not in engine.jdbc_drivers:
            problems.append(
                Problem(
                    "jdbc_driver",
                    'jdbc_driver only chooses how engine "mariadb" is reached (the MySQL '
                    f"driver or MariaDB Connector/J); {engine.label} has one driver, "
                    f"{engine.driver_class}: leave jdbc_driver out",
                )
            )
        if self.tls and engine.tls_url_options is None:
            problems.append(Problem("tls", engine.tls_how))
        elif self.tls and self.url_options is not None:
            # url_options replace the engine's options: which TLS options would win is
            # nobody's guess, so the operator writes them all in one place.
            problems.append(
                Problem(
                    "tls",
                    "tls = true writes the engine's TLS options into the URLs, and "
                    "url_options replaces the engine's options: give one of the two (for TLS "
                    f"and more options, put all of them in url_options, e.g. "
                    f"'{engine.tls_url_options}&...')",
                )
            )
        if problems:
            raise Problems(problems)
        return self

    @model_validator(mode="after")
    def _layout_databases(self) -> DatabaseSection:
        problems: list[Problem] = []
        if self.layout == "shared":
            if self.registry is None:
                problems.append(
                    Problem(
                        "registry",
                        "layout 'shared' keeps config and governance in one database; "
                        "add [database.registry] with name, user and password",
                    )
                )
            for extra in ("config", "governance"):
                if getattr(self, extra) is not None:
                    problems.append(
                        Problem(
                            extra,
                            f"[database.{extra}] belongs to layout 'split'; with layout "
                            "'shared' use [database.registry] only, or set layout = \"split\"",
                        )
                    )
        else:
            # [database.config] may be left out when every product has its own config
            # database; the topology checks that once it knows the products.
            if self.governance is None:
                problems.append(
                    Problem(
                        "governance",
                        "layout 'split' keeps config and governance in two databases; "
                        "add [database.governance] with name, user and password",
                    )
                )
            if self.registry is not None:
                problems.append(
                    Problem(
                        "registry",
                        "[database.registry] belongs to layout 'shared'; with layout 'split' "
                        "use [database.config] and [database.governance]",
                    )
                )
        engine = self.engine_spec
        for role in ("registry", "config", "governance", "user_management"):
            spec = getattr(self, role)
            if spec is not None:
                problems += identifier_problems(spec, engine, role)
                problems += password_problems(spec, engine, role)
        if problems:
            raise Problems(problems)
        return self


def identifier_problems(spec: DatabaseSpec, engine: Engine, prefix: str) -> list[Problem]:
    problems = []
    for what in ("name", "user"):
        message = fields.check_identifier(getattr(spec, what), engine, what)
        if message:
            problems.append(Problem(join_path(prefix, what), message))
    return problems


def password_problems(spec: DatabaseSpec, engine: Engine, prefix: str) -> list[Problem]:
    if engine.kind != "oracle" or spec.password is None:
        return []
    path = join_path(prefix, "password")
    # Oracle quotes passwords with double quotes and has no escape for one inside.
    if '"' in spec.password:
        return [
            Problem(
                path, 'Oracle passwords cannot hold a double quote ("); choose another password'
            )
        ]
    if len(spec.password.encode("utf-8")) > ORACLE_PASSWORD_MAX:
        return [
            Problem(
                path,
                f"Oracle passwords are at most {ORACLE_PASSWORD_MAX} bytes; choose a shorter one",
            )
        ]
    return []


ORACLE_PASSWORD_MAX = 30


def resolved_password(spec: DatabaseSpec | LdapStore, env: Mapping[str, str]) -> str | None:
    """The password given, else the one its `password_env` names in `env` (None when unset:
    the plan is then a preview)."""
    if spec.password is not None:
        return spec.password
    return env.get(spec.password_env or "")
