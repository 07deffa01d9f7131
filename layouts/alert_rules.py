"""Alert rules as a wall's file states them (``layouts/alerts/<wall id>.yaml``): frozen models.

A rule: when any of its triggers holds (for ``for_s`` seconds), raise an alert per subject
(an incident, a province's indicator, a bridge point, a screen, an agency); its actions show
while it holds the wall; its revert says when the wall goes back::

    rules:
      - id: sar-major-incident
        title: {vi: "Sự cố lớn", en: "Major incident"}
        priority: 3                       # 1 low … 3 high
        for: 0s                           # debounce
        cooldown: 10m                     # the same subject may not raise again sooner
        when:
          - incident: {status: [responding], people_deployed_at_least: 300}
        do:
          switch: {preset: incident-response}    # zone: <id> for part of the wall
          focus: province                        # the maps on the trigger's province
          banner: {vi: "… {province} …", en: "…", severity: critical}
          pin: {tile: video-main}                # the trigger's bridge point on a tile
          chime: true
        revert: clear_and_acknowledge      # clear | acknowledge | {timeout: 10m}

Without ``revert`` a rule of priority 1 or 2 reverts on clear, priority 3 only when it has
cleared and a person acknowledged it.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
MAX_RULES = 200
# What a rule's status words mean on the wall: red is the feeds' "alarm", amber "warning".
STATUS_WORDS = {"red": "alarm", "amber": "warning"}


def seconds(value: object) -> float:
    """``90``, ``"90s"``, ``"5m"``, ``"1h"`` → seconds; ValueError naming the form."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text such as 30s, 5m, 1h")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    match = _DURATION.match(str(value))
    if match is None:
        raise ValueError(f"'{value}' is not a duration (write 30s, 5m or 1h)")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


Duration = Annotated[float, Field(ge=0, le=7 * 24 * 3600)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Bilingual(_Frozen):
    vi: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)


# ---- triggers -------------------------------------------------------------------------


class IndicatorTrigger(_Frozen):
    """An indicator judged red (or amber) against its target and thresholds, in ``area``
    (an area key such as ``VN`` or ``gso-34:01``) or in ``any_province``."""

    indicator: str  # an indicator id, or "any": every indicator that ``shown_on`` shows
    area: str = "VN"
    status: tuple[Literal["red", "amber"], ...] = ("red",)
    # With indicator "any": the indicators a preset's tiles show (the national dashboard).
    shown_on: str | None = None


class OverdueTrigger(_Frozen):
    """A report overdue by ``days`` or more (Decree 09/2019's deadlines), of one indicator
    or of any an agency owes."""

    indicator: str | None = None
    agency: str | None = None
    days: int = Field(default=1, ge=0, le=365)


class IncidentTrigger(_Frozen):
    """An incident in one of ``status`` (and of one of ``kind``, in ``province``, with at
    least ``people_deployed_at_least`` people deployed, each when given)."""

    status: tuple[Literal["reported", "responding", "resolved"], ...] = ("responding",)
    kind: tuple[str, ...] = ()
    province: str | None = None
    people_deployed_at_least: int | None = Field(default=None, ge=0)


class PointLostTrigger(_Frozen):
    """A bridge point that was in the call and is not any more (one point, or any)."""

    point: str | None = None


class ScreenOfflineTrigger(_Frozen):
    """A screen of the wall that was linked and is not (one screen, or any)."""

    screen: str | None = None


class FeedSilentTrigger(_Frozen):
    """An agency that has sent nothing for ``minutes``."""

    agency: str
    minutes: float = Field(gt=0, le=7 * 24 * 60)


class Trigger(_Frozen):
    """Exactly one of these keys."""

    indicator: IndicatorTrigger | None = None
    overdue: OverdueTrigger | None = None
    incident: IncidentTrigger | None = None
    bridge_point_lost: PointLostTrigger | None = None
    screen_offline: ScreenOfflineTrigger | None = None
    feed_silent: FeedSilentTrigger | None = None

    def which(self) -> str:
        set_ = [name for name in type(self).model_fields if getattr(self, name) is not None]
        return set_[0]


# ---- actions and revert ---------------------------------------------------------------


class SwitchAction(_Frozen):
    preset: str
    zone: str | None = None


class BannerAction(Bilingual):
    """Text with ``{province}``, ``{indicator}``, ``{value}``, ``{people_deployed}``,
    ``{point}``, ``{screen}``, ``{agency}`` from the trigger."""

    vi: str = Field(min_length=1, max_length=300)
    en: str = Field(min_length=1, max_length=300)
    severity: Literal["info", "warning", "critical"] = "warning"
    # Where: the whole wall, a zone of it, or "showing": the screens now showing the
    # trigger's subject (its indicator's tiles, its bridge point's video).
    zone: str | None = None
    show_on: Literal["wall", "showing"] = "wall"


class PinAction(_Frozen):
    """Show the trigger's bridge point (or ``point``) on video tile ``tile``."""

    tile: str
    point: str | None = None


class Actions(_Frozen):
    switch: SwitchAction | None = None
    focus: Literal["province"] | None = None
    banner: BannerAction | None = None
    pin: PinAction | None = None
    chime: bool = False


RevertOn = Literal["clear", "acknowledge", "clear_and_acknowledge", "timeout"]


class TimeoutRevert(_Frozen):
    """``revert: {timeout: 10m}``: the wall goes back this long after the alert was raised."""

    timeout_s: Duration = Field(alias="timeout")

    @field_validator("timeout_s", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float:
        return seconds(value)


class AlertRule(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    title: Bilingual
    priority: int = Field(ge=1, le=3)
    for_s: Duration = Field(default=0.0, alias="for")
    cooldown_s: Duration = Field(default=0.0, alias="cooldown")
    when: tuple[Trigger, ...] = Field(min_length=1, max_length=20)
    do: Actions = Actions()
    # clear | acknowledge | clear_and_acknowledge | {timeout: 10m}; None: by priority.
    revert: Literal["clear", "acknowledge", "clear_and_acknowledge"] | TimeoutRevert | None = None

    @field_validator("for_s", "cooldown_s", mode="before")
    @classmethod
    def _duration(cls, value: object) -> float:
        return seconds(value)

    @property
    def reverts_on(self) -> RevertOn:
        if isinstance(self.revert, TimeoutRevert):
            return "timeout"
        if self.revert is not None:
            return self.revert
        return "clear_and_acknowledge" if self.priority >= 3 else "clear"

    @property
    def timeout_s(self) -> float | None:
        return self.revert.timeout_s if isinstance(self.revert, TimeoutRevert) else None


class AlertRulesFile(_Frozen):
    rules: tuple[AlertRule, ...] = Field(default=(), max_length=MAX_RULES)
