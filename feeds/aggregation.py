"""How province values add up: to the nation, and from the 63 old provinces to the 34 new.

A rate cannot be summed: the national disbursement rate is the provinces' rates weighted
by their capital plans, so a weighted mean names the indicator that holds the weights.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Method(StrEnum):
    SUM = "sum"
    MEAN = "mean"
    WEIGHTED_MEAN = "weighted_mean"
    LAST = "last"  # the latest report among the parts, e.g. a count of live services


class Aggregation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # None: the national value is reported, never computed from provinces.
    to_nation: Method | None = None
    # 63 → 34 on 1 July 2025 (Resolution 202/2025/QH15): merging old provinces' values.
    old_to_new: Method
    # The code of a province-level indicator; required by any weighted_mean.
    weight: str | None = Field(default=None, min_length=1)

    @property
    def needs_weight(self) -> bool:
        return Method.WEIGHTED_MEAN in (self.to_nation, self.old_to_new)
