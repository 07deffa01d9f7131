"""A target for an indicator: the value to reach in a period, and who set it, under what act.

The wall shows who set a target because it changes the weight of a miss: a National
Assembly resolution binds the Government, a ministry's goal binds only that ministry.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SetBy(StrEnum):
    NATIONAL_ASSEMBLY = "national_assembly"
    GOVERNMENT = "government"  # the Government or the Prime Minister
    MINISTRY = "ministry"

    @property
    def name_vi(self) -> str:
        return {"national_assembly": "Quốc hội", "government": "Chính phủ"}.get(self, "Bộ")

    @property
    def name_en(self) -> str:
        return {"national_assembly": "National Assembly", "government": "Government"}.get(
            self, "Ministry"
        )


class Target(BaseModel):
    """``value`` alone reads with the indicator's direction ("≥ 10 %" when higher is
    better, "< 4 %" when lower is better); ``value`` and ``high`` give a range ("6,5–7 %")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # A period key of any frequency (``2026``, ``2025-Q3``); checked by the catalogue loader.
    period: str = Field(min_length=4)
    value: float
    high: float | None = None
    set_by: SetBy
    instrument: str = Field(min_length=1)  # e.g. "Nghị quyết 244/2025/QH15"
    # True when the value is ours (a demo value), not an act's: the wall says so.
    illustrative: bool = False

    @model_validator(mode="after")
    def _range_ordered(self) -> Target:
        if self.high is not None and self.high <= self.value:
            raise ValueError(f"'high' ({self.high}) must be above 'value' ({self.value})")
        return self
