"""The alert engine's rules of life (layouts/alert_state.py) and what the wall should show
(layouts/alert_plan.py), on small rules of the test's own and fixed times."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from layouts.alert_plan import plan
from layouts.alert_rules import AlertRule
from layouts.alert_state import AlertRecord, Debounce, Match, holds, step


def rule(rule_id: str, priority: int, **extra: Any) -> AlertRule:
    body = {
        "id": rule_id,
        "title": {"vi": f"Quy tắc {rule_id}", "en": f"Rule {rule_id}"},
        "priority": priority,
        "when": [{"incident": {"status": ["responding"]}}],
        "do": {"switch": {"preset": f"preset-{rule_id}"}, "focus": "province"},
    }
    return AlertRule.model_validate({**body, **extra})


def run(
    rules: dict[str, AlertRule],
    records: dict[str, AlertRecord],
    now: float,
    holding: dict[str, list[str]],
    debounce: Debounce | None = None,
) -> tuple[dict[str, AlertRecord], list[str]]:
    matches = {
        r: [Match(subject=s, values={"province": "Hà Nội"}, province="01") for s in subjects]
        for r, subjects in holding.items()
    }
    out, changes = step(rules, records, matches, debounce or Debounce(), now)
    return out, [f"{c.what} {c.alert.id}" for c in changes]


def test_a_condition_must_hold_for_its_debounce_before_it_raises() -> None:
    rules = {"a": rule("a", 1, **{"for": "10s"})}
    debounce = Debounce()
    records, changes = run(rules, {}, 0.0, {"a": ["x"]}, debounce)
    assert (records, changes) == ({}, [])
    records, changes = run(rules, records, 9_999.0, {"a": ["x"]}, debounce)
    assert changes == []
    records, changes = run(rules, records, 10_000.0, {"a": ["x"]}, debounce)
    assert changes == ["raised a:x"]
    # A blip shorter than the debounce starts it again.
    debounce2 = Debounce()
    run(rules, {}, 0.0, {"a": ["y"]}, debounce2)
    run(rules, {}, 5_000.0, {}, debounce2)
    assert run(rules, {}, 12_000.0, {"a": ["y"]}, debounce2)[1] == []


def test_clear_reverts_a_low_priority_alert_by_itself() -> None:
    rules = {"a": rule("a", 1)}
    records, _ = run(rules, {}, 0.0, {"a": ["x"]})
    assert plan(rules, records, 1.0, locked=False).preset == "preset-a"
    records, changes = run(rules, records, 2.0, {})
    assert changes == ["cleared a:x", "ended a:x"]
    assert plan(rules, records, 3.0, locked=False).preset is None
    assert records["a:x"].state == "cleared", "kept as history"


def test_a_high_priority_alert_stays_until_cleared_and_acknowledged() -> None:
    rules = {"c": rule("c", 3)}
    records, _ = run(rules, {}, 0.0, {"c": ["x"]})
    records, changes = run(rules, records, 1.0, {})
    assert changes == ["cleared c:x"], "resolved but not acknowledged: it holds"
    assert plan(rules, records, 2.0, locked=False).preset == "preset-c"
    records["c:x"] = records["c:x"].model_copy(
        update={"acknowledged_by": "truc-ban", "acknowledged_at": 3.0}
    )
    records, changes = run(rules, records, 4.0, {})
    assert changes == ["ended c:x"]
    assert plan(rules, records, 5.0, locked=False).preset is None


def test_acknowledged_but_still_holding_stays_until_clear() -> None:
    rules = {"c": rule("c", 3)}
    records, _ = run(rules, {}, 0.0, {"c": ["x"]})
    records["c:x"] = records["c:x"].model_copy(update={"acknowledged_by": "truc-ban"})
    records, changes = run(rules, records, 1.0, {"c": ["x"]})
    assert changes == [] and records["c:x"].state == "acknowledged"
    assert plan(rules, records, 2.0, locked=False).preset == "preset-c"


def test_timeout_reverts_after_its_time_even_while_the_condition_holds() -> None:
    rules = {"t": rule("t", 2, revert={"timeout": "1m"})}
    records, _ = run(rules, {}, 0.0, {"t": ["x"]})
    assert holds(records["t:x"], rules["t"], 59_999.0)
    assert not holds(records["t:x"], rules["t"], 60_000.0)
    assert plan(rules, records, 60_000.0, locked=False).preset is None


def test_cooldown_keeps_a_cleared_subject_from_raising_again_too_soon() -> None:
    rules = {"a": rule("a", 1, cooldown="5m")}
    records, _ = run(rules, {}, 0.0, {"a": ["x"]})
    records, _ = run(rules, records, 1_000.0, {})
    records, changes = run(rules, records, 2_000.0, {"a": ["x"]})
    assert changes == [], "within the cooldown"
    records, changes = run(rules, records, 301_000.0, {"a": ["x"]})
    assert changes == ["raised a:x"]


def test_snoozed_alert_holds_nothing_until_the_snooze_ends() -> None:
    rules = {"a": rule("a", 2)}
    records, _ = run(rules, {}, 0.0, {"a": ["x"]})
    records["a:x"] = records["a:x"].model_copy(update={"snoozed_until": 10_000.0})
    assert plan(rules, records, 5_000.0, locked=False).preset is None
    assert plan(rules, records, 10_000.0, locked=False).preset == "preset-a"


@pytest.mark.parametrize("order", list(itertools.permutations(["low", "high"])))
def test_two_priorities_clear_in_either_order_and_the_wall_returns(
    order: tuple[str, str],
) -> None:
    rules = {"low": rule("low", 1), "high": rule("high", 2)}
    records, _ = run(rules, {}, 0.0, {"low": ["x"]})
    assert plan(rules, records, 1.0, locked=False).preset == "preset-low"
    records, _ = run(rules, records, 2.0, {"low": ["x"], "high": ["y"]})
    assert plan(rules, records, 3.0, locked=False).preset == "preset-high", "pre-empted"
    still = {"low": ["x"], "high": ["y"]}
    del still[order[0]]
    records, _ = run(rules, records, 4.0, still)
    assert plan(rules, records, 5.0, locked=False).preset == f"preset-{order[1]}"
    records, _ = run(rules, records, 6.0, {})
    assert plan(rules, records, 7.0, locked=False).preset is None


def test_a_lock_keeps_switches_and_focus_off_the_wall_but_not_banners() -> None:
    banner = {"vi": "Sự cố tại {province}", "en": "Incident in {province}", "severity": "critical"}
    rules = {
        "a": rule("a", 3, do={"switch": {"preset": "p"}, "focus": "province", "banner": banner})
    }
    records, _ = run(rules, {}, 0.0, {"a": ["x"]})
    locked = plan(rules, records, 1.0, locked=True)
    assert (locked.preset, locked.focus) == (None, None)
    assert [b.text_vi for b in locked.banners] == ["Sự cố tại Hà Nội"]
    free = plan(rules, records, 1.0, locked=False)
    assert (free.preset, free.focus, free.preset_by) == ("p", "01", "a:x")


def test_the_condition_coming_back_before_the_alert_ended_is_the_same_alert() -> None:
    rules = {"c": rule("c", 3)}
    records, _ = run(rules, {}, 0.0, {"c": ["x"]})
    records, _ = run(rules, records, 1.0, {})
    records, changes = run(rules, records, 2.0, {"c": ["x"]})
    assert changes == ["returned c:x"] and records["c:x"].raised_at == 0.0


def test_no_more_than_max_open_alerts_hold_at_once() -> None:
    from layouts.alert_state import MAX_OPEN

    rules = {"a": rule("a", 1)}
    subjects = [f"s{i}" for i in range(MAX_OPEN + 50)]
    records, changes = run(rules, {}, 0.0, {"a": subjects})
    assert len(changes) == MAX_OPEN == sum(1 for r in records.values() if r.ended_at is None)
    # One clears: the next waiting subject is raised in its place at the next evaluation.
    records, changes = run(rules, records, 1.0, {"a": subjects[1:]})
    assert changes == ["cleared a:s0", "ended a:s0"]
    records, changes = run(rules, records, 2.0, {"a": subjects[1:]})
    assert changes == [f"raised a:s{MAX_OPEN}"]
