"""Checking a batch of reported rows before anything is stored: pure, all-or-nothing.

    RequestError (command_center.errors)
    ├── BatchRejected   422 invalid_observations: one ``RowProblem`` per bad field, all at once
    └── BatchTooLarge   413 batch_too_large: more than ``MAX_ROWS`` rows

A raw row is the same flat mapping for JSON and CSV (``feeds.csv_batch``): ``indicator``,
``area_code`` (empty: national), ``code_list`` (``gso-63``/``gso-34``, with a code only),
``period``, ``value``, optional ``revision`` and ``note``. Each field's parsing, problem
code and expected text is one row of ``feeds.field_rules``; the checks against the catalogue
and the reporter's scope are ``_RowCheck``'s methods. Nothing here reads the clock or the
store: callers pass ``now``; conflicts with stored revisions are the store's business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from command_center.errors import RequestError
from command_center.spec_problems import did_you_mean
from feeds.agencies import ReportingScope
from feeds.catalogue import Catalogue, Indicator, Level
from feeds.field_rules import (
    AREA_CODE,
    CODE_LIST,
    FIELD_SET,
    FIELDS,
    INDICATOR,
    INVALID,
    NOTE,
    PERIOD,
    REVISION,
    VALUE,
    FieldRule,
    Parsed,
    T,
)
from feeds.observations import Area, Observation, area_of, checked_observation
from feeds.periods import current_period, parse_period_key
from feeds.problems import Problem, Rejection
from geo.codelists import CodeList
from geo.errors import UnknownProvinceError
from geo.provinces import codes, province

MAX_ROWS = 10_000
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
    code: str = Rejection.INVALID_OBSERVATIONS.value
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
    code: str = Rejection.BATCH_TOO_LARGE.value


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


def not_a_row_list(rows: object) -> list[dict[str, object]]:
    """The detail of a body whose ``observations`` is ``rows`` and not a list (API and poller)."""
    return [{"field": "observations", "expected": "a list of rows", "got": type(rows).__name__}]


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
                    Problem.DUPLICATE,
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
    """What the fast path knows of one indicator for one batch: the indicator, and the
    areas and periods already found good (or bad: None) in this batch."""

    def __init__(self, indicator: Indicator) -> None:
        self.indicator = indicator
        self.valid_range = indicator.valid_range
        self.areas: dict[tuple[object, object], Area | None] = {}  # by raw (code, list)
        self.periods: dict[object, str | None] = {}  # by raw key


class _FastCheck:
    """The common case cheaply: a row that passes every rule becomes an observation, with
    the per-batch answers cached (a batch names few indicators, areas and periods). It runs
    the field table's parsers (``feeds.field_rules``) and asks the full check's own methods
    for each new indicator, area and period, so it accepts exactly what ``_RowCheck``
    accepts; at the first problem it returns None, for the full check to name them all."""

    def __init__(
        self, catalogue: Catalogue, reporter: Reporter, now: datetime, received_at: float
    ) -> None:
        self._catalogue = catalogue
        self._reporter = reporter
        self._now = now
        self._received_at = received_at
        self._agency = reporter.scope.agency
        self._rules: dict[object, _IndicatorRule | None] = {}  # by raw code

    def check(self, raw: object) -> Observation | None:
        if type(raw) is not dict or not FIELD_SET.issuperset(raw):
            return None
        get = raw.get
        try:  # the caches are keyed by the raw values: a list or a dict among them is unhashable
            code = get("indicator")
            rule = self._rules.get(code, _MISSING)
            if rule is _MISSING:
                rule = self._rules[code] = self._new_rule(code)
            if rule is None:
                return None
            assert isinstance(rule, _IndicatorRule)
            area = self._area(rule, get("area_code"), get("code_list"))
            period = self._period(rule, get("period"))
        except TypeError:
            return None
        if area is None or period is None:
            return None
        value = VALUE.parse(get("value"))
        if value is INVALID or not rule.valid_range.contains(value):
            return None
        revision = REVISION.parse(get("revision"))
        note = NOTE.parse(get("note"))
        if revision is INVALID or note is INVALID:
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

    # Each cache below holds the full check's answer for one raw value. Raw values that
    # compare equal (1 and True) are never text, and the table's parsers refuse every
    # non-text value alike, so sharing a cache entry cannot change an answer.

    def _new_rule(self, code: object) -> _IndicatorRule | None:
        parsed = INDICATOR.parse(code)
        if parsed is INVALID:
            return None
        probe = _RowCheck(0, None)
        indicator = probe._indicator(parsed, self._catalogue, self._reporter)
        if indicator is None or probe.problems:
            return None
        return _IndicatorRule(indicator)

    def _area(self, rule: _IndicatorRule, code: object, code_list: object) -> Area | None:
        key = (code, code_list)
        found = rule.areas.get(key, _MISSING)
        if found is _MISSING:
            found = rule.areas[key] = self._new_area(rule, code, code_list)
        return found  # type: ignore[return-value]

    def _new_area(self, rule: _IndicatorRule, code: object, code_list: object) -> Area | None:
        parsed_code = AREA_CODE.parse(code)
        parsed_list = CODE_LIST.parse(code_list)
        if parsed_code is INVALID or parsed_list is INVALID:
            return None
        probe = _RowCheck(0, None)
        area = probe._area(parsed_code, parsed_list, rule.indicator, self._reporter)
        if area is None or probe.problems:
            return None
        return area_of(area.code, area.code_list)  # one shared Area per batch and key

    def _period(self, rule: _IndicatorRule, key: object) -> str | None:
        found = rule.periods.get(key, _MISSING)
        if found is _MISSING:
            found = rule.periods[key] = self._new_period(rule, key)
        return found  # type: ignore[return-value]

    def _new_period(self, rule: _IndicatorRule, key: object) -> str | None:
        parsed = PERIOD.parse(key)
        if parsed is INVALID:
            return None
        probe = _RowCheck(0, None)
        period = probe._period(parsed, rule.indicator, self._now)
        return None if probe.problems else period


_MISSING = object()


class _RowCheck:
    """The problems of one row; each check adds to them and returns None when it failed."""

    def __init__(self, index: int, line: int | None) -> None:
        self.index = index
        self.line = line
        self.problems: list[RowProblem] = []

    def add(self, field: str, problem: str, expected: str, got: Any) -> None:
        # str(): a Problem member goes out as its plain code
        self.problems.append(RowProblem(self.index, field, str(problem), expected, got, self.line))

    def check(
        self,
        raw: object,
        catalogue: Catalogue,
        reporter: Reporter,
        now: datetime,
        received_at: float,
    ) -> Observation | None:
        if not isinstance(raw, Mapping):
            self.add("row", Problem.NOT_AN_OBJECT, "an object with " + ", ".join(FIELDS), raw)
            return None
        for name in sorted(set(raw) - FIELD_SET):
            self.add(name, Problem.UNKNOWN_FIELD, "one of " + ", ".join(FIELDS), raw[name])
        # The table's order: indicator, area, period, value, revision, note.
        indicator = self._indicator(raw.get("indicator"), catalogue, reporter)
        area = self._area(raw.get("area_code"), raw.get("code_list"), indicator, reporter)
        period = self._period(raw.get("period"), indicator, now)
        value = self._parsed(VALUE, raw)
        if value is not INVALID and indicator is not None:
            self._in_range(value, indicator, raw.get("value"))
        revision = self._parsed(REVISION, raw)
        note = self._parsed(NOTE, raw)
        if self.problems or indicator is None or area is None or period is None:
            return None
        assert value is not INVALID and revision is not INVALID and note is not INVALID
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

    def _parsed(self, rule: FieldRule[T], raw: Mapping[Any, Any]) -> Parsed[T]:
        """The field's typed value by its rule, or INVALID with the rule's problem added."""
        given = raw.get(rule.name)
        parsed = rule.parse(given)
        if parsed is INVALID:
            self.add(rule.name, rule.problem, rule.expected(given), given)
        return parsed

    def _in_range(self, value: float, indicator: Indicator, given: object) -> None:
        bounds = indicator.valid_range
        if not bounds.contains(value):
            self.add("value", Problem.OUT_OF_RANGE, f"from {bounds.min} to {bounds.max}", given)

    def _indicator(
        self, code: object, catalogue: Catalogue, reporter: Reporter
    ) -> Indicator | None:
        if INDICATOR.parse(code) is INVALID or code not in catalogue:
            hint = did_you_mean(code, catalogue.codes) or "a catalogue code"
            self.add(
                INDICATOR.name, INDICATOR.problem, f"{INDICATOR.expected(code)} ({hint})", code
            )
            return None
        if code not in reporter.scope.indicators:
            mine = ", ".join(sorted(reporter.scope.indicators)) or "none"
            self.add(
                "indicator",
                Problem.NOT_PERMITTED,
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
                self.add("area_code", Problem.MISSING, f"a province code of {code_list}", code)
                return None
            area = Area()
        else:
            if code_list not in tuple(CodeList):
                self.add(
                    CODE_LIST.name, CODE_LIST.problem, CODE_LIST.expected(code_list), code_list
                )
                return None
            listed = CodeList(str(code_list))
            try:
                province(str(code), listed)
            except UnknownProvinceError:
                hint = did_you_mean(code, codes(listed))
                self.add(
                    AREA_CODE.name, AREA_CODE.problem, f"a GSO code of {listed} ({hint})", code
                )
                return None
            area = Area(code=str(code), code_list=listed.value)
        if indicator is None:
            return area
        if indicator.level is Level.NATIONAL and area.code is not None:
            self.add(
                "area_code",
                Problem.NOT_PERMITTED,
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
                Problem.NOT_PERMITTED,
                f"an area agency '{scope.agency}' reports ({allowed})",
                area.key,
            )
            return None
        return area

    def _period(self, key: object, indicator: Indicator | None, now: datetime) -> str | None:
        if PERIOD.parse(key) is INVALID:
            self.add(PERIOD.name, PERIOD.problem, PERIOD.expected(key), key)
            return None
        cutoff = indicator.deadline.cutoff_day if indicator is not None else None
        try:
            period = parse_period_key(key, cutoff)
        except ValueError as exc:
            self.add(PERIOD.name, PERIOD.problem, str(exc), key)
            return None
        if indicator is None:
            return period.key
        frequency = indicator.frequency
        if period.frequency is not frequency:
            expected = f"a {frequency} period like {_PERIOD_SHAPES[frequency]}"
            self.add("period", Problem.WRONG_FREQUENCY, expected, key)
            return None
        current = current_period(frequency, now, period.cutoff_day)
        if period.anchor > current.anchor:
            self.add("period", Problem.FUTURE_PERIOD, f"{current.key} or earlier", key)
            return None
        return period.key
