"""Checking an alert rules file against the wall, its presets and the names the feeds and
the video bridge know: every problem with file, line, key and a did-you-mean, in one pass."""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from command_center.spec_problems import IdsOnce, ProblemLog, did_you_mean
from command_center.yaml_lines import KeyPath
from layouts.alert_rules import MAX_RULES, Actions, AlertRule, AlertRulesFile, Trigger
from layouts.model import PresetSpec

PLACEHOLDERS = frozenset(
    {"province", "indicator", "value", "people_deployed", "point", "screen", "agency", "area"}
)


@dataclass(frozen=True)
class KnownNames:
    """What rules may name, gathered by the shell (layouts imports neither feeds nor video)."""

    indicators: Collection[str] = ()
    agencies: Collection[str] = ()
    areas: Collection[str] = ()
    provinces: Collection[str] = ()
    incident_kinds: Collection[str] = ()
    points: Collection[str] = ()
    screens: Collection[str] = ()
    zones: Collection[str] = ()
    presets: Mapping[str, PresetSpec] = field(default_factory=dict)


def check_alert_rules(data: object, known: KnownNames, log: ProblemLog) -> AlertRulesFile | None:
    """Validate a parsed rules file; log every problem, None if there is any.

    One pass: each rule is validated on its own, and the parts of a rule that are sound
    (its triggers, its actions) have their names checked even when another part is not."""
    before = len(log.problems)
    top = log.validate(_RulesList, {} if data is None else data)
    if top is None:
        return None
    rules: list[AlertRule] = []
    ids = IdsOnce(log, "rule")
    for i, raw in enumerate(top.rules):
        at: KeyPath = ("rules", i)
        rule = log.validate(AlertRule, raw, at)
        if rule is None:
            _check_sound_parts(raw, at, known)(log)
            continue
        rules.append(rule)
        ids.see(rule.id, at)
        for j, trigger in enumerate(rule.when):
            _check_trigger(trigger, (*at, "when", j), known, log)
        _check_actions(rule.do, rule.when, at, known, log)
    if len(log.problems) > before:
        return None
    return AlertRulesFile(rules=tuple(rules))


class _RulesList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[dict[str, Any]] = Field(default=[], max_length=MAX_RULES)


def _check_sound_parts(raw: dict[str, Any], at: KeyPath, known: KnownNames) -> Any:
    """The name checks of a broken rule's sound triggers and actions (their own structural
    problems were logged with the rule)."""
    quiet = ProblemLog("")
    triggers = [
        (j, t)
        for j, item in enumerate(raw.get("when") or [])
        if (t := quiet.validate(Trigger, item)) is not None
    ]
    actions = quiet.validate(Actions, raw.get("do") or {})

    def check(log: ProblemLog) -> None:
        for j, trigger in triggers:
            _check_trigger(trigger, (*at, "when", j), known, log)
        if actions is not None:
            _check_actions(actions, tuple(t for _, t in triggers), at, known, log)

    return check


def _name(
    log: ProblemLog, path: KeyPath, what: str, got: str | None, known: Collection[str]
) -> None:
    if got is not None and known and got not in known:
        log.add(path, f"unknown {what} '{got}'", did_you_mean(got, known))


def _check_trigger(trigger: Trigger, at: KeyPath, known: KnownNames, log: ProblemLog) -> None:
    given = [name for name in type(trigger).model_fields if getattr(trigger, name) is not None]
    if len(given) != 1:
        log.add(
            at,
            f"a trigger has exactly one kind ({len(given)} given)",
            "one of: " + ", ".join(type(trigger).model_fields),
        )
        return
    kind = given[0]
    body = getattr(trigger, kind)
    path = (*at, kind)
    if trigger.indicator is not None:
        indicator = trigger.indicator.indicator
        if indicator == "any":
            if trigger.indicator.shown_on is None:
                log.add((*path, "shown_on"), "indicator 'any' needs shown_on: <preset>")
            _name(log, (*path, "shown_on"), "preset", trigger.indicator.shown_on, known.presets)
        else:
            _name(log, (*path, "indicator"), "indicator", indicator, known.indicators)
        area = trigger.indicator.area
        if area != "any_province":
            _name(log, (*path, "area"), "area", area, [*known.areas, "any_province"])
    elif trigger.overdue is not None:
        _name(log, (*path, "indicator"), "indicator", body.indicator, known.indicators)
        _name(log, (*path, "agency"), "agency", body.agency, known.agencies)
    elif trigger.incident is not None:
        for k, incident_kind in enumerate(trigger.incident.kind):
            _name(log, (*path, "kind", k), "incident kind", incident_kind, known.incident_kinds)
        _name(log, (*path, "province"), "province", trigger.incident.province, known.provinces)
    elif trigger.bridge_point_lost is not None:
        _name(log, (*path, "point"), "bridge point", body.point, known.points)
    elif trigger.screen_offline is not None:
        _name(log, (*path, "screen"), "screen", body.screen, known.screens)
    elif trigger.feed_silent is not None:
        _name(log, (*path, "agency"), "agency", body.agency, known.agencies)


def _check_actions(
    do: Actions, when: tuple[Trigger, ...], at: KeyPath, known: KnownNames, log: ProblemLog
) -> None:
    path = (*at, "do")
    if do.switch is not None:
        _name(log, (*path, "switch", "preset"), "preset", do.switch.preset, known.presets)
        _name(log, (*path, "switch", "zone"), "zone", do.switch.zone, known.zones)
    if do.banner is not None:
        _name(log, (*path, "banner", "zone"), "zone", do.banner.zone, known.zones)
        for lang in ("vi", "en"):
            for field_name in _placeholders(getattr(do.banner, lang)):
                if field_name not in PLACEHOLDERS:
                    log.add(
                        (*path, "banner", lang),
                        f"unknown placeholder '{{{field_name}}}'",
                        did_you_mean(field_name, PLACEHOLDERS),
                    )
    if do.pin is not None:
        _name(log, (*path, "pin", "point"), "bridge point", do.pin.point, known.points)
        presets = (
            [known.presets[do.switch.preset]]
            if do.switch and do.switch.preset in known.presets
            else list(known.presets.values())
        )
        tiles = {t.id for p in presets for t in p.tiles if t.kind == "video"}
        _name(log, (*path, "pin", "tile"), "video tile", do.pin.tile, tiles)
    if do.focus == "province" and not any(
        t.incident is not None or (t.indicator is not None and t.indicator.area == "any_province")
        for t in when
    ):
        log.add((*path, "focus"), "no trigger of this rule names a province to focus on")


def _placeholders(text: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return ["{"]
