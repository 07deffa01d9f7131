"""The shipped catalogue and agency registry, with every indicator the launch article names."""

from __future__ import annotations

import pytest

from feeds import AGENCIES_FILE, CATALOGUE_FILE
from feeds.agencies import AgencyKind
from feeds.catalogue import Level
from feeds.direction import Status
from feeds.loader import FeedsSpec, load_feeds
from feeds.periods import parse_period_key
from feeds.targets import SetBy


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
