"""The wizard's steps as data, shared by the full-screen app and the prompt mode.

Both front ends walk the same steps and send the operator to the same place for a problem:
`step_for_path` maps a Problem's field path to the step whose screen (or questions) can
change that field. Nothing here imports a UI, and the heavy core (pydantic) only loads when
answers are actually validated, so the CLI can call `should_use_plain` for free.

Beside the steps: the checks of one step on unfinished answers, the preset answers still to
confirm, which step fixes a rule finding, and what both front ends fill in the same way (a
free port offset; host patterns, from wizard.host_patterns).
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# Host patterns have their own module; both front ends reach them through the steps.
from wizard.host_patterns import MAX_PATTERN_HOSTS as MAX_PATTERN_HOSTS
from wizard.host_patterns import expand_hosts as expand_hosts

if TYPE_CHECKING:
    from wizard.problems import Problem


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    help: str


STEPS: tuple[Step, ...] = (
    Step(
        "start",
        "Start",
        "Begin a new plan, start from a preset, or resume a saved session; name the plan.",
    ),
    Step(
        "products",
        "Products",
        "The WSO2 products and versions to cluster and, optionally, each product's "
        "distribution on this machine (its stock files are then patched).",
    ),
    Step(
        "nodes",
        "Nodes",
        "Per product, the nodes: host names or IP addresses and port offsets; clustering.",
    ),
    Step(
        "layout",
        "Registry layout",
        "Config and governance registry in one database (shared) or two (split), and where "
        "each product's config partition is mounted; the next step names the databases "
        "this implies.",
    ),
    Step(
        "database",
        "Database",
        "Engine, server host and port, URL options, and each database's name, user and "
        "password (typed, or read from an environment variable when the tree is written).",
    ),
    Step(
        "preview",
        "Preview",
        "The topology as a picture and the WSO2 rule checks, before anything is written.",
    ),
    Step("write", "Write", "Choose the output directory and write the tree."),
)

STEP_IDS: tuple[str, ...] = tuple(s.id for s in STEPS)


def step(step_id: str) -> Step:
    for s in STEPS:
        if s.id == step_id:
            return s
    raise KeyError(step_id)


def step_index(step_id: str) -> int:
    return STEP_IDS.index(step_id)


def next_step(step_id: str) -> str:
    """The step after `step_id`; the last step is its own successor."""
    i = step_index(step_id)
    return STEP_IDS[min(i + 1, len(STEP_IDS) - 1)]


_PRODUCT = re.compile(r"^products\[\d+\](?:\.(?P<rest>.*))?$")
_DB_ROLES = ("registry", "config", "governance")


def split_path(path: str) -> list[str | int]:
    """`products[0].databases.WSO2AM_DB.name` -> ['products', 0, 'databases', ...]."""
    parts: list[str | int] = []
    for piece in path.replace("[", ".[").split("."):
        if not piece:
            continue
        if piece.startswith("[") and piece.endswith("]") and piece[1:-1].isdigit():
            parts.append(int(piece[1:-1]))
        else:
            parts.append(piece)
    return parts


def lookup(data: Any, path: str, default: Any = None) -> Any:
    """The value at `path` in raw (possibly unfinished) answers; `default` when any part of
    the path is missing."""
    node = data
    for part in split_path(path):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return default
        elif not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def step_for_path(path: str) -> str:
    """The step whose questions change the field at `path` (a Problem path)."""
    parts = split_path(path)
    if not parts:
        # Whole-plan problems (a tree that breaks a rule, an unreadable file) are read
        # where the whole plan is shown.
        return "preview"
    head = parts[0]
    if head in ("name", "description", "schema_version"):
        return "start"
    if head == "cluster":
        # The driver jar and Secure Vault concern datasources; the rest is node wiring.
        if len(parts) > 1 and parts[1] in ("driver_jar", "secure_vault"):
            return "database"
        return "nodes"
    if head == "database":
        if len(parts) == 1:
            return "database"
        if parts[1] == "layout":
            return "layout"
        if parts[1] in _DB_ROLES and len(parts) == 2:
            # A registry database that is missing, or present under the wrong layout,
            # is fixed by choosing the layout; its name/user/password by the database step.
            return "layout"
        return "database"
    if head == "products":
        match = _PRODUCT.match(path)
        rest = split_path(match.group("rest") or "") if match else []
        if not rest:
            return "products"
        key = rest[0]
        if key == "nodes":
            return "nodes"
        if key == "config_target":
            return "layout"
        if key == "config_database":
            return "layout" if len(rest) == 1 else "database"
        if key == "databases":
            return "database"
        return "products"
    # Unknown top-level keys are read at the start, where the plan is named.
    return "start"


def problems_for_step(data: Any, step_id: str) -> list[Problem]:
    """The problems the operator can fix at `step_id`, given the answers so far.

    Later steps may not be answered yet; their sections are filled with placeholders so
    that the cross-field checks of the earlier steps (e.g. two nodes on one host with one
    offset) still run. Placeholder problems belong to later steps and are filtered out.
    """
    from wizard import answers
    from wizard.problems import AnswersError, Problem

    if not isinstance(data, Mapping):
        return [Problem("", "the answers are not a table")] if step_id == "preview" else []
    scaffolded = _scaffold(data, step_index(step_id))
    try:
        answers.parse(scaffolded)
    except AnswersError as exc:
        return [p for p in exc.problems if step_for_path(p.path) == step_id]
    return []


def problems_by_step(data: Any) -> dict[str, list[Problem]]:
    """Every problem of complete answers, grouped by the step that fixes it (step order)."""
    from wizard import answers
    from wizard.problems import AnswersError, Problem

    if not isinstance(data, Mapping):
        return {"preview": [Problem("", "the answers are not a table")]}
    try:
        answers.parse(copy.deepcopy(dict(data)))
    except AnswersError as exc:
        grouped: dict[str, list[Problem]] = {}
        for p in exc.problems:
            grouped.setdefault(step_for_path(p.path), []).append(p)
        return {s: grouped[s] for s in STEP_IDS if s in grouped}
    return {}


_PLACEHOLDER_ENV = "CW_PLACEHOLDER_PASSWORD"


def _scaffold(data: Mapping[str, Any], upto: int) -> dict[str, Any]:
    """A copy of `data` with what steps after index `upto` answer filled with placeholders."""
    from wizard.catalog import PRODUCTS

    out: dict[str, Any] = copy.deepcopy(dict(data))
    later = {s for s in STEP_IDS[upto + 1 :]}
    counter = itertools.count(1)

    def spec() -> dict[str, Any]:
        n = next(counter)
        return {"name": f"CWPH{n}", "user": f"cwph{n}", "password_env": _PLACEHOLDER_ENV}

    def password_source(value: Any) -> None:
        if isinstance(value, dict) and "password" not in value and "password_env" not in value:
            value["password_env"] = _PLACEHOLDER_ENV

    if "products" in later and not out.get("products"):
        out["products"] = [{"id": "esb", "version": "5.0.0"}]
    products = out.get("products")
    if isinstance(products, list):
        for pi, product in enumerate(products):
            if not isinstance(product, dict):
                continue
            if "nodes" in later and not product.get("nodes"):
                product["nodes"] = [{"id": f"cw-placeholder-{pi}", "host": f"cw-ph-{pi}.invalid"}]
            if "database" in later:
                known = PRODUCTS.get(product.get("id", ""))
                profiles = known.profiles if known else {}
                profile = product.get("profile") or (known.default_profile if known else None)
                # An optional database (ACTIVITI_DB) may stay out of the answers: no placeholder;
                # one the cluster's size makes needed (IS's BPS_DS on two nodes) gets one.
                nodes = product.get("nodes")
                count = len(nodes) if isinstance(nodes, list) else 0
                wanted = profiles[profile].required_for(count) if profile in profiles else ()
                dbs = product.setdefault("databases", {})
                if isinstance(dbs, dict):
                    for pdb in wanted:
                        dbs.setdefault(pdb.key, spec())
                    for value in dbs.values():
                        password_source(value)
                password_source(product.get("config_database"))
    if "database" in later:
        db = out.setdefault("database", {})
        if isinstance(db, dict):
            db.setdefault("engine", "postgresql")
            db.setdefault("host", "cw-placeholder.invalid")
            db.setdefault("user_management", spec())
            for role in (*_DB_ROLES, "user_management"):
                password_source(db.get(role))
    # The registry databases: which ones the layout says (its own step, or the default), and
    # their names and passwords the database step's.
    if "layout" in later or "database" in later:
        db = out.get("database")
        if isinstance(db, dict):
            if db.get("layout", "shared") == "shared":
                db.setdefault("registry", spec())
            else:
                db.setdefault("governance", spec())
                needs_common = not isinstance(products, list) or any(
                    isinstance(p, dict) and p.get("config_database") is None for p in products
                )
                if needs_common:
                    db.setdefault("config", spec())
    return out


PLAIN_VARIABLE = "CARBON_WIZARD_PLAIN"


def should_use_plain(
    env: Mapping[str, str], stdin_isatty: bool, stdout_isatty: bool
) -> tuple[bool, str | None]:
    """Whether the full-screen app cannot (or should not) run, and the note to print.

    The note is None when the operator asked for plain prompts, since they know why.
    """
    if env.get(PLAIN_VARIABLE, "").strip() not in ("", "0"):
        return True, None
    if not stdin_isatty:
        return True, "standard input is not a terminal, so the full-screen wizard cannot run"
    if not stdout_isatty:
        return True, (
            "standard output is not a terminal, so the full-screen wizard cannot draw; "
            "asking plain questions instead"
        )
    term = env.get("TERM", "").strip()
    if not term:
        return True, (
            "TERM is not set, so the full-screen wizard cannot draw; asking plain questions "
            "instead (set TERM, e.g. TERM=xterm-256color, for the full-screen wizard)"
        )
    if term == "dumb":
        return True, (
            "TERM=dumb cannot show the full-screen wizard; asking plain questions instead "
            "(set TERM, e.g. TERM=xterm-256color, for the full-screen wizard)"
        )
    return False, None


# ---- answers a preset marks as site-specific -------------------------------------------

CONFIRM_KEY = "confirm"


def pending_confirmations(data: Any) -> list[str]:
    """Paths still to confirm, keeping only those that name an answer that exists."""
    marks = data.get(CONFIRM_KEY) if isinstance(data, dict) else None
    if not isinstance(marks, list):
        return []
    return [p for p in marks if isinstance(p, str) and lookup(data, p) is not None]


def confirm(data: dict[str, Any], path: str) -> None:
    """Mark `path` confirmed (or changed): it no longer holds up writing."""
    marks = data.get(CONFIRM_KEY)
    if isinstance(marks, list):
        remaining = [p for p in marks if p != path]
        if remaining:
            data[CONFIRM_KEY] = remaining
        else:
            data.pop(CONFIRM_KEY, None)


def confirmation_problems(data: Any) -> list[Problem]:
    """One problem per site-specific answer not yet confirmed, at its own field."""
    from wizard.problems import Problem

    return [
        Problem(
            path,
            f"comes from the preset ({lookup(data, path)!r}); confirm it for this site or "
            "change it before writing",
        )
        for path in pending_confirmations(data)
    ]


# ---- where a rule finding is fixed ------------------------------------------------------

# Reference §8: which answers each WSO2 rule is about, hence the step that changes them.
_RULE_STEPS = {
    **dict.fromkeys(range(1, 12), "database"),  # datasources, drivers, Secure Vault
    **dict.fromkeys(range(12, 23), "layout"),  # registry mounts and partitions
    **dict.fromkeys(range(23, 26), "database"),  # the user-management realm
    26: "products",  # product files naming datasources (from the distribution)
    27: "database",
    28: "database",
    29: "nodes",  # port offsets
    30: "nodes",  # clustering
    31: "products",  # EI profile layout
    **dict.fromkeys(range(32, 37), "products"),  # user store, identity data, KM, balancers
    37: "database",  # BPEL, BPMN and broker data on the nodes' own H2 (product databases)
    38: "database",  # a loopback database host for nodes on several machines
    39: "preview",  # the README's order: read where the whole plan is shown
}


def step_for_rule(rule: int) -> str:
    """The step whose answers fix a finding of `rule` (0, a missing file: the preview)."""
    return _RULE_STEPS.get(rule, "preview")


# ---- answers both front ends fill in the same way ---------------------------------------


def free_offset(data: Any, host: str) -> int:
    """The lowest port offset whose Carbon ports clash with no node already on `host`."""
    from wizard.catalog import CARBON_PORTS, MAX_OFFSET

    taken: set[int] = set()
    products = data.get("products") if isinstance(data, dict) else None
    for product in products if isinstance(products, list) else []:
        nodes = product.get("nodes") if isinstance(product, dict) else None
        for node in nodes if isinstance(nodes, list) else []:
            if isinstance(node, dict) and node.get("host") == host:
                offset = node.get("offset", 0)
                if isinstance(offset, int):
                    taken |= {port + offset for port in CARBON_PORTS.values()}
    for offset in range(MAX_OFFSET + 1):
        if not taken & {port + offset for port in CARBON_PORTS.values()}:
            return offset
    return 0
