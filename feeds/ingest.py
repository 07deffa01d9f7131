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
from feeds.observations import Area, Observation, area_of, checked_observation
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
    """Every problem of a batch at once; nothing of it is stored. Other row-wise inputs
    (incidents) subclass it with their own code and noun."""

    status = 422
    code = "invalid_observations"
    subject = "batch"

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
        super().__init__(
            f"{self.subject} rejected, nothing stored: {len(problems)} problem(s): {shown}{more}",
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


def check_size(count: int, limit: int = MAX_ROWS, what: str = "observations") -> None:
    """``BatchTooLarge`` for a batch of ``count`` rows of ``what`` over ``limit``."""
    if count > limit:
        noun = "rows" if what == "observations" else what
        raise BatchTooLarge(
            f"batch of {count} {noun} is over the limit of {limit}; split it",
            [{"field": what, "expected": f"at most {limit} rows", "got": count}],
        )


def validate_batch(
    rows: Sequence[object],
    catalogue: Catalogue,
    reporter: Reporter,
    now: datetime,
    lines: Sequence[int] | None = None,
) -> list[Observation]:
    """Typed observations stamped with ``now``, or ``BatchRejected`` naming every problem.

    Each row takes the fast path (``_FastCheck``); a row it cannot pass whole goes through
    the full check (``_RowCheck``), which names every problem. Both accept the same rows
    (tests/unit/test_ingest.py holds them to it), so errors read the same either way.
    """
    check_size(len(rows))
    received_at = now.timestamp() * 1000.0
    fast = _FastCheck(catalogue, reporter, now, received_at)
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, str], int] = {}
    accepted: list[Observation] = []
    for index, raw in enumerate(rows):
        line = lines[index] if lines is not None else None
        row: _RowCheck | None = None
        observation = fast.check(raw)
        if observation is None:
            row = _RowCheck(index, line)
            observation = row.check(raw, catalogue, reporter, now, received_at)
        if observation is not None:
            first = seen.setdefault(observation.key, index)
            if first != index:
                row = row or _RowCheck(index, line)
                row.add(
                    "period",
                    "duplicate",
                    f"each (indicator, area, period) once per batch; row {first} has it",
                    observation.period,
                )
            else:
                accepted.append(observation)
        if row is not None:
            problems += row.problems
    if problems:
        raise BatchRejected(problems)
    return accepted


class _IndicatorRule:
    """What the fast path knows of one indicator for one batch: its range, and the areas
    and periods already found good (or bad: None) in this batch."""

    def __init__(self, indicator: Indicator) -> None:
        self.indicator = indicator
        bounds = indicator.valid_range  # ValueRange.contains, with no bound as infinite
        self.low = -math.inf if bounds.min is None else bounds.min
        self.high = math.inf if bounds.max is None else bounds.max
        self.areas: dict[tuple[str | None, str | None], Area | None] = {}
        self.periods: dict[str, str | None] = {}


class _FastCheck:
    """The common case cheaply: a row that passes every check becomes an observation with
    the per-batch answers cached (a batch names few indicators, areas and periods). It asks
    the full check's own methods for each new indicator, area and period, so it accepts
    exactly what ``_RowCheck`` accepts; anything else returns None, for the full check to
    name the problems."""

    def __init__(
        self, catalogue: Catalogue, reporter: Reporter, now: datetime, received_at: float
    ) -> None:
        self._catalogue = catalogue
        self._reporter = reporter
        self._now = now
        self._received_at = received_at
        self._agency = reporter.scope.agency
        self._rules: dict[str, _IndicatorRule | None] = {}

    def check(self, raw: object) -> Observation | None:
        if type(raw) is not dict or not _FIELD_SET.issuperset(raw):
            return None
        code = raw.get("indicator")
        if type(code) is not str:
            return None
        rule = self._rules.get(code, _MISSING)
        if rule is _MISSING:
            rule = self._rules[code] = self._rule(code)
        if rule is None:
            return None
        assert isinstance(rule, _IndicatorRule)
        area = self._area(rule, raw.get("area_code"), raw.get("code_list"))
        period = self._period(rule, raw.get("period"))
        value = _fast_value(raw.get("value"))
        if area is None or period is None or value is None:
            return None
        if not (math.isfinite(value) and rule.low <= value <= rule.high):
            return None
        revision = raw.get("revision")
        if revision is None or revision == "":
            revision = 0
        elif type(revision) is str:
            if not _whole_number(revision):
                return None
            revision = int(revision)
        elif type(revision) is not int or revision < 0:
            return None
        note = raw.get("note")
        if note == "":
            note = None
        elif note is not None and (type(note) is not str or len(note) > MAX_NOTE):
            return None
        return checked_observation(
            rule.indicator.code,
            area,
            period,
            value,
            revision,
            note,
            self._agency,
            self._received_at,
        )

    def _rule(self, code: str) -> _IndicatorRule | None:
        probe = _RowCheck(0, None)
        indicator = probe._indicator(code, self._catalogue, self._reporter)
        if indicator is None or probe.problems:
            return None
        return _IndicatorRule(indicator)

    def _area(self, rule: _IndicatorRule, code: object, code_list: object) -> Area | None:
        if not (code is None or type(code) is str) or not (
            code_list is None or type(code_list) is str
        ):
            return None
        key = (code, code_list)
        if key not in rule.areas:
            probe = _RowCheck(0, None)
            area = probe._area(code, code_list, rule.indicator, self._reporter)
            ok = area is not None and not probe.problems
            rule.areas[key] = area_of(area.code, area.code_list) if ok and area else None
        return rule.areas[key]

    def _period(self, rule: _IndicatorRule, key: object) -> str | None:
        if type(key) is not str:
            return None
        if key not in rule.periods:
            probe = _RowCheck(0, None)
            period = probe._period(key, rule.indicator, self._now)
            rule.periods[key] = period if not probe.problems else None
        return rule.periods[key]


_MISSING = object()
_FIELD_SET = frozenset(FIELDS)


def _whole_number(text: str) -> bool:
    """ASCII digits, blanks around allowed: ``str.isdigit`` alone passes '²', which
    ``int`` refuses."""
    digits = text.strip()
    return digits.isascii() and digits.isdigit()


def _fast_value(raw: object) -> float | None:
    """``_RowCheck._value``'s conversion for the usual types (never a bool)."""
    if type(raw) is float:
        return raw
    if type(raw) is int:
        return float(raw)
    if type(raw) is str:
        try:
            return float(raw.strip())
        except ValueError:
            return None
    return None


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
        if isinstance(raw, str) and _whole_number(raw):
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
