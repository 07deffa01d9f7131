"""Catalogue and agency snippets for the spec tests: a good catalogue of three indicators and a
registry of three agencies (with the lines their keys stand on), and the check that a mistaken
copy fails with one problem naming file, line and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from command_center.errors import SpecError, SpecProblem
from feeds.loader import load_feeds

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


def write_spec(tmp_path: Path, catalogue: str, agencies: str) -> tuple[Path, Path]:
    """``catalogue.yaml`` and ``agencies.yaml`` under ``tmp_path``."""
    (tmp_path / "catalogue.yaml").write_text(catalogue, encoding="utf-8")
    (tmp_path / "agencies.yaml").write_text(agencies, encoding="utf-8")
    return tmp_path / "catalogue.yaml", tmp_path / "agencies.yaml"


def problem_at(error: SpecError, key: str) -> SpecProblem:
    found = [p for p in error.problems if p.key == key]
    assert found, f"no problem at {key}: {error}"
    return found[0]


# One row of a table of bad specs: (catalogue text, agencies text, the file the problem is
# in, its key, its line, a regex on its message); ``assert_refused(tmp_path, *row)``.
Mistake = tuple[str, str, str, str, int, str]


def assert_refused(
    tmp_path: Path, catalogue: str, agencies: str, file: str, key: str, line: int, message: str
) -> None:
    """Loading the pair fails, with a problem at ``key`` on ``file``:``line`` matching ``message``."""
    paths = dict(
        zip(("catalogue", "agencies"), write_spec(tmp_path, catalogue, agencies), strict=True)
    )
    with pytest.raises(SpecError, match=message) as caught:
        load_feeds(paths["catalogue"], paths["agencies"])
    problem = problem_at(caught.value, key)
    assert (problem.file, problem.line) == (str(paths[file]), line)
    assert re.search(message, str(problem))
