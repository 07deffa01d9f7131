"""One reported value: the unit of the national reporting system's data.

An observation is keyed by (indicator, area, period); a later ``revision`` of the same key
replaces the value shown and keeps the history. ``area`` is national or a province keyed
by (GSO code, code list) — never by name: codes 15, 24, 44, 52, 80, 82, 91 mean different
land in the 63-unit and the 34-unit lists.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CodeList = Literal["gso-63", "gso-34"]


class Area(BaseModel):
    """National (no code) or one province in one code list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str | None = Field(default=None, pattern=r"^\d{2}$")
    code_list: CodeList | None = None

    @property
    def key(self) -> str:
        """``VN`` for the nation, ``gso-34:01`` for a province: a stable storage key."""
        return "VN" if self.code is None else f"{self.code_list}:{self.code}"


NATIONAL = Area()


class Observation(BaseModel):
    """A value reported by an agency for one indicator, area and period."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    indicator: str
    area: Area
    period: str  # a period key of the indicator's frequency (feeds.periods): 2026-10, 2026-Q3
    value: float
    revision: int = Field(default=0, ge=0)
    note: str | None = Field(default=None, max_length=2000)
    agency: str
    # When the centre accepted it (ms since the epoch, server clock).
    received_at: float

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.indicator, self.area.key, self.period)
