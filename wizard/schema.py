"""Which WSO2 schema scripts run on which database, as whom, with what command and caveats.

WSO2 ships the scripts in PRODUCT_HOME/dbscripts/; they are run by each database's own user
(so the tables belong to it), once, in order. A physical database that several roles share
(registry and user management in one database, say) gets the kernel script once: the
kernel script creates the REG_* and UM_* tables together. Commands never carry a password:
each client asks for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wizard.catalog import PRODUCTS, Engine
from wizard.engines import url_host
from wizard.plan import DatabasePlan, Plan
from wizard.render.sql import scripts_of
from wizard.render.sql_dialects import DB2_TS32K_SCRIPTS, needs_latin1
from wizard.script_facts import RERUN


@dataclass(frozen=True)
class SchemaStep:
    database_key: str
    host: str
    port: int
    name: str
    """Database name (Oracle: the service; the schema is the user)."""
    user: str
    scripts: tuple[str, ...]
    """Scripts relative to PRODUCT_HOME, in the order to run them; empty when another step
    already created this database's tables."""
    command: str
    """The shell commands, one line per script, run from PRODUCT_HOME; each asks for the
    password of `user`."""
    warnings: tuple[str, ...]
    products: tuple[str, ...] = ()
    """Product cluster keys whose PRODUCT_HOME holds every script of this step."""

    @property
    def commands(self) -> tuple[str, ...]:
        return tuple(self.command.splitlines())


# API Manager's own key manager keeps identity data in WSO2AM_DB, so its apimgt script also
# creates the tables of Identity Server's identity and consent scripts (API Manager 2.6.0
# against Identity Server 5.7.0: all 63 IDN_* and 10 CM_* tables), but not the UMA ones.
# A database that gets both (Identity Server as key manager on WSO2AM_DB) must not get
# them twice: MySQL stops on the existing indexes, PostgreSQL drops the tables first.
_APIMGT = "dbscripts/apimgt/"
_IN_APIMGT = ("dbscripts/identity/", "dbscripts/consent/")
_NOT_IN_APIMGT = "dbscripts/identity/uma/"
_APIMGT_CHECKED = ("2.6.0",)
"""API Manager versions whose apimgt scripts were compared table by table."""


def schema_steps(plan: Plan) -> list[SchemaStep]:
    """One step per plan database, in plan order."""
    engine = plan.engine
    done: dict[tuple[str, ...], list[str]] = {}
    first: dict[tuple[str, ...], DatabasePlan] = {}
    apimgt = _apimgt_scripts(plan)
    steps = []
    for db in plan.databases:
        where = _physical(db)
        ran = done.setdefault(where, [])
        owner = first.setdefault(where, db)
        already = [s for s in db.schema_scripts if s in ran]
        scripts = tuple(s for s in db.schema_scripts if s not in ran)
        warnings = []
        if where in apimgt:
            scripts, note = _without_apimgt_tables(db, scripts, *apimgt[where])
            warnings += note
        ran.extend(scripts)
        if owner is not db:
            if already:
                rest = "Run only what follows." if scripts else "Nothing to run here."
                warnings.append(
                    f"{db.name} is also the `{owner.key}` database: {', '.join(already)} "
                    f"{_n(already, 'creates', 'create')} its tables in that step, once. {rest}"
                )
            else:
                warnings.append(
                    f"{db.name} is also the `{owner.key}` database: run this step after that one."
                )
        warnings += _warnings(db, scripts, engine)
        warnings += _catalog_notes(plan, db, engine)
        steps.append(
            SchemaStep(
                database_key=db.key,
                host=db.host,
                port=db.port,
                name=db.name,
                user=db.user,
                scripts=scripts,
                command="\n".join(script_command(db, s, engine) for s in scripts),
                warnings=tuple(dict.fromkeys(warnings)),
                products=_homes(plan, db, scripts, engine),
            )
        )
    return steps


def _apimgt_scripts(plan: Plan) -> dict[tuple[str, ...], tuple[str, str]]:
    """Physical database -> (apimgt script, API Manager version) for those that get one."""
    versions = {p.key: p.version for p in plan.topology.products}
    out: dict[tuple[str, ...], tuple[str, str]] = {}
    for db in plan.databases:
        for script in db.schema_scripts:
            if script.startswith(_APIMGT):
                version = next((versions[p] for p in db.products if p in versions), "")
                out.setdefault(_physical(db), (script, version))
    return out


def _without_apimgt_tables(
    db: DatabasePlan, scripts: tuple[str, ...], apimgt: str, version: str
) -> tuple[tuple[str, ...], list[str]]:
    """`scripts` less those whose tables `apimgt` creates in the same database, and why."""
    inside = [s for s in scripts if s.startswith(_IN_APIMGT) and not s.startswith(_NOT_IN_APIMGT)]
    if not inside:
        return scripts, []
    listed = ", ".join(inside)
    if version not in _APIMGT_CHECKED:
        return scripts, [
            f"{db.name} also gets {apimgt} (API Manager {version}), which may create the "
            f"tables of {listed} already (API Manager 2.6.0's does): compare their CREATE "
            "TABLE statements first, and skip a script whose tables are all there."
        ]
    rest = tuple(s for s in scripts if s not in inside)
    after = "Run only what follows." if rest else "Nothing to run here."
    return rest, [
        f"{db.name} also gets {apimgt} (API Manager {version}), which creates the tables of "
        f"{listed}: do not run {_n(inside, 'it', 'them')} here (MySQL would stop on the "
        f"existing indexes, PostgreSQL would drop the tables first). {after}"
    ]


def schema_scripts_for_manifest(plan: Plan) -> dict[str, list[str]]:
    """Database key -> the scripts to run on it (deduplicated as in `schema_steps`)."""
    return {step.database_key: list(step.scripts) for step in schema_steps(plan)}


def script_command(db: DatabasePlan, script: str, engine: Engine) -> str:
    """The command that runs `script` from PRODUCT_HOME as `db.user`; it prompts for the
    password (none is ever written into a command)."""
    host, port, name, user = db.host, db.port, db.name, db.user
    if engine.kind == "mysql":
        return f"mysql -h {host} -P {port} -u {user} -p {name} < {script}"
    if engine.kind == "postgresql":
        return (
            f'psql "host={host} port={port} dbname={name} user={user}" '
            f"-v ON_ERROR_STOP=1 -f {script}"
        )
    if engine.kind == "oracle":
        return f"sqlplus -L {user}@//{url_host(host)}:{port}/{name} @{script}"
    if engine.kind == "mssql":
        return f"sqlcmd -S {host},{port} -U {user} -d {name} -b -i {script}"
    # The DB2 CLP keeps the connection between commands of one shell session. WSO2's DB2
    # scripts end their statements with '/'.
    return f"db2 CONNECT TO {name.upper()} USER {user} && db2 -td/ -vf {script}; db2 CONNECT RESET"


def readme_section(plan: Plan) -> str:
    """Markdown for the README: the setup scripts per server, then the schema steps."""
    out: list[str] = []
    for script in scripts_of(plan, check=False):
        if script.service:
            names = "schemas " + ", ".join(
                f"`{db.roles[0].user.upper()}`" for db in script.databases
            )
        else:
            names = ", ".join(f"`{db.name}`" for db in script.databases)
        where = f"{script.host}:{script.port}"
        if script.service:
            where += f" (service `{script.service}`)"
        out += [
            f"**{where}** ({plan.engine.label}: {names}) — run `{script.path}` as {script.run_as}:",
            "",
            "```sh",
            script.command,
            "```",
            "",
        ]
    if plan.engine.kind == "db2":
        users = ", ".join(sorted({db.user for db in plan.databases}))
        out += [
            f"DB2 logs users in through the operating system: create the OS users {users} "
            "on the DB2 server, with the passwords of this plan, before the nodes start.",
            "",
        ]
    out += [
        "Then check from this machine that every database answers and takes its user's "
        "password: export the variables `topology.toml` names (`password_env`) and run "
        "`carbon-wizard probe .` here. It prints ok, FAILED (with the reason: refused, "
        "timeout, auth, no such database) or skipped per database, never a password, and "
        "exits 1 if any failed. Without the optional drivers (`pip install "
        "'carbon-wizard[probe]'`) it stops after the TCP connect.",
        "",
        "### 2. Create the WSO2 tables (each database's own user)",
        "",
        "Run these from a PRODUCT_HOME of the product named (the unzipped distribution: its "
        f"`dbscripts/` folder{_profile_folders(plan)}), on any machine whose database client "
        "reaches the server, so that the tables belong to the database's own user. Each "
        "command asks for that user's password (the one in your answers, or in the variable "
        "its `password_env` names). Run every script once, in this order, before the first "
        "node starts. "
        f"The kernel script `{plan.engine.kernel_script}` creates 40 tables: 17 `REG_*` and "
        "23 `UM_*`.",
        "",
    ]
    labels = {node.product_key: f"{node.product_label} {node.version}" for node in plan.nodes}
    answers = plan.topology.model_dump(exclude_none=True)
    for step in schema_steps(plan):
        out += [
            f"#### {_database_title(answers, plan.database(step.database_key))}: "
            f"`{step.name}` on {step.host}:{step.port} as `{step.user}`",
            "",
        ]
        if step.scripts:
            # The profiles of one product are one distribution: name it once.
            homes = " or ".join(dict.fromkeys(labels.get(p, p) for p in step.products))
            out += [
                f"From the PRODUCT_HOME of {homes}:" if homes else "From any PRODUCT_HOME:",
                "",
                "```sh",
                step.command,
                "```",
                "",
            ]
        elif not step.warnings:
            out += ["Nothing to run.", ""]
        out += [f"- **Note:** {w}" for w in step.warnings]
        if step.warnings:
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _profile_folders(plan: Plan) -> str:
    """Where the plan's profiles keep their own scripts, when not in PRODUCT_HOME/dbscripts
    (EI 6.x: wso2/<profile>/dbscripts, see `Profile.dbscripts_root`)."""
    own: dict[str, dict[str, str]] = {}
    for product in plan.topology.products:
        spec = PRODUCTS[product.id]
        profile = spec.profile(product.profile)
        if profile.dbscripts_root != "dbscripts":
            own.setdefault(spec.label, {})[profile.name] = f"`{profile.dbscripts_root}/`"
    out = ""
    for label, found in own.items():
        whose = _n(list(found), "profile's", "profiles'")
        out += f"; {label} keeps its {' and '.join(found)} {whose} own in "
        out += " and ".join(found.values())
    return out


def _physical(db: DatabasePlan) -> tuple[str, ...]:
    host, port, name, schema = db.physical_key
    if db.engine == "db2":
        # DB2 puts unqualified tables in a schema named after the user: two users of one
        # database each need the kernel tables.
        schema = db.user.upper()
    return (host, str(port), name, schema)


def _homes(plan: Plan, db: DatabasePlan, scripts: Iterable[str], engine: Engine) -> tuple[str, ...]:
    """Products whose distribution ships all of `scripts` (the kernel's are in every one)."""
    scripts = list(scripts)
    if all(s == engine.kernel_script for s in scripts):
        return db.products
    return tuple(p for p in db.products if _ships(plan, p, scripts, engine))


def _ships(plan: Plan, product_key: str, scripts: list[str], engine: Engine) -> bool:
    """Whether the distribution of the product cluster `product_key` holds `scripts`: one
    distribution holds every profile of its product (EI: each under wso2/<profile>/)."""
    product = next((p for p in plan.topology.products if p.key == product_key), None)
    if product is None:
        return True
    spec = PRODUCTS[product.id]
    own = {
        s
        for profile in spec.profiles.values()
        for pdb in profile.databases
        for s in profile.scripts(pdb, engine, product.version)
    }
    return all(s == engine.kernel_script or s in own for s in scripts)


def _warnings(db: DatabasePlan, scripts: tuple[str, ...], engine: Engine) -> list[str]:
    if not scripts:
        return []
    listed = ", ".join(scripts)
    they = _n(scripts, "it", "each")
    out = []
    rerun = RERUN.get(db.datasource_name, {}).get(engine.kind) if db.role == "product" else None
    if rerun is not None:
        out.append(f"Run {they} once, before the first node starts: {listed}: {rerun}.")
    if engine.kind == "postgresql":
        if rerun is None:
            out.append(
                # Run twice on PostgreSQL 15: the kernel script re-creates REG_CLUSTER_LOCK
                # and REG_LOG empty, then stops at REG_PATH; identity re-creates
                # IDN_BASE_TABLE, then stops; UMA and consent stop at their first DROP.
                f"Run {they} once, before the first node starts: {listed} "
                f"{_n(scripts, 'drops', 'drop')} some of {_n(scripts, 'its', 'their')} "
                "tables (DROP TABLE IF EXISTS) before creating them, so a second run once "
                f"nodes use {db.name} can empty those tables before it stops on the first it "
                "cannot create. NOTICEs about missing tables on the first run are expected."
            )
        # BPEL's create script uses ABSTIME (PostgreSQL removed it in 12) in every BPS 3.x and
        # EI 6.x: carbon-business-process changed it only in v4.5.49 (bps-3.6.0 SOURCES.md).
        out += [
            f"{s} fails on PostgreSQL 12 and later: its column type ABSTIME no longer exists, "
            "so it stops at its line 34 with three of its tables made. Load it on PostgreSQL "
            "11 or older, or change ABSTIME to TIMESTAMP in a copy of the script first; after "
            f"a failed run, drop {db.name}, run the setup script again to re-create it, and "
            "load the copy."
            for s in scripts
            if _in_dbscripts(s).startswith("bps/bpel/")
        ]
    elif engine.kind == "mssql":
        if rerun is None:
            out.append(
                # Read from the scripts: the kernel's mssql.sql drops and re-creates indexes;
                # product scripts guard their CREATE TABLEs but not their indexes and INSERTs.
                f"Run {they} once, before the first node starts: {listed}: a second run "
                "re-runs index and INSERT statements (the kernel script drops and re-creates "
                f"its indexes), which fails or changes tables while nodes use {db.name}."
            )
    elif engine.kind == "mysql":
        if rerun is None:
            out.append(
                f"Run {they} once: {listed} cannot run twice (a second run stops with an error "
                "such as ERROR 1061 Duplicate key name)."
            )
        out.append(
            f"If a first run stops half-way, before any node has started: drop {db.name}, run "
            "the setup script again to re-create it, and run every step on it again."
        )
        latin = [s for s in scripts if needs_latin1(s, engine)]
        if latin:
            out.append(
                f"{db.name} must be latin1: {', '.join(latin)} {_n(latin, 'fails', 'fail')} "
                "in a utf8mb4 database "
                "with ERROR 1071 (Specified key was too long). The setup script creates it "
                "with CHARACTER SET latin1; if it existed before, check with SHOW CREATE "
                f"DATABASE {db.name}."
            )
    elif engine.kind == "oracle":
        out.append(
            "sqlplus stays at the SQL> prompt when a script ends: read the output for ORA- "
            "errors, then type EXIT."
        )
    elif engine.kind == "db2":
        name = db.name.upper()
        out.append(
            f"The DB2 CLP must know database {name}: run these on the DB2 server, or catalog "
            f"it first (db2 CATALOG TCPIP NODE <node> REMOTE {db.host} SERVER {db.port}; "
            f"db2 CATALOG DATABASE {name} AT NODE <node>)."
        )
        out += [
            # Both statements come after the OAuth tables, just before IDN_SCIM_GROUP (API
            # Manager 2.6.0 apimgt/db2.sql lines 196-200, IS 5.7.0 identity/db2.sql 195-199).
            f"{s} creates bufferpool BP32K and tablespace TS32K (for its IDN_SCIM_GROUP "
            f"table), which {db.user} may not: the setup script created both and lets "
            f"{db.user} use TS32K, so the two errors there are expected and the CLP carries on."
            for s in scripts
            if s in DB2_TS32K_SCRIPTS
        ]
    return out


def _catalog_notes(plan: Plan, db: DatabasePlan, engine: Engine) -> list[str]:
    """What the catalog says of a product database: optional, or no script for the engine."""
    cluster = db.key.partition(":")[0]
    product = next((p for p in plan.topology.products if p.key == cluster), None)
    if db.role != "product" or product is None:
        return []
    out = []
    for pdb in PRODUCTS[product.id].profile(product.profile).databases:
        if pdb.key == db.datasource_name and pdb.optional_for(len(product.nodes)):
            out.append(f"{pdb.key} is optional: without it, {pdb.left_out}.")
        if pdb.key == db.datasource_name and pdb.creates_tables:
            out.append(f"No script to run for {pdb.key}: {pdb.creates_tables}.")
        if pdb.key == db.datasource_name and engine.kind in pdb.unshipped:
            out.append(
                f"WSO2 ships no {engine.label} script for {pdb.key}: create its tables another "
                "way (the product's scripts for other engines show them) before the first "
                "node starts."
            )
    return out


def _in_dbscripts(script: str) -> str:
    """The script's path below its dbscripts folder (`dbscripts/` or `wso2/<p>/dbscripts/`)."""
    return script.rpartition("dbscripts/")[2]


def _n(items: Sequence[object], one: str, many: str) -> str:
    return one if len(items) == 1 else many


def _database_title(answers: dict[str, object], db: DatabasePlan) -> str:
    """A database as the Database step's card names it ("Registry (config + governance)",
    "API Manager · WSO2AM_DB"), not by its key (`registry`, `apim:WSO2AM_DB`)."""
    from wizard.labels import SEPARATOR, field_label

    named = field_label(answers, f"{db.answers_path}.name")
    if SEPARATOR not in named:
        return f"`{db.key}`"
    return named.rsplit(SEPARATOR, 1)[0]
