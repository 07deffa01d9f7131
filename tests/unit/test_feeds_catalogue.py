"""Bad catalogue and agency files: one row per mistake, each naming file, line and key;
then the shipped catalogue and registry, with every indicator the launch article names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from command_center.errors import SpecError, SpecProblem
from feeds import AGENCIES_FILE, CATALOGUE_FILE
from feeds.agencies import AgencyKind
from feeds.catalogue import Level
from feeds.direction import Status
from feeds.loader import FeedsSpec, load_feeds
from feeds.periods import parse_period_key
from feeds.targets import SetBy

AGENCIES = """\
code_list: "34"
agencies:
  - {id: cuc_thong_ke, kind: department, parent: bo_tai_chinh, name_vi: "Cục Thống kê", name_en: "GSO"}
  - {id: bo_tai_chinh, kind: ministry, name_vi: "Bộ Tài chính", name_en: "Ministry of Finance"}
  - {id: ubnd_46, kind: province, province: "46", name_vi: "UBND TP Huế", name_en: "Huế"}
"""  # agencies[0] is on line 3, agencies[2] on line 5

HEAD = "indicators:\n"

GDP = """\
  - code: gdp_growth
    name_vi: "Tốc độ tăng GDP"
    name_en: "GDP growth"
    unit_vi: "%"
    unit_en: "%"
    decimals: 2
    area: growth
    level: national
    frequency: quarterly
    deadline: {day: 6, months_after: 1}
    direction: higher_better
    thresholds: {warning: 6.5, alarm: 5.0}
    targets:
      - {period: "2026", value: 10, set_by: national_assembly, instrument: "Nghị quyết 244/2025/QH15"}
    owner: cuc_thong_ke
    valid_range: {min: -30, max: 30}
"""  # lines 2-17 when first: code 2, area 8, level 9, deadline 11, direction 12,
# thresholds 13, targets[0] 15, owner 16, valid_range 17

DISBURSEMENT = """\
  - code: disbursement
    name_vi: "Tỷ lệ giải ngân vốn đầu tư công"
    name_en: "Public investment disbursement"
    unit_vi: "%"
    unit_en: "%"
    decimals: 1
    area: public_finance
    level: province
    frequency: monthly
    deadline: {day: 25, cutoff_day: 14}
    direction: higher_better
    owner: bo_tai_chinh
    aggregation: {to_nation: weighted_mean, old_to_new: weighted_mean, weight: plan}
    valid_range: {min: 0, max: 100}
  - code: plan
    name_vi: "Kế hoạch vốn"
    name_en: "Capital plan"
    unit_vi: "tỷ đồng"
    unit_en: "VND bn"
    decimals: 0
    area: public_finance
    level: province
    frequency: yearly
    deadline: {day: 25, cutoff_day: 14}
    direction: neutral
    owner: bo_tai_chinh
    aggregation: {to_nation: sum, old_to_new: sum}
    valid_range: {min: 0}
"""  # lines 18-45 after GDP: disbursement 18 (aggregation 30), plan 32 (level 39)

GOOD = HEAD + GDP + DISBURSEMENT

# (catalogue text, agencies text, file, key, line, regex on the message)
BAD = [
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
    (
        GOOD,
        AGENCIES.replace("kind: ministry", "kind: ministy"),
        "agencies",
        "agencies[1].kind",
        4,
        r"Input should be 'ministry'",
    ),
    (
        GOOD,
        AGENCIES.replace("parent: bo_tai_chinh", "parent: bo_tai_chinhh"),
        "agencies",
        "agencies[0].parent",
        3,
        r"did you mean 'bo_tai_chinh'\?",
    ),
    (
        GOOD,
        AGENCIES.replace('province: "46", ', ""),
        "agencies",
        "agencies[2].province",
        5,
        "needs its GSO 'province' code",
    ),
    (
        GOOD,
        AGENCIES
        + '  - {id: ubnd_46b, kind: province, province: "46", name_vi: "X", name_en: "X"}\n',
        "agencies",
        "agencies[3].province",
        6,
        "province '46' already has 'ubnd_46'",
    ),
    (
        GOOD,
        AGENCIES.replace('province: "46", ', "province: 46, "),
        "agencies",
        "agencies[2].province",
        5,
        "Input should be a valid string",
    ),
    (
        GOOD,
        AGENCIES.replace('code_list: "34"', 'code_list: "64"'),
        "agencies",
        "code_list",
        1,
        r"Input should be '63' or '34'",
    ),
    (
        GOOD,
        AGENCIES.replace('province: "46", ', 'province: "46", indicators: [gdp_growth], '),
        "agencies",
        "agencies[2].indicators[0]",
        5,
        "'gdp_growth' is national; a province reports its own values only",
    ),
    (
        GOOD,
        AGENCIES.replace("kind: ministry,", "kind: ministry, indicators: [disbursment],"),
        "agencies",
        "agencies[1].indicators[0]",
        4,
        r"unknown indicator 'disbursment' \(did you mean 'disbursement'\?\)",
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
    "agency-unknown-kind",
    "agency-unknown-parent",
    "agency-province-missing",
    "agency-province-twice",
    "agency-province-not-string",
    "agency-unknown-code-list",
    "agency-national-indicator-for-province",
    "agency-unknown-indicator",
]


def _write(tmp_path: Path, catalogue: str, agencies: str) -> tuple[Path, Path]:
    (tmp_path / "catalogue.yaml").write_text(catalogue, encoding="utf-8")
    (tmp_path / "agencies.yaml").write_text(agencies, encoding="utf-8")
    return tmp_path / "catalogue.yaml", tmp_path / "agencies.yaml"


def _problem(error: SpecError, key: str) -> SpecProblem:
    found = [p for p in error.problems if p.key == key]
    assert found, f"no problem at {key}: {error}"
    return found[0]


def test_good_snippet_loads(tmp_path: Path) -> None:
    spec = load_feeds(*_write(tmp_path, GOOD, AGENCIES))
    assert spec.catalogue.codes == ("gdp_growth", "disbursement", "plan")
    assert spec.scope("ubnd_46").allows("disbursement", "46")
    assert not spec.scope("ubnd_46").allows("disbursement", "01")


@pytest.mark.parametrize(
    ("catalogue", "agencies", "file", "key", "line", "message"), BAD, ids=BAD_IDS
)
def test_bad_spec(
    tmp_path: Path, catalogue: str, agencies: str, file: str, key: str, line: int, message: str
) -> None:
    paths = dict(zip(("catalogue", "agencies"), _write(tmp_path, catalogue, agencies), strict=True))
    with pytest.raises(SpecError, match=message) as caught:
        load_feeds(paths["catalogue"], paths["agencies"])
    problem = _problem(caught.value, key)
    assert (problem.file, problem.line) == (str(paths[file]), line)
    assert re.search(message, str(problem))


def test_every_problem_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("decimals: 2", "decimal: 2").replace("weight: plan", "weight: plann")
    agencies = AGENCIES.replace("kind: ministry", "kind: ministy")
    with pytest.raises(SpecError) as caught:
        load_feeds(*_write(tmp_path, text, agencies))
    keys = {p.key for p in caught.value.problems}
    assert {"indicators[0].decimal", "indicators[1].aggregation.weight", "agencies[1].kind"} <= keys


@pytest.fixture(scope="module")
def shipped() -> FeedsSpec:
    return load_feeds(CATALOGUE_FILE, AGENCIES_FILE)


# The launch article (shared/seed) names these; the brief asks for each.
LAUNCH_INDICATORS = {
    "gdp_growth": Level.NATIONAL,
    "cpi_yoy": Level.NATIONAL,
    "public_investment_disbursement": Level.PROVINCE,
    "covid19_community_cases": Level.PROVINCE,
    "sar_incidents_24h": Level.NATIONAL,
    "sar_people_deployed_24h": Level.NATIONAL,
    "online_public_services": Level.NATIONAL,
}

# The 34 provincial units since 2025-07-01 (shared/reference/vietnam-admin-units.md).
PROVINCES_34 = [
    "01",
    "04",
    "08",
    "11",
    "12",
    "14",
    "15",
    "19",
    "20",
    "22",
    "24",
    "25",
    "31",
    "33",
    "37",
    "38",
    "40",
    "42",
    "44",
    "46",
    "48",
    "51",
    "52",
    "56",
    "66",
    "68",
    "75",
    "79",
    "80",
    "82",
    "86",
    "91",
    "92",
    "96",
]


def test_shipped_catalogue(shipped: FeedsSpec) -> None:
    catalogue = shipped.catalogue
    assert len(catalogue) >= 30
    assert len({i.area for i in catalogue}) == 9
    for code, level in LAUNCH_INDICATORS.items():
        assert catalogue.get(code).level is level, code
    disbursement = catalogue.get("public_investment_disbursement")
    target = disbursement.target_for(parse_period_key("2026-03"))
    assert target is not None and (target.value, target.set_by) == (100, SetBy.GOVERNMENT)
    assert disbursement.owner == "bo_tai_chinh"
    gdp = catalogue.get("gdp_growth").target_for(parse_period_key("2026-Q1"))
    assert gdp is not None
    assert (gdp.value, gdp.instrument) == (10, "Nghị quyết 244/2025/QH15")
    assert catalogue.get("online_public_services").owner == "van_phong_chinh_phu"
    assert catalogue.get("gdp_growth").status(8.0) is Status.OK
    assert catalogue.get("cpi_yoy").status(4.7) is Status.ALARM


def test_shipped_agencies(shipped: FeedsSpec) -> None:
    agencies = shipped.agencies
    assert agencies.code_list == "34"
    provinces = [a for a in agencies if a.kind is AgencyKind.PROVINCE]
    assert sorted(a.province for a in provinces if a.province) == PROVINCES_34
    central = [
        a for a in agencies if a.kind in (AgencyKind.MINISTRY, AgencyKind.MINISTERIAL_AGENCY)
    ]
    assert len(central) == 17  # Resolution 176/2025/QH15: 14 ministries + 3 agencies
    statistics = agencies.get("cuc_thong_ke")
    assert statistics.parent == "bo_tai_chinh"
    assert statistics.predecessors[0].name_vi == "Tổng cục Thống kê"
    assert agencies.get("trung_tam_tkcn").parent == "bo_quoc_phong"


def test_shipped_scopes(shipped: FeedsSpec) -> None:
    hue = shipped.scope(shipped.agencies.for_province("46").id)
    assert hue.allows("public_investment_disbursement", "46")
    assert not hue.allows("public_investment_disbursement", "48")  # another province
    assert not hue.allows("public_investment_disbursement", None)  # the national value
    assert not hue.allows("gdp_growth", "46")  # national indicator
    finance = shipped.scope("bo_tai_chinh")
    assert finance.allows("public_investment_disbursement", "46")
    assert finance.allows("public_investment_disbursement", None)
    assert not finance.allows("gdp_growth", None)  # owned by Cục Thống kê
    assert shipped.scope("trung_tam_tkcn").allows("sar_incidents_24h", None)
    with pytest.raises(KeyError, match="did you mean 'bo_tai_chinh'"):
        shipped.scope("bo_tai_chin")
