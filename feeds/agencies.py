"""The agencies that report to the Government, and what each may report, for where.

Decree 09/2019 (Art. 13) names who submits: ministries, ministerial-level agencies,
agencies under the Government and the provincial People's Committees. The registry here
is today's structure (Resolution 176/2025/QH15, since 1 March 2025, and the 34 provinces
since 1 July 2025); ``predecessors`` keep the names to show beside older data.

What an agency may report (``scope_of``):

* a central agency reports the indicators it owns plus those it lists, for the nation
  and for every province;
* a provincial People's Committee reports every province-level indicator plus those it
  lists, only for its own province.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from command_center.spec_problems import did_you_mean
from feeds.catalogue import CODE, Catalogue, Level

# Province data key on (GSO code, code list): "34" since 2025-07-01, "63" before.
CodeList = Literal["63", "34"]


class AgencyKind(StrEnum):
    MINISTRY = "ministry"
    MINISTERIAL_AGENCY = "ministerial_agency"  # State Bank, Inspectorate, Government Office
    DEPARTMENT = "department"  # a body inside a ministry, e.g. Cục Thống kê under MoF
    CENTRE = "centre"  # an operations centre, e.g. the national SAR centre
    PROVINCE = "province"  # a provincial People's Committee


class Predecessor(BaseModel):
    """A body whose duties this agency took over, with the last day it existed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    until: date


class Agency(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=CODE)
    kind: AgencyKind
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    parent: str | None = None  # the ministry a department or centre belongs to
    province: str | None = Field(default=None, pattern=r"^\d{2}$")  # GSO code, provinces only
    # Indicators reported beyond those owned (central) or province-level (provinces).
    indicators: tuple[str, ...] = ()
    predecessors: tuple[Predecessor, ...] = ()
    # Hosts the agency's HTTP source may be polled at or redirect to (``--poll``); empty:
    # only the host of the URL it is polled at.
    poll_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportingScope:
    """What one agency may report. ``provinces`` None means nationwide (and the nation)."""

    agency: str
    indicators: frozenset[str]
    provinces: frozenset[str] | None

    def allows(self, indicator: str, province: str | None) -> bool:
        """May the agency report ``indicator`` for ``province`` (None: the national value)?"""
        if indicator not in self.indicators:
            return False
        if self.provinces is None:
            return True
        return province is not None and province in self.provinces


class AgencyRegistry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code_list: CodeList
    agencies: tuple[Agency, ...]

    def __iter__(self) -> Iterator[Agency]:  # type: ignore[override]
        return iter(self.agencies)

    def __len__(self) -> int:
        return len(self.agencies)

    def __contains__(self, agency_id: object) -> bool:
        return any(a.id == agency_id for a in self.agencies)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.agencies)

    def get(self, agency_id: str) -> Agency:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise KeyError(f"unknown agency '{agency_id}' ({did_you_mean(agency_id, self.ids)})")

    def for_province(self, code: str) -> Agency:
        """The People's Committee of the province with GSO ``code`` in this code list."""
        for agency in self.agencies:
            if agency.province == code:
                return agency
        raise KeyError(f"no People's Committee for province '{code}' in list {self.code_list}")


def scope_of(agency: Agency, catalogue: Catalogue) -> ReportingScope:
    listed = frozenset(agency.indicators)
    if agency.kind is AgencyKind.PROVINCE and agency.province is not None:
        province_level = frozenset(i.code for i in catalogue.at_level(Level.PROVINCE))
        return ReportingScope(agency.id, province_level | listed, frozenset({agency.province}))
    owned = frozenset(i.code for i in catalogue.owned_by(agency.id))
    return ReportingScope(agency.id, owned | listed, None)
