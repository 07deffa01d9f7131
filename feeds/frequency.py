"""How often an indicator is reported: the five frequencies of the catalogue."""

from __future__ import annotations

from enum import StrEnum


class Frequency(StrEnum):
    """Decree 09/2019 also knows 6-monthly reports; no indicator of ours needs them yet."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        """Calendar months per period; 0 for the frequencies shorter than a month."""
        return _MONTHS[self]


_MONTHS = {
    Frequency.DAILY: 0,
    Frequency.WEEKLY: 0,
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.YEARLY: 12,
}
