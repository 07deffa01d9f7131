"""Who must report what for a period: the one rule that the reporting-status API
(``feeds/reporting_status.py``) and the wall's reporting-status tile (``feeds/tile_reporting.py``)
both follow, so the two never disagree about who is overdue.

- A national indicator: its owner, for the whole country.
- A province-level indicator: each province's People's Committee, for its province, in the
  province list in force on the period's last day (63 units up to 30/06/2025, 34 from
  01/07/2025); an old province's report falls to the committee of the province it merged
  into. Its national value comes by aggregation when the catalogue says how (``to_nation``);
  without that, the owner reports the national value too.
"""

from __future__ import annotations

from dataclasses import dataclass

from feeds.agencies import AgencyRegistry
from feeds.catalogue import Indicator, Level
from feeds.observations import NATIONAL
from feeds.periods import Period
from geo import CodeList, code_list_for, codes, successor


@dataclass(frozen=True)
class Expected:
    """One report someone owes: ``indicator`` for ``area`` (an ``Area.key``) and ``period``."""

    indicator: Indicator
    area: str
    period: Period
    agency: str

    @property
    def province(self) -> tuple[str, CodeList] | None:
        """(GSO code, code list) of a province's report; None for the national one."""
        if self.area == NATIONAL.key:
            return None
        code_list, _, code = self.area.rpartition(":")
        return code, CodeList(code_list)


def expected_code_list(period: Period) -> CodeList:
    """The province list a period's data key on: the one in force on its last day."""
    return code_list_for(period.end)


def national_expected(indicator: Indicator) -> bool:
    """The owner reports the national value: a national indicator, or a province-level one
    whose national value the catalogue does not aggregate."""
    aggregation = indicator.aggregation
    return indicator.level is Level.NATIONAL or aggregation is None or aggregation.to_nation is None


def province_agency(agencies: AgencyRegistry | None, code: str, code_list: CodeList) -> str:
    """The People's Committee that reports for ``code``; for an old (63-list) province,
    the committee of the province it merged into."""
    if agencies is not None and f"gso-{agencies.code_list}" == code_list.value:
        try:
            return agencies.for_province(code).id
        except KeyError:
            pass
    if code_list is CodeList.OLD_63 and agencies is not None:
        try:
            return agencies.for_province(successor(code).code).id
        except KeyError:
            pass
    return f"ubnd_{code}"


def expected_for(
    indicator: Indicator, period: Period, agencies: AgencyRegistry | None
) -> list[Expected]:
    """Every report owed for ``indicator`` and ``period``: the national one first, then the
    provinces in code order."""
    owed = []
    if national_expected(indicator):
        owed.append(Expected(indicator, NATIONAL.key, period, indicator.owner))
    if indicator.level is Level.PROVINCE:
        code_list = expected_code_list(period)
        owed += [
            Expected(
                indicator,
                f"{code_list.value}:{code}",
                period,
                province_agency(agencies, code, code_list),
            )
            for code in codes(code_list)
        ]
    return owed
