"""The indicator catalogue: what each indicator means, how it is reported and judged.

An ``Indicator`` mirrors one entry of ``data/catalogue.yaml``. Field-level rules live on
the models; rules that relate fields or indicators (thresholds against direction, weight
indicators, owners) are checked by ``feeds.catalogue_check`` so that each problem names
its own key. Build catalogues through ``feeds.loader``, which runs both passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, model_validator

from command_center.spec_problems import did_you_mean
from feeds.aggregation import Aggregation
from feeds.areas import ThematicArea
from feeds.deadline import DeadlineRule
from feeds.direction import Bounds, Direction, Status, Thresholds, status_of
from feeds.frequency import Frequency
from feeds.periods import Period
from feeds.targets import Target

# Codes appear in API paths and CSV columns: lower-case, no spaces.
CODE = r"^[a-z][a-z0-9_]*$"
# A tile's name must fit a quarter-screen tile at the wall's smallest text, whole.
SHORT_NAME_MAX = 30


class Level(StrEnum):
    NATIONAL = "national"  # one value for the country
    PROVINCE = "province"  # one value per province; the nation's by aggregation or report


class ValueRange(BaseModel):
    """The values that can be real; anything outside is refused at ingestion."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ValueRange:
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"'min' ({self.min}) must be below 'max' ({self.max})")
        return self

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class Indicator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=CODE)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    # The names on the wall's tiles (the full ones stay for hover and the console);
    # None: the full name is short enough.
    short_vi: str | None = Field(default=None, min_length=1, max_length=SHORT_NAME_MAX)
    short_en: str | None = Field(default=None, min_length=1, max_length=SHORT_NAME_MAX)
    unit_vi: str = Field(min_length=1)
    unit_en: str = Field(min_length=1)
    decimals: int = Field(ge=0, le=6)
    area: ThematicArea
    level: Level
    frequency: Frequency
    deadline: DeadlineRule
    direction: Direction
    band: Bounds | None = None
    thresholds: Thresholds | None = None
    targets: tuple[Target, ...] = ()
    owner: str = Field(min_length=1)  # an agency id
    aggregation: Aggregation | None = None  # province level only
    valid_range: ValueRange
    # Reference keys ([C1], [D3], ``seed`` for the launch article) the definition rests on.
    sources: tuple[str, ...] = ()
    # True when the definition (unit, frequency, owner) is our assumption, not a fact.
    illustrative: bool = False
    # True when each value accumulates from the start of the year (a year-to-date rate such
    # as disbursement): a yearly target judges only the period that closes the year; the
    # months before it show their progress against the target without a colour.
    year_to_date: bool = False
    # Retired from the wall (no longer serves it, e.g. COVID-19 community cases in 2026):
    # kept so its history stays readable and reports still validate.
    retired: bool = False

    @property
    def tile_name_vi(self) -> str:
        return self.short_vi or self.name_vi

    @property
    def tile_name_en(self) -> str:
        return self.short_en or self.name_en

    def target_for(self, period: Period) -> Target | None:
        """The target of exactly this period, else the target of its year."""
        by_key = {t.period: t for t in self.targets}
        return by_key.get(period.key) or by_key.get(str(period.year))

    def status(self, value: float) -> Status:
        return status_of(value, self.direction, self.band, self.thresholds)


class Catalogue(BaseModel):
    """Every indicator by code, in file order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    indicators: tuple[Indicator, ...]

    def __iter__(self) -> Iterator[Indicator]:  # type: ignore[override]
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    @cached_property
    def _by_code(self) -> dict[str, Indicator]:
        # Ingestion looks an indicator up for every row: a dict, not a scan.
        return {i.code: i for i in self.indicators}

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def get(self, code: str) -> Indicator:
        """The indicator ``code``; KeyError names a near miss."""
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(
                f"unknown indicator '{code}' ({did_you_mean(code, self.codes)})"
            ) from None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    def at_level(self, level: Level) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.level is level)

    def owned_by(self, agency_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.owner == agency_id)
