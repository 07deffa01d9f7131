"""Bad catalogue files: one row per mistake, each naming file, line and key; the good snippet
loads, and every problem of a file is reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from cataloguesupport import AGENCIES, GOOD, Mistake, assert_refused, write_spec

from command_center.errors import SpecError
from feeds.loader import load_feeds

BAD: list[Mistake] = [
    (
        GOOD.replace("    decimals: 2", "    decimal: 2"),
        AGENCIES,
        "catalogue",
        "indicators[0].decimal",
        7,
        r"unknown key \(did you mean 'decimals'\?\)",
    ),
    (
        GOOD.replace("area: growth", "area: growht"),
        AGENCIES,
        "catalogue",
        "indicators[0].area",
        8,
        r"Input should be 'growth', .*\(got 'growht'\)",
    ),
    (
        GOOD.replace("frequency: quarterly", "frequency: quaterly"),
        AGENCIES,
        "catalogue",
        "indicators[0].frequency",
        10,
        r"Input should be 'daily'",
    ),
    (
        GOOD.replace("    owner: cuc_thong_ke\n", ""),
        AGENCIES,
        "catalogue",
        "indicators[0].owner",
        2,
        "required key is missing",
    ),
    (
        GOOD.replace("owner: cuc_thong_ke", "owner: cuc_thong_kee"),
        AGENCIES,
        "catalogue",
        "indicators[0].owner",
        16,
        r"unknown agency 'cuc_thong_kee' \(did you mean 'cuc_thong_ke'\?\)",
    ),
    (
        GOOD.replace("owner: cuc_thong_ke", "owner: ubnd_46"),
        AGENCIES,
        "catalogue",
        "indicators[0].owner",
        16,
        "is a province; owners are central",
    ),
    (
        GOOD.replace("warning: 6.5, alarm: 5.0", "warning: 5.0, alarm: 6.5"),
        AGENCIES,
        "catalogue",
        "indicators[0].thresholds.alarm",
        13,
        r"must be below warning \(5\.0\) when higher is better",
    ),
    (
        GOOD.replace(
            "direction: higher_better\n    thresholds: {warning: 6.5, alarm: 5.0}",
            "direction: lower_better\n    thresholds: {warning: 6.5, alarm: 5.0}",
        ),
        AGENCIES,
        "catalogue",
        "indicators[0].thresholds.alarm",
        13,
        "must be above warning .* when lower is better",
    ),
    (
        GOOD.replace("{warning: 6.5, alarm: 5.0}", "{warning: {low: 1, high: 2}}"),
        AGENCIES,
        "catalogue",
        "indicators[0].thresholds.warning",
        13,
        "needs a single number",
    ),
    (
        GOOD.replace("direction: higher_better\n    thresholds", "direction: band\n    thresholds"),
        AGENCIES,
        "catalogue",
        "indicators[0].direction",
        12,
        "a 'band' goes with direction 'band'",
    ),
    (
        GOOD.replace(
            "direction: higher_better\n    thresholds: {warning: 6.5, alarm: 5.0}",
            "direction: band\n    band: {low: 6, high: 8}\n    thresholds: {warning: {low: 6.5, high: 9}}",
        ),
        AGENCIES,
        "catalogue",
        "indicators[0].thresholds.warning",
        14,
        r"must enclose the band \[6\.0, 8\.0\]",
    ),
    (
        GOOD.replace("band: {low", "band: {low").replace(
            "direction: higher_better\n    thresholds: {warning: 6.5, alarm: 5.0}",
            "direction: band\n    band: {low: 8, high: 6}",
        ),
        AGENCIES,
        "catalogue",
        "indicators[0].band",
        13,
        r"'low' \(8\.0\) must be below 'high' \(6\.0\)",
    ),
    (
        GOOD.replace("value: 10,", "value: 40,"),
        AGENCIES,
        "catalogue",
        "indicators[0].targets[0].value",
        15,
        r"target 40 lies outside the valid range \[-30, 30\]",
    ),
    (
        GOOD.replace('period: "2026"', 'period: "2026-Q5"'),
        AGENCIES,
        "catalogue",
        "indicators[0].targets[0].period",
        15,
        "must look like 2026-10-19, 2026-W42",
    ),
    (
        GOOD.replace("set_by: national_assembly", "set_by: parliament"),
        AGENCIES,
        "catalogue",
        "indicators[0].targets[0].set_by",
        15,
        r"Input should be 'national_assembly', 'government' or 'ministry' \(got 'parliament'\)",
    ),
    (
        GOOD.replace("value: 10,", "value: 10, high: 9,"),
        AGENCIES,
        "catalogue",
        "indicators[0].targets[0]",
        15,
        r"'high' \(9\.0\) must be above 'value' \(10\.0\)",
    ),
    (
        GOOD.replace("{day: 6, months_after: 1}", "{day: 6, after_end_hours: 4}"),
        AGENCIES,
        "catalogue",
        "indicators[0].deadline",
        11,
        "give exactly one of 'day' or 'after_end_hours'",
    ),
    (
        GOOD.replace("{day: 25, cutoff_day: 14}", "{day: 14, cutoff_day: 14}", 1),
        AGENCIES,
        "catalogue",
        "indicators[1].deadline",
        27,
        r"deadline \(day 14\) must come after the data cut-off \(day 14\)",
    ),
    (
        GOOD.replace("frequency: quarterly", "frequency: daily"),
        AGENCIES,
        "catalogue",
        "indicators[0].deadline.day",
        11,
        "a day-of-month deadline needs monthly or longer periods",
    ),
    (
        GOOD.replace("valid_range: {min: -30, max: 30}", "valid_range: {min: 30, max: -30}"),
        AGENCIES,
        "catalogue",
        "indicators[0].valid_range",
        17,
        r"'min' \(30\.0\) must be below 'max'",
    ),
    (
        GOOD.replace("weight: plan", "weight: plann"),
        AGENCIES,
        "catalogue",
        "indicators[1].aggregation.weight",
        30,
        r"unknown weight indicator 'plann' \(did you mean 'plan'\?\)",
    ),
    (
        GOOD.replace("weight: plan", "weight: gdp_growth"),
        AGENCIES,
        "catalogue",
        "indicators[1].aggregation.weight",
        30,
        "weight indicator 'gdp_growth' must be province-level",
    ),
    (
        GOOD.replace(", weight: plan}", "}"),
        AGENCIES,
        "catalogue",
        "indicators[1].aggregation.weight",
        30,
        "a weighted_mean needs a 'weight' indicator",
    ),
    (
        GOOD.replace("    aggregation: {to_nation: sum, old_to_new: sum}\n", ""),
        AGENCIES,
        "catalogue",
        "indicators[2].aggregation",
        32,
        "a province-level indicator needs 'aggregation'",
    ),
    (
        GOOD.replace("level: national", "level: nation"),
        AGENCIES,
        "catalogue",
        "indicators[0].level",
        9,
        r"Input should be 'national' or 'province' \(got 'nation'\)",
    ),
    (
        GOOD.replace("code: plan", "code: disbursement").replace(
            "weight: plan", "weight: disbursement"
        ),
        AGENCIES,
        "catalogue",
        "indicators[2].code",
        32,
        r"code 'disbursement' is used twice \(first at indicators\[1\]\)",
    ),
    (
        GOOD.replace("code: gdp_growth", "code: GDP-growth"),
        AGENCIES,
        "catalogue",
        "indicators[0].code",
        2,
        "should match pattern",
    ),
    (
        GOOD + "    direction: lower_better\n",
        AGENCIES,
        "catalogue",
        "indicators[2].direction",
        46,
        "written twice",
    ),
    (
        GOOD.replace('name_en: "GDP growth"', 'name_en: "GDP growth'),
        AGENCIES,
        "catalogue",
        "(yaml)",
        5,
        "YAML syntax error",
    ),
]
BAD_IDS = [
    "unknown-key",
    "unknown-area",
    "unknown-frequency",
    "missing-owner",
    "unknown-owner",
    "province-owner",
    "thresholds-reversed-higher-better",
    "thresholds-reversed-lower-better",
    "threshold-bounds-for-one-sided",
    "band-direction-without-band",
    "warning-inside-band",
    "band-reversed",
    "target-out-of-range",
    "target-bad-period",
    "target-unknown-setter",
    "target-range-reversed",
    "deadline-two-shapes",
    "deadline-before-cutoff",
    "day-rule-for-daily",
    "range-reversed",
    "weight-unknown",
    "weight-national",
    "weight-missing",
    "aggregation-missing",
    "unknown-level",
    "duplicate-code",
    "code-not-slug",
    "duplicate-yaml-key",
    "yaml-syntax",
]


def test_good_snippet_loads(tmp_path: Path) -> None:
    spec = load_feeds(*write_spec(tmp_path, GOOD, AGENCIES))
    assert spec.catalogue.codes == ("gdp_growth", "disbursement", "plan")
    assert spec.scope("ubnd_46").allows("disbursement", "46")
    assert not spec.scope("ubnd_46").allows("disbursement", "01")


@pytest.mark.parametrize("mistake", BAD, ids=BAD_IDS)
def test_bad_catalogue(tmp_path: Path, mistake: Mistake) -> None:
    assert_refused(tmp_path, *mistake)


def test_every_problem_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("decimals: 2", "decimal: 2").replace("weight: plan", "weight: plann")
    agencies = AGENCIES.replace("kind: ministry", "kind: ministy")
    with pytest.raises(SpecError) as caught:
        load_feeds(*write_spec(tmp_path, text, agencies))
    keys = {p.key for p in caught.value.problems}
    assert {"indicators[0].decimal", "indicators[1].aggregation.weight", "agencies[1].kind"} <= keys
