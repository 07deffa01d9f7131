"""Both passes over a catalogue file: each entry on its own, then entries against each other
and against the agency registry. Every problem is logged with its key; none stops the rest.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from command_center.spec_problems import ProblemLog, did_you_mean
from command_center.yaml_lines import KeyPath, format_path
from feeds.agencies import AgencyKind, AgencyRegistry
from feeds.catalogue import Catalogue, Indicator, Level, ValueRange
from feeds.direction import threshold_problems
from feeds.periods import parse_period_key


class CatalogueFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Items are validated one by one so that one bad indicator hides no other problem.
    indicators: list[dict[str, Any]] = Field(min_length=1)


def check_catalogue(
    data: object, log: ProblemLog, agencies: AgencyRegistry | None = None
) -> Catalogue | None:
    """The catalogue in ``data``, or None after logging every problem.

    Owners are checked only when ``agencies`` is given (a broken registry is reported
    on its own file).
    """
    before = len(log.problems)
    file = log.validate(CatalogueFile, data)
    if file is None:
        return None
    entries: list[tuple[KeyPath, Indicator]] = []
    for index, item in enumerate(file.indicators):
        indicator = log.validate(Indicator, item, ("indicators", index))
        if indicator is not None:
            entries.append((("indicators", index), indicator))
    _unique_codes(entries, log)
    for at, indicator in entries:
        _check_indicator(at, indicator, log)
    _check_weights(entries, log)
    if agencies is not None:
        _check_owners(entries, agencies, log)
    if len(log.problems) > before or len(entries) != len(file.indicators):
        return None
    return Catalogue(indicators=tuple(indicator for _, indicator in entries))


def _unique_codes(entries: list[tuple[KeyPath, Indicator]], log: ProblemLog) -> None:
    first: dict[str, KeyPath] = {}
    for at, indicator in entries:
        if indicator.code in first:
            where = format_path(first[indicator.code])
            log.add((*at, "code"), f"code '{indicator.code}' is used twice (first at {where})")
        else:
            first[indicator.code] = at


def _check_indicator(at: KeyPath, indicator: Indicator, log: ProblemLog) -> None:
    for key, message in threshold_problems(
        indicator.direction, indicator.band, indicator.thresholds
    ):
        log.add((*at, *key.split(".")), message)
    rule = indicator.deadline
    if rule.day is not None and indicator.frequency.months == 0:
        log.add(
            (*at, "deadline", "day"),
            f"a day-of-month deadline needs monthly or longer periods (got {indicator.frequency});"
            " use 'after_end_hours'",
        )
    _check_aggregation(at, indicator, log)
    _check_targets(at, indicator, log)


def _check_aggregation(at: KeyPath, indicator: Indicator, log: ProblemLog) -> None:
    aggregation = indicator.aggregation
    if indicator.level is Level.PROVINCE and aggregation is None:
        log.add((*at, "aggregation"), "a province-level indicator needs 'aggregation'")
    elif indicator.level is Level.NATIONAL and aggregation is not None:
        log.add((*at, "aggregation"), "only province-level indicators aggregate")
    elif aggregation is not None:
        if aggregation.needs_weight and aggregation.weight is None:
            log.add((*at, "aggregation", "weight"), "a weighted_mean needs a 'weight' indicator")
        elif not aggregation.needs_weight and aggregation.weight is not None:
            log.add((*at, "aggregation", "weight"), "only a weighted_mean uses a 'weight'")


def _check_targets(at: KeyPath, indicator: Indicator, log: ProblemLog) -> None:
    seen: set[str] = set()
    for index, target in enumerate(indicator.targets):
        here = (*at, "targets", index)
        try:
            parse_period_key(target.period)
        except ValueError as exc:
            log.add((*here, "period"), str(exc))
        if target.period in seen:
            log.add((*here, "period"), f"period '{target.period}' has two targets")
        seen.add(target.period)
        for key, value in (("value", target.value), ("high", target.high)):
            if value is not None and not indicator.valid_range.contains(value):
                log.add(
                    (*here, key),
                    f"target {value:g} lies outside the valid range {_range(indicator.valid_range)}",
                )


def _range(valid: ValueRange) -> str:
    low = "-∞" if valid.min is None else f"{valid.min:g}"
    high = "∞" if valid.max is None else f"{valid.max:g}"
    return f"[{low}, {high}]"


def _check_weights(entries: list[tuple[KeyPath, Indicator]], log: ProblemLog) -> None:
    by_code = {indicator.code: indicator for _, indicator in entries}
    for at, indicator in entries:
        weight = indicator.aggregation.weight if indicator.aggregation else None
        if weight is None:
            continue
        key = (*at, "aggregation", "weight")
        found = by_code.get(weight)
        if found is None:
            log.add(key, f"unknown weight indicator '{weight}'", did_you_mean(weight, by_code))
        elif found.code == indicator.code:
            log.add(key, "an indicator cannot weight itself")
        elif found.level is not Level.PROVINCE:
            log.add(key, f"weight indicator '{weight}' must be province-level (it is national)")


def _check_owners(
    entries: list[tuple[KeyPath, Indicator]], agencies: AgencyRegistry, log: ProblemLog
) -> None:
    for at, indicator in entries:
        if indicator.owner not in agencies:
            log.add(
                (*at, "owner"),
                f"unknown agency '{indicator.owner}'",
                did_you_mean(indicator.owner, agencies.ids),
            )
        elif agencies.get(indicator.owner).kind is AgencyKind.PROVINCE:
            # A province owning a national indicator would make every other province
            # report into its definition; owners are central agencies.
            log.add((*at, "owner"), f"'{indicator.owner}' is a province; owners are central")
