"""The alert rules file checker: the shipped file is sound; every mistake is named with its
line, key and a did-you-mean, structural and reference mistakes in one pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from command_center.server.alerts_runtime import known_names
from command_center.server.composition import build_registry
from feeds.loader import load_feeds
from layouts import DEFAULT_WALL_FILE, alert_rules_for, presets_dir_for
from layouts.alert_check import KnownNames
from layouts.alert_loader import check_alert_rules_file
from layouts.alert_rules import AlertRule, seconds
from layouts.loader import load_presets, load_wall
from video.registry import load_bridge_points


@pytest.fixture(scope="module")
def known() -> KnownNames:
    wall = load_wall(DEFAULT_WALL_FILE)
    presets = load_presets(presets_dir_for(wall.id), wall, build_registry())
    return known_names(wall, presets, load_feeds(), load_bridge_points().ids)


def problems_of(tmp_path: Path, text: str, known: KnownNames) -> list[str]:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return [str(p) for p in check_alert_rules_file(path, known)[0]]


def test_the_shipped_rules_are_sound(known: KnownNames) -> None:
    problems, rules = check_alert_rules_file(alert_rules_for("default"), known)
    assert problems == []
    assert set(rules) == {"sar-major-incident", "national-indicator-red", "bridge-point-lost"}
    sar = rules["sar-major-incident"]
    assert (sar.priority, sar.reverts_on) == (3, "clear_and_acknowledge")
    assert rules["bridge-point-lost"].reverts_on == "clear"


RULE = """rules:
  - id: r1
    title: {vi: "Một", en: "One"}
    priority: 2
    when:
      - incident: {status: [responding], kind: [strom]}
    do:
      switch: {preset: overveiw}
      banner: {vi: "{provice}", en: "x"}
"""


def test_every_mistake_of_a_rule_is_named_with_its_line(tmp_path: Path, known: KnownNames) -> None:
    found = problems_of(tmp_path, RULE.replace("priority: 2", "priority: 7"), known)
    text = "\n".join(found)
    assert "rules.yaml:4: rules[0].priority" in text, "structural, with its line"
    assert "rules.yaml:6: rules[0].when[0].incident.kind[0]: unknown incident kind 'strom'" in text
    assert "did you mean 'storm'?" in text
    assert "rules.yaml:8: rules[0].do.switch.preset: unknown preset 'overveiw'" in text
    assert "unknown placeholder '{provice}' (did you mean 'province'?)" in text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("id: r1", "id: R 1"), "rules[0].id"),
        (("priority: 2", "priority: 2\n    for: soon"), "'soon' is not a duration"),
        (("- incident:", "- incidnet:"), "did you mean 'incident'?"),
        (("banner:", "focus: province\n      banner:"), None),
        (("do:", "revert: sometimes\n    do:"), "rules[0].revert"),
    ],
    ids=["id", "duration", "trigger-kind", "focus-with-incident-ok", "revert"],
)
def test_one_mistake_each(
    tmp_path: Path, known: KnownNames, change: tuple[str, str], expected: str | None
) -> None:
    sound = (
        RULE.replace("strom", "storm")
        .replace("overveiw", "overview")
        .replace("provice", "province")
    )
    found = problems_of(tmp_path, sound.replace(*change), known)
    if expected is None:
        assert found == []
    else:
        assert any(expected in p for p in found), found


def test_a_repeated_id_and_a_focus_without_a_province(tmp_path: Path, known: KnownNames) -> None:
    text = """rules:
  - id: a
    title: {vi: "A", en: "A"}
    priority: 1
    when: [{screen_offline: {}}]
    do: {focus: province}
  - id: a
    title: {vi: "B", en: "B"}
    priority: 1
    when: [{feed_silent: {agency: bo_y_te, minutes: 30}}]
"""
    found = problems_of(tmp_path, text, known)
    assert any(
        "rules[1].id: rule id 'a' is used twice (first used by rules[0])" in p for p in found
    )
    assert any("rules[0].do.focus: no trigger of this rule names a province" in p for p in found)


def test_durations_and_default_reverts() -> None:
    assert [seconds(v) for v in (90, "90s", "5m", "1h", "250ms")] == [90, 90, 300, 3600, 0.25]
    base = {"id": "x", "title": {"vi": "x", "en": "x"}, "when": [{"screen_offline": {}}]}
    assert AlertRule.model_validate({**base, "priority": 1}).reverts_on == "clear"
    assert AlertRule.model_validate({**base, "priority": 3}).reverts_on == "clear_and_acknowledge"
    timed = AlertRule.model_validate({**base, "priority": 3, "revert": {"timeout": "10m"}})
    assert (timed.reverts_on, timed.timeout_s) == ("timeout", 600.0)
