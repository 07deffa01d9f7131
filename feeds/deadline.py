"""When a period's report is due: a small typed rule instead of free text.

Two shapes cover the reporting regimes on the wall:

* a day of a month counted from the period's last month: Decree 09/2019/NĐ-CP, Art. 13
  ("no later than the 25th of the last month of the period") is ``day: 25``; the
  statistics calendar (Decree 62/2024: CPI on the 6th of the following month) is
  ``day: 6, months_after: 1``;
* hours after the period ends, for daily and weekly reports (``after_end_hours: 16.5``).

``cutoff_day`` is Decree 09's data cut-off (Art. 12): the data of a monthly, quarterly or
yearly report run from the 15th of the month before the period to the 14th of its last
month, so a value dated 20 March belongs to the April report.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DeadlineRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    day: int | None = Field(default=None, ge=1, le=31)  # clamped to the month's length
    months_after: int = Field(default=0, ge=0, le=12)
    after_end_hours: float | None = Field(default=None, ge=0, le=24 * 31)
    # Up to 28 so that every month has the day (February included).
    cutoff_day: int | None = Field(default=None, ge=1, le=28)
    # The legal text the rule comes from, shown to duty staff next to a late mark.
    basis: str | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> DeadlineRule:
        if (self.day is None) == (self.after_end_hours is None):
            raise ValueError("give exactly one of 'day' or 'after_end_hours'")
        if self.day is None and (self.months_after or self.cutoff_day is not None):
            raise ValueError("'months_after' and 'cutoff_day' go with 'day'")
        # Art. 8(5): at least one working day between the cut-off and the deadline.
        day, cutoff = self.day, self.cutoff_day
        if day is not None and cutoff is not None and self.months_after == 0 and day <= cutoff:
            raise ValueError(
                f"the deadline (day {self.day}) must come after the data cut-off "
                f"(day {self.cutoff_day})"
            )
        return self
