"""Answer problems as (field path, message) pairs, shared by every front end.

The TUI puts a problem next to the field named by its path, the prompt mode asks again,
and the command line prints them; all of them read the same sentences from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # pydantic loads with the model; the prompt mode and the CLI start without it.
    from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class Problem:
    path: str
    """Where the answer lives, e.g. `products[1].nodes[0].host` ("" for the whole plan)."""
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class Problems(ValueError):
    """Several problems found together; raised inside validators and by the loaders."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class AnswersError(Exception):
    """Answers that do not make a valid plan; `problems` says which field and how to fix it."""

    def __init__(self, problems: Iterable[Problem], source: str = "") -> None:
        self.problems = tuple(problems)
        self.source = source
        super().__init__(self.report())

    def report(self) -> str:
        head = f"{self.source}: " if self.source else ""
        count = len(self.problems)
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} in the answers:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def join_path(*parts: str | int) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part:
            out += f".{part}" if out else part
    return out


def _accepted_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """Walk the model classes along `loc` to list the keys accepted where an unknown one was."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", None)
        if not fields:
            # A dict of models: the key is free, the value is the model.
            continue
        field = fields.get(part)
        if field is None:
            return None
        current = _model_in(field.annotation)
    fields = getattr(current, "model_fields", None)
    return sorted(fields) if fields else None


def _model_in(annotation: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


REQUIRED = "no value; an answer is required here"
"""Said at a field left empty that the plan cannot do without (both front ends)."""

_MISSING = {
    # A list, not a box: "no value" read as if a box had been left empty.
    "nodes": "no nodes yet; add at least one: a host, a list (a, b) or a pattern such as "
    "10.0.1.{11..13}",
}
"""What is said for a missing answer that is not a single box's value, by its key."""


def from_validation_error(exc: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """Turn pydantic's errors into problems whose paths match the answers file."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        path = join_path(*loc)
        error = (err.get("ctx") or {}).get("error")
        if isinstance(error, Problems):
            problems += [Problem(join_path(path, p.path), p.message) for p in error.problems]
            continue
        kind = err["type"]
        if kind == "extra_forbidden":
            keys = _accepted_keys(model, loc)
            hint = f"; accepted here: {', '.join(keys)}" if keys else ""
            problems.append(Problem(path, f"unknown key '{loc[-1]}'{hint}"))
        elif kind == "missing":
            problems.append(Problem(path, _MISSING.get(str(loc[-1]) if loc else "", REQUIRED)))
        elif kind == "literal_error":
            expected = (err.get("ctx") or {}).get("expected", "")
            problems.append(Problem(path, f"'{err['input']}' is not one of {expected}"))
        elif isinstance(error, ValueError):
            problems.append(Problem(path, str(error)))
        else:
            said = _said(kind, err.get("input"), err.get("ctx") or {}, loc)
            problems.append(Problem(path, said or _plain(err["msg"])))
    return problems


# The model's own sentences for the library's checks of a value's type and range: what is
# wrong and what to type, in the words of the screens (the path says which field).
_NOT_A_NUMBER = {"int_parsing", "int_type", "int_from_float", "float_parsing", "float_type"}
_NOT_TRUE_OR_FALSE = {"bool_parsing", "bool_type"}


def _said(kind: str, value: Any, ctx: dict[str, Any], loc: tuple[Any, ...]) -> str | None:
    if kind in _NOT_A_NUMBER:
        return f"'{value}' is not a whole number; type digits only"
    if kind in ("less_than_equal", "less_than"):
        most = ctx.get("le", ctx.get("lt"))
        why = ""
        if loc and loc[-1] == "offset":
            from wizard.catalog import HIGHEST_DEFAULT_PORT

            why = (
                f" (an offset shifts every Carbon port, the highest being "
                f"{HIGHEST_DEFAULT_PORT}, and a port cannot pass 65535)"
            )
        return f"{value} is too large; at most {most}{why}"
    if kind in ("greater_than_equal", "greater_than"):
        least = ctx.get("ge", ctx.get("gt"))
        return f"{value} is too small; at least {least}"
    if kind in _NOT_TRUE_OR_FALSE:
        return f"'{value}' is neither true nor false"
    if kind == "string_type":
        return f"{value!r} is not text; put it in quotes"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "is not a table; give its keys under a [section] heading"
    if kind == "list_type":
        return "is not a list; give it as [ ... ] or as [[section]] tables"
    return None


def _plain(msg: str) -> str:
    # pydantic prefixes custom messages with "Value error, "; the field path says enough.
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg[:1].lower() + msg[1:]
