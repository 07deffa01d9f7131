"""Hand-made observations for the tests of what tiles and stores make of them: moments in
Vietnam time, and one row as an agency reported it."""

from __future__ import annotations

from datetime import datetime

from feeds.observations import NATIONAL, Area, Observation
from feeds.periods import TIME_ZONE


def vn(*parts: int) -> datetime:
    """``datetime(*parts)`` in Vietnam time (Asia/Ho_Chi_Minh)."""
    return datetime(*parts, tzinfo=TIME_ZONE)  # type: ignore[arg-type, misc]


def ms(moment: datetime) -> float:
    """``moment`` in epoch milliseconds, as an observation's ``received_at`` holds it."""
    return moment.timestamp() * 1000


def observation(
    indicator: str,
    period: str,
    value: float,
    at: datetime | float,
    area: Area = NATIONAL,
    revision: int = 0,
    agency: str = "cuc_thong_ke",
) -> Observation:
    """One row of ``indicator`` for ``area`` as ``agency`` reported it; ``at``: when it
    arrived (a moment, or epoch milliseconds as the stores keep it)."""
    return Observation(
        indicator=indicator,
        area=area,
        period=period,
        value=value,
        revision=revision,
        agency=agency,
        received_at=ms(at) if isinstance(at, datetime) else at,
    )
