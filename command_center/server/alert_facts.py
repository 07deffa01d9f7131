"""What holds now, as alert rules ask it: incidents, judged indicators, bridge points,
screens and agencies, gathered into ``Match``es per rule (``layouts.alert_state``).

Kept up to date from the bus (observations, bridge points) and read from the stores at start
and, for incidents, at each evaluation (the incident store is the truth; a few hundred
active incidents at most). Who is overdue is ``feeds.reporting_status``'s rule (the API's and
the tile's), re-read at most once a minute: deadlines are days apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from command_center.messages import BridgePointState, ObservationsAccepted
from feeds.catalogue import Catalogue
from feeds.direction import Status
from feeds.incident_store import IncidentStore
from feeds.incidents import KIND_LABELS, Incident, IncidentKind
from feeds.judging import judge
from feeds.loader import FeedsSpec
from feeds.observation_store import ObservationStore
from feeds.observations import Observation
from feeds.periods import TIME_ZONE
from feeds.reporting_status import StatusEntry, expected_reports, reporting_status
from feeds.tile_common import period_of_key
from geo import CodeList, province
from layouts.alert_rules import (
    STATUS_WORDS,
    AlertRule,
    IndicatorTrigger,
    OverdueTrigger,
    Trigger,
)
from layouts.alert_state import Match

OVERDUE_EVERY_MS = 60_000.0
# After a report arrives, the overdue list is re-read this soon at the latest (not at each
# report: under heavy reporting that would be a catalogue-wide read per post).
OVERDUE_AFTER_REPORT_MS = 5_000.0
RESOLVED_KEPT_MS = 60_000.0  # a just-resolved incident still matches rules that ask for it
MAX_POINTS = 1000  # bridge points remembered (a bound: the registry is far smaller)


def province_names(code: str | None) -> tuple[str, str]:
    if code is None:
        return "—", "—"
    try:
        unit = province(code, CodeList.NEW_34)
    except Exception:  # an old code in an old record: show it as it is
        return code, code
    return unit.name_vi, unit.name_en


def vi_number(value: float) -> str:
    """1.234,5 as officials write it."""
    text = f"{value:,.1f}" if value % 1 else f"{value:,.0f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


@dataclass
class PointSeen:
    name_vi: str
    name_en: str
    in_call: bool
    was_in_call: bool = False


@dataclass
class AlertFacts:
    """The facts one process has; only the process holding the rules' lease asks them."""

    feeds: FeedsSpec
    incidents: IncidentStore
    observations: ObservationStore
    # Indicators a preset's tiles show (for ``indicator: any, shown_on: <preset>``).
    shown_on: Mapping[str, frozenset[str]]
    screens_online: Callable[[], frozenset[str]]
    screens_known: Callable[[], frozenset[str]]
    latest: dict[tuple[str, str], Observation] = field(default_factory=dict)
    agency_last_ms: dict[str, float] = field(default_factory=dict)
    points: dict[str, PointSeen] = field(default_factory=dict)
    started_ms: float = field(default_factory=lambda: time.time() * 1000.0)
    overdue: list[StatusEntry] = field(default_factory=list)
    overdue_read_ms: float = float("-inf")

    @property
    def catalogue(self) -> Catalogue:
        return self.feeds.catalogue

    async def load(self) -> None:
        for obs in await self.observations.latest():
            self._keep(obs)

    def observed(self, message: ObservationsAccepted) -> None:
        for row in message.observations:
            self._keep(Observation.model_validate(row))
        self.agency_last_ms[message.agency] = max(
            message.ts, self.agency_last_ms.get(message.agency, 0.0)
        )
        # A report may end an overdue alert: re-read soon, not at once for every post.
        self.overdue_read_ms = min(
            self.overdue_read_ms, time.time() * 1000.0 - OVERDUE_EVERY_MS + OVERDUE_AFTER_REPORT_MS
        )

    def point_state(self, message: BridgePointState) -> None:
        seen = self.points.get(message.point)
        if seen is None:
            if len(self.points) >= MAX_POINTS:
                return
            seen = self.points[message.point] = PointSeen(message.name_vi, message.name_en, False)
        # "Lost during a call": it was in the call, and now is not.
        seen.was_in_call = seen.was_in_call or seen.in_call
        seen.in_call = message.in_call
        if message.in_call:
            seen.was_in_call = False

    def _keep(self, obs: Observation) -> None:
        key = (obs.indicator, obs.area.key)
        held = self.latest.get(key)
        if held is None or (obs.period, obs.revision) >= (held.period, held.revision):
            self.latest[key] = obs
        self.agency_last_ms[obs.agency] = max(
            obs.received_at, self.agency_last_ms.get(obs.agency, 0.0)
        )

    async def matches(self, rules: Mapping[str, AlertRule], now: float) -> dict[str, list[Match]]:
        incidents: list[Incident] | None = None
        found: dict[str, list[Match]] = {}
        wants_overdue = any(t.overdue is not None for r in rules.values() for t in r.when)
        if wants_overdue and now - self.overdue_read_ms >= OVERDUE_EVERY_MS:
            await self._read_overdue(now)
        for rule_id, rule in rules.items():
            out: dict[str, Match] = {}
            for trigger in rule.when:
                if trigger.incident is not None and incidents is None:
                    incidents = await self.incidents.active(now - RESOLVED_KEPT_MS)
                for match in self._trigger(trigger, incidents or [], now):
                    out.setdefault(match.subject, match)
            found[rule_id] = list(out.values())
        return found

    def _trigger(self, trigger: Trigger, incidents: list[Incident], now: float) -> Iterable[Match]:
        if trigger.incident is not None:
            rule = trigger.incident
            for incident in incidents:
                if incident.status.value not in rule.status:
                    continue
                if rule.kind and incident.kind.value not in rule.kind:
                    continue
                if rule.province is not None and incident.province != rule.province:
                    continue
                least = rule.people_deployed_at_least
                if least is not None and incident.people_deployed < least:
                    continue
                yield _incident_match(incident)
        elif trigger.indicator is not None:
            yield from self._indicator(trigger.indicator)
        elif trigger.overdue is not None:
            yield from self._overdue(trigger.overdue)
        elif trigger.bridge_point_lost is not None:
            wanted = trigger.bridge_point_lost.point
            for point, seen in self.points.items():
                if seen.was_in_call and not seen.in_call and wanted in (None, point):
                    yield Match(
                        subject=f"point:{point}",
                        values={"point": seen.name_vi, "point_en": seen.name_en},
                        point=point,
                        shows=(f"point:{point}",),
                    )
        elif trigger.screen_offline is not None:
            online, known = self.screens_online(), self.screens_known()
            wanted = trigger.screen_offline.screen
            for screen in sorted(known - online):
                if wanted in (None, screen):
                    yield Match(subject=f"screen:{screen}", values={"screen": screen})
        elif trigger.feed_silent is not None:
            agency = trigger.feed_silent.agency
            last = self.agency_last_ms.get(agency, self.started_ms)
            if now - last >= trigger.feed_silent.minutes * 60_000.0:
                yield Match(subject=f"agency:{agency}", values={"agency": agency})

    async def _read_overdue(self, now: float) -> None:
        at = datetime.fromtimestamp(now / 1000.0, TIME_ZONE)
        expected = expected_reports(self.feeds, None, at)
        reported = await self.observations.reported(*{e.period.key for e in expected})
        self.overdue = [
            e for e in reporting_status(expected, reported, at) if e.status == "overdue"
        ]
        self.overdue_read_ms = now

    def _overdue(self, trigger: OverdueTrigger) -> Iterable[Match]:
        for entry in self.overdue:
            if entry.late_by_s < trigger.days * 86_400:
                continue
            if trigger.indicator not in (None, entry.indicator):
                continue
            if trigger.agency not in (None, entry.agency):
                continue
            indicator = self.catalogue.get(entry.indicator)
            days = int(entry.late_by_s // 86_400)
            yield Match(
                subject=f"overdue:{entry.indicator}:{entry.area}:{entry.period}",
                values={
                    "indicator": indicator.tile_name_vi,
                    "indicator_en": indicator.tile_name_en,
                    "agency": entry.agency,
                    "value": f"trễ {days} ngày",
                    "value_en": f"{days} days late",
                },
                shows=(f"indicator:{entry.indicator}",),
            )

    def _indicator(self, trigger: IndicatorTrigger) -> Iterable[Match]:
        codes = (
            sorted(self.shown_on.get(trigger.shown_on or "", frozenset()))
            if trigger.indicator == "any"
            else [trigger.indicator]
        )
        wanted = {Status(STATUS_WORDS[word]) for word in trigger.status}
        for code in codes:
            if code not in self.catalogue:
                continue
            indicator = self.catalogue.get(code)
            for (held_code, area), obs in self.latest.items():
                if held_code != code:
                    continue
                if trigger.area == "any_province" and area == "VN":
                    continue
                if trigger.area != "any_province" and area != trigger.area:
                    continue
                status, _ = judge(indicator, obs.value, period_of_key(indicator, obs.period))
                if status not in wanted:
                    continue
                vi, en = province_names(obs.area.code) if obs.area.code else ("Cả nước", "Nation")
                value = f"{vi_number(obs.value)} {indicator.unit_vi}".strip()
                yield Match(
                    subject=f"{code}:{area}",
                    values={
                        "indicator": indicator.tile_name_vi,
                        "indicator_en": indicator.tile_name_en,
                        "value": value,
                        "value_en": f"{obs.value:,g} {indicator.unit_en}".strip(),
                        "area": vi,
                        "area_en": en,
                        "province": vi,
                        "province_en": en,
                    },
                    province=obs.area.code if obs.area.code_list == CodeList.NEW_34.value else None,
                    shows=(f"indicator:{code}",),
                )


def _incident_match(incident: Incident) -> Match:
    vi, en = province_names(incident.province)
    kind_vi, kind_en = KIND_LABELS[IncidentKind(incident.kind)]
    return Match(
        subject=f"incident:{incident.id}",
        values={
            "province": vi,
            "province_en": en,
            "people_deployed": vi_number(incident.people_deployed),
            "people_deployed_en": f"{incident.people_deployed:,}",
            "kind": kind_vi,
            "kind_en": kind_en,
        },
        province=incident.province,
    )
