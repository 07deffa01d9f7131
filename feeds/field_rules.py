"""The fields of a reported row, one rule each: the one table both ingest paths read.

Per field: its name, whether a CSV or Excel header must have the column, how its raw value
(JSON or CSV text) becomes a typed one, the problem code when it cannot, and what was
expected. The texts an agency reads for each code live beside the code (``feeds.problems``).
What needs the catalogue or the reporter (the indicator exists and is the agency's, the area
is its to report, the period has the indicator's frequency and is not in the future, the
value is in range) is ``feeds.ingest._RowCheck``'s methods; the fast path asks them too,
once per distinct value in a batch.

``feeds.ingest`` runs these rules twice: the fast path calls ``parse`` and gives up at the
first ``INVALID``; the full path calls the same ``parse`` and names every problem. Neither
has a parser of its own, so they cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, auto
from typing import Final, Generic, Literal, TypeAlias, TypeVar

from feeds.problems import Problem
from geo.codelists import CodeList

MAX_NOTE = 2000

T = TypeVar("T")


class Invalid(Enum):
    """What a parser returns for a raw value it cannot take (None is a valid note)."""

    INVALID = auto()


INVALID: Final = Invalid.INVALID
Parsed: TypeAlias = T | Literal[Invalid.INVALID]  # generic: Parsed[float]


@dataclass(frozen=True, slots=True)
class FieldRule(Generic[T]):
    name: str
    required: bool  # a CSV or Excel header without this column is refused
    parse: Callable[[object], Parsed[T]]  # never raises
    problem: Problem  # when ``parse`` gives INVALID
    expected: Callable[[object], str]  # what was allowed, for the raw value that failed


def _says(text: str) -> Callable[[object], str]:
    return lambda _raw: text


def parse_text(raw: object) -> Parsed[str]:
    return raw if isinstance(raw, str) else INVALID


def parse_optional_text(raw: object) -> Parsed[str | None]:
    """Text, or None for an absent or empty cell."""
    if raw is None or raw == "":
        return None
    return raw if isinstance(raw, str) else INVALID


def parse_number(raw: object) -> Parsed[float]:
    """A finite float from a JSON number (never a bool) or decimal text (blanks allowed)."""
    if type(raw) is int:  # the usual JSON case first: this runs once per row
        return float(raw)
    if isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            return INVALID
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    else:
        return INVALID
    return value if math.isfinite(value) else INVALID


def _number_expected(raw: object) -> str:
    hint = " (decimal point, not comma)" if isinstance(raw, str) and "," in raw else ""
    return f"a finite number{hint}"


def whole_number(text: str) -> bool:
    """ASCII digits, blanks around allowed: ``str.isdigit`` alone passes '²', which
    ``int`` refuses."""
    digits = text.strip()
    return digits.isascii() and digits.isdigit()


def parse_revision(raw: object) -> Parsed[int]:
    """0 when absent; a whole number >= 0 as a JSON integer (never a bool) or digits."""
    if raw is None or raw == "":
        return 0
    if isinstance(raw, str):
        return int(raw) if whole_number(raw) else INVALID
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw
    return INVALID


def parse_note(raw: object) -> Parsed[str | None]:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and len(raw) <= MAX_NOTE:
        return raw
    return INVALID


INDICATOR: FieldRule[str] = FieldRule(
    "indicator",
    True,
    parse_text,
    Problem.UNKNOWN_INDICATOR,
    _says("an indicator code"),
)
AREA_CODE: FieldRule[str | None] = FieldRule(
    "area_code",
    False,
    parse_optional_text,
    Problem.UNKNOWN_PROVINCE,
    _says("a GSO province code, empty for the nation"),  # the check names the list's codes
)
CODE_LIST: FieldRule[str | None] = FieldRule(
    "code_list",
    False,
    parse_optional_text,
    Problem.UNKNOWN_CODE_LIST,
    _says(" or ".join(CodeList) + " with a province code"),
)
PERIOD: FieldRule[str] = FieldRule(
    "period",
    True,
    parse_text,
    Problem.MALFORMED_PERIOD,
    _says("a period key such as 2026-10"),
)
VALUE: FieldRule[float] = FieldRule(
    "value", True, parse_number, Problem.NOT_A_NUMBER, _number_expected
)
REVISION: FieldRule[int] = FieldRule(
    "revision", False, parse_revision, Problem.BAD_REVISION, _says("a whole number >= 0")
)
NOTE: FieldRule[str | None] = FieldRule(
    "note",
    False,
    parse_note,
    Problem.BAD_NOTE,
    _says(f"text of at most {MAX_NOTE} characters"),
)

# In the order a row's problems are reported, and a CSV template's columns are listed.
FIELD_RULES: tuple[FieldRule[object], ...] = (
    INDICATOR,
    AREA_CODE,
    CODE_LIST,
    PERIOD,
    VALUE,
    REVISION,
    NOTE,
)  # type: ignore[assignment]
FIELDS: tuple[str, ...] = tuple(rule.name for rule in FIELD_RULES)
FIELD_SET: frozenset[str] = frozenset(FIELDS)
REQUIRED: tuple[str, ...] = tuple(rule.name for rule in FIELD_RULES if rule.required)
