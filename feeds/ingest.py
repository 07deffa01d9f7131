"""Checking a batch of reported rows before anything is stored: pure, all-or-nothing.

    RequestError (command_center.errors)
    ├── BatchRejected   422 invalid_observations: one ``RowProblem`` per bad field, all at once
    └── BatchTooLarge   413 batch_too_large: more than ``MAX_ROWS`` rows

A raw row is the same flat mapping for JSON and CSV (``feeds.csv_batch``): ``indicator``,
``area_code`` (empty: national), ``code_list`` (``gso-63``/``gso-34``, with a code only),
``period``, ``value``, optional ``revision`` and ``note``. Nothing here reads the clock or
the store: callers pass ``now``; conflicts with stored revisions are the store's business.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from command_center.errors import RequestError
from command_center.spec_problems import did_you_mean
from feeds.agencies import ReportingScope
from feeds.catalogue import Catalogue, Indicator, Level
from feeds.observations import Area, Observation
from feeds.periods import current_period, parse_period_key
from geo.codelists import CodeList
from geo.errors import UnknownProvinceError
from geo.provinces import codes, province

MAX_ROWS = 10_000
FIELDS = ("indicator", "area_code", "code_list", "period", "value", "revision", "note")
MAX_NOTE = 2000
_PERIOD_SHAPES = {
    "daily": "2026-10-19",
    "weekly": "2026-W42",
    "monthly": "2026-10",
    "quarterly": "2026-Q3",
    "yearly": "2026",
}


@dataclass(frozen=True)
class RowProblem:
    """One bad field: ``row`` counts from 0 in the batch; ``line`` is the CSV line, if any."""

    row: int
    field: str
    problem: str  # a stable code: unknown_indicator, not_permitted, out_of_range, ...
    expected: str
    got: Any
    line: int | None = None

    def as_detail(self) -> dict[str, Any]:
        detail = {
            "row": self.row,
            "field": self.field,
            "problem": self.problem,
            "expected": self.expected,
            "got": self.got,
        }
        if self.line is not None:
            detail["line"] = self.line
        return detail

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else f"row {self.row}"
        return f"{where}: {self.field}: {self.problem}: expected {self.expected} (got {self.got!r})"


class BatchRejected(RequestError):
    status = 422
    code = "invalid_observations"

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
        super().__init__(
            f"batch rejected, nothing stored: {len(problems)} problem(s): {shown}{more}",
            [p.as_detail() for p in problems],
        )


class BatchTooLarge(RequestError):
    status = 413
    code = "batch_too_large"


@dataclass(frozen=True)
class Reporter:
    """Who sends the batch: their scope, and the code list their province codes are in."""

    scope: ReportingScope
    code_list: CodeList  # the agency registry's list; a province reports only in it


def check_size(count: int) -> None:
    if count > MAX_ROWS:
        raise BatchTooLarge(
            f"batch of {count} rows is over the limit of {MAX_ROWS}; split it",
            [{"field": "observations", "expected": f"at most {MAX_ROWS} rows", "got": count}],
        )


def validate_batch(
    rows: Sequence[object],
    catalogue: Catalogue,
    reporter: Reporter,
    now: datetime,
    lines: Sequence[int] | None = None,
) -> list[Observation]:
    """Typed observations stamped with ``now``, or ``BatchRejected`` naming every problem."""
    check_size(len(rows))
    received_at = now.timestamp() * 1000.0
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, str], int] = {}
    accepted: list[Observation] = []
    for index, raw in enumerate(rows):
        row = _RowCheck(index, lines[index] if lines is not None else None)
        observation = row.check(raw, catalogue, reporter, now, received_at)
        if observation is not None:
            first = seen.setdefault(observation.key, index)
            if first != index:
                row.add(
                    "period",
                    "duplicate",
                    f"each (indicator, area, period) once per batch; row {first} has it",
                    observation.period,
                )
            else:
                accepted.append(observation)
        problems += row.problems
    if problems:
        raise BatchRejected(problems)
    return accepted


class _RowCheck:
    """The problems of one row; each check adds to them and returns None when it failed."""

    def __init__(self, index: int, line: int | None) -> None:
        self.index = index
        self.line = line
        self.problems: list[RowProblem] = []

    def add(self, field: str, problem: str, expected: str, got: Any) -> None:
        self.problems.append(RowProblem(self.index, field, problem, expected, got, self.line))

    def check(
        self,
        raw: object,
        catalogue: Catalogue,
        reporter: Reporter,
        now: datetime,
        received_at: float,
    ) -> Observation | None:
        if not isinstance(raw, Mapping):
            self.add("row", "not_an_object", "an object with " + ", ".join(FIELDS), raw)
            return None
        for name in sorted(set(raw) - set(FIELDS)):
            self.add(name, "unknown_field", "one of " + ", ".join(FIELDS), raw[name])
        indicator = self._indicator(raw.get("indicator"), catalogue, reporter)
        area = self._area(raw.get("area_code"), raw.get("code_list"), indicator, reporter)
        period = self._period(raw.get("period"), indicator, now)
        value = self._value(raw.get("value"), indicator)
        revision = self._revision(raw.get("revision"))
        note = self._note(raw.get("note"))
        if self.problems or indicator is None or area is None or period is None:
            return None
        assert value is not None and revision is not None
        return Observation(
            indicator=indicator.code,
            area=area,
            period=period,
            value=value,
            revision=revision,
            note=note,
            agency=reporter.scope.agency,
            received_at=received_at,
        )

    def _indicator(
        self, code: object, catalogue: Catalogue, reporter: Reporter
    ) -> Indicator | None:
        if not isinstance(code, str) or code not in catalogue:
            hint = did_you_mean(code, catalogue.codes) or "a catalogue code"
            self.add("indicator", "unknown_indicator", f"an indicator code ({hint})", code)
            return None
        if code not in reporter.scope.indicators:
            mine = ", ".join(sorted(reporter.scope.indicators)) or "none"
            self.add(
                "indicator",
                "not_permitted",
                f"an indicator agency '{reporter.scope.agency}' reports ({mine})",
                code,
            )
            return None
        return catalogue.get(code)

    def _area(
        self, code: object, code_list: object, indicator: Indicator | None, reporter: Reporter
    ) -> Area | None:
        if code in (None, ""):
            if code_list not in (None, ""):
                self.add("area_code", "missing", f"a province code of {code_list}", code)
                return None
            area = Area()
        else:
            if code_list not in tuple(CodeList):
                expected = " or ".join(tuple(CodeList)) + " with a province code"
                self.add("code_list", "unknown_code_list", expected, code_list)
                return None
            listed = CodeList(str(code_list))
            try:
                province(str(code), listed)
            except UnknownProvinceError:
                hint = did_you_mean(code, codes(listed))
                self.add("area_code", "unknown_province", f"a GSO code of {listed} ({hint})", code)
                return None
            area = Area(code=str(code), code_list=listed.value)
        if indicator is None:
            return area
        if indicator.level is Level.NATIONAL and area.code is not None:
            self.add(
                "area_code",
                "not_permitted",
                f"empty: '{indicator.code}' is a national indicator",
                code,
            )
            return None
        scope = reporter.scope
        in_list = scope.provinces is None or area.code_list == reporter.code_list.value
        if not (in_list and scope.allows(indicator.code, area.code)):
            allowed = (
                "the nation or any province"
                if scope.provinces is None
                else ", ".join(f"{reporter.code_list}:{p}" for p in sorted(scope.provinces))
            )
            self.add(
                "area_code",
                "not_permitted",
                f"an area agency '{scope.agency}' reports ({allowed})",
                area.key,
            )
            return None
        return area

    def _period(self, key: object, indicator: Indicator | None, now: datetime) -> str | None:
        if not isinstance(key, str):
            self.add("period", "malformed_period", "a period key such as 2026-10", key)
            return None
        cutoff = indicator.deadline.cutoff_day if indicator is not None else None
        try:
            period = parse_period_key(key, cutoff)
        except ValueError as exc:
            self.add("period", "malformed_period", str(exc), key)
            return None
        if indicator is None:
            return period.key
        frequency = indicator.frequency
        if period.frequency is not frequency:
            expected = f"a {frequency} period like {_PERIOD_SHAPES[frequency]}"
            self.add("period", "wrong_frequency", expected, key)
            return None
        current = current_period(frequency, now, period.cutoff_day)
        if period.anchor > current.anchor:
            self.add("period", "future_period", f"{current.key} or earlier", key)
            return None
        return period.key

    def _value(self, raw: object, indicator: Indicator | None) -> float | None:
        value: float | None = None
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            value = float(raw)
        elif isinstance(raw, str):
            try:
                value = float(raw.strip())
            except ValueError:
                value = None
        if value is None or not math.isfinite(value):
            hint = " (decimal point, not comma)" if isinstance(raw, str) and "," in raw else ""
            self.add("value", "not_a_number", f"a finite number{hint}", raw)
            return None
        if indicator is not None and not indicator.valid_range.contains(value):
            bounds = indicator.valid_range
            self.add("value", "out_of_range", f"from {bounds.min} to {bounds.max}", raw)
            return None
        return value

    def _revision(self, raw: object) -> int | None:
        if raw in (None, ""):
            return 0
        if isinstance(raw, str) and raw.strip().isdigit():
            return int(raw)
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        self.add("revision", "bad_revision", "a whole number >= 0", raw)
        return None

    def _note(self, raw: object) -> str | None:
        if raw in (None, ""):
            return None
        if isinstance(raw, str) and len(raw) <= MAX_NOTE:
            return raw
        self.add("note", "bad_note", f"text of at most {MAX_NOTE} characters", raw)
        return None
