"""Bad agency registries: one row per mistake, each naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from cataloguesupport import AGENCIES, GOOD, Mistake, assert_refused

BAD: list[Mistake] = [
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
    "agency-unknown-kind",
    "agency-unknown-parent",
    "agency-province-missing",
    "agency-province-twice",
    "agency-province-not-string",
    "agency-unknown-code-list",
    "agency-national-indicator-for-province",
    "agency-unknown-indicator",
]


@pytest.mark.parametrize("mistake", BAD, ids=BAD_IDS)
def test_bad_agencies(tmp_path: Path, mistake: Mistake) -> None:
    assert_refused(tmp_path, *mistake)
