"""The life of an alert, as pure functions of rules, what holds now and the time.

    pending ─(for_s)→ active ─(condition gone)→ cleared ─(revert satisfied)→ ended
                        │ acknowledged (a person saw it)       (kept as history)

An alert is one rule's for one subject (an incident, a province's indicator, a bridge point,
a screen, an agency): ``<rule>:<subject>``. While it *holds* the wall its actions show (a
preset, a focus, a banner); its revert says until when: ``clear``, ``acknowledge``, both, or a
``timeout``. A snoozed alert holds nothing until its snooze ends. No I/O here: the shell
gathers the matches, keeps the records and carries the plan out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from layouts.alert_rules import AlertRule

HISTORY_KEPT = 200  # ended alerts kept for the console and the API, newest first
# Alerts holding at once, at most: reporters can raise subjects (incidents, provinces) by the
# thousand; past this a new subject waits (the ones raised stay) rather than flood the room.
MAX_OPEN = 300


@dataclass(frozen=True)
class Match:
    """One subject for which a rule's trigger holds now, with the values its texts use."""

    subject: str
    values: Mapping[str, str] = field(default_factory=dict)
    province: str | None = None  # a 34-unit GSO code, for a focus
    point: str | None = None  # a bridge point, for a pin
    # What a screen must show for a banner "on the screens showing it": "indicator:<id>"
    # or "point:<id>".
    shows: tuple[str, ...] = ()


class AlertRecord(BaseModel):
    """An alert as the store keeps it (times: epoch ms)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    rule: str
    subject: str
    priority: int
    title_vi: str
    title_en: str
    raised_at: float
    cleared_at: float | None = None
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    snoozed_until: float | None = None
    ended_at: float | None = None
    values: dict[str, str] = {}
    province: str | None = None
    point: str | None = None
    shows: tuple[str, ...] = ()

    @property
    def state(self) -> Literal["active", "acknowledged", "cleared"]:
        if self.cleared_at is not None:
            return "cleared"
        return "acknowledged" if self.acknowledged_by is not None else "active"


@dataclass(frozen=True)
class Change:
    """What a step did to one alert: for the audit, the bus and the console's chime."""

    what: Literal["raised", "cleared", "returned", "ended"]
    alert: AlertRecord


def holds(record: AlertRecord, rule: AlertRule, now: float) -> bool:
    """Whether the alert's actions are on the wall now."""
    if record.ended_at is not None:
        return False
    if record.snoozed_until is not None and now < record.snoozed_until:
        return False
    cleared = record.cleared_at is not None
    acked = record.acknowledged_by is not None
    match rule.reverts_on:
        case "clear":
            return not cleared
        case "acknowledge":
            return not acked
        case "clear_and_acknowledge":
            return not (cleared and acked)
        case "timeout":
            return now < record.raised_at + (rule.timeout_s or 0.0) * 1000.0
    return False  # pragma: no cover - every case above returns


@dataclass
class Debounce:
    """When each (rule, subject) was first seen holding, for ``for:`` (memory only: after a
    restart a condition waits its ``for`` again, the cautious side)."""

    since: dict[str, float] = field(default_factory=dict)


def step(
    rules: Mapping[str, AlertRule],
    records: Mapping[str, AlertRecord],
    matches: Mapping[str, Iterable[Match]],
    debounce: Debounce,
    now: float,
) -> tuple[dict[str, AlertRecord], list[Change]]:
    """The records after seeing ``matches`` (per rule id) at ``now``, and what changed."""
    out = dict(records)
    changes: list[Change] = []
    seen: set[str] = set()
    open_count = sum(1 for r in out.values() if r.ended_at is None)
    for rule_id, rule in rules.items():
        for match in matches.get(rule_id, ()):
            alert_id = f"{rule_id}:{match.subject}"
            seen.add(alert_id)
            current = out.get(alert_id)
            if current is not None and current.ended_at is None:
                if current.cleared_at is not None:  # back before it ended: the same alert
                    out[alert_id] = current.model_copy(update={"cleared_at": None})
                    changes.append(Change("returned", out[alert_id]))
                continue
            cleared_at = current.cleared_at if current is not None else None
            if cleared_at is not None and now < cleared_at + rule.cooldown_s * 1000.0:
                continue
            first = debounce.since.setdefault(alert_id, now)
            if now - first < rule.for_s * 1000.0 or open_count >= MAX_OPEN:
                continue
            out[alert_id] = _raised(rule, alert_id, match, now)
            open_count += 1
            changes.append(Change("raised", out[alert_id]))
    for alert_id in [a for a in debounce.since if a not in seen]:
        del debounce.since[alert_id]
    for alert_id, record in list(out.items()):
        if record.ended_at is not None:
            continue
        if record.cleared_at is None and alert_id not in seen:
            record = record.model_copy(update={"cleared_at": now})
            out[alert_id] = record
            changes.append(Change("cleared", record))
        known = rules.get(record.rule)
        if known is None or (record.cleared_at is not None and not holds(record, known, now)):
            out[alert_id] = record.model_copy(update={"ended_at": now})
            changes.append(Change("ended", out[alert_id]))
    return _trimmed(out), changes


def _raised(rule: AlertRule, alert_id: str, match: Match, now: float) -> AlertRecord:
    return AlertRecord(
        id=alert_id,
        rule=rule.id,
        subject=match.subject,
        priority=rule.priority,
        title_vi=rule.title.vi,
        title_en=rule.title.en,
        raised_at=now,
        values=dict(match.values),
        province=match.province,
        point=match.point,
        shows=match.shows,
    )


def _trimmed(records: dict[str, AlertRecord]) -> dict[str, AlertRecord]:
    ended = sorted(
        (r for r in records.values() if r.ended_at is not None),
        key=lambda r: r.ended_at or 0.0,
        reverse=True,
    )
    for old in ended[HISTORY_KEPT:]:
        del records[old.id]
    return records


def render(text: str, values: Mapping[str, str], lang: Literal["vi", "en"] = "vi") -> str:
    """A banner's text with the trigger's values (in English the ``<name>_en`` ones where
    the trigger gives them); a value the trigger lacks shows as "—"."""
    if lang == "en":
        values = {k: values.get(f"{k}_en", v) for k, v in values.items()}
    return text.format_map(_Defaulting(values))


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"
