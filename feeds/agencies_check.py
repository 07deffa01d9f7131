"""Both passes over an agency registry file: each agency on its own, then the agencies
against each other and, once the catalogue is known, their indicator lists against it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from command_center.spec_problems import ProblemLog, did_you_mean
from command_center.yaml_lines import KeyPath
from feeds.agencies import Agency, AgencyKind, AgencyRegistry, CodeList
from feeds.catalogue import Catalogue, Level


class AgenciesFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code_list: CodeList
    agencies: list[dict[str, Any]] = Field(min_length=1)


def check_agencies(data: object, log: ProblemLog) -> AgencyRegistry | None:
    """The registry in ``data``, or None after logging every problem."""
    before = len(log.problems)
    file = log.validate(AgenciesFile, data)
    if file is None:
        return None
    entries: list[tuple[KeyPath, Agency]] = []
    for index, item in enumerate(file.agencies):
        agency = log.validate(Agency, item, ("agencies", index))
        if agency is not None:
            entries.append((("agencies", index), agency))
    _check_unique(entries, log)
    ids = {agency.id: agency for _, agency in entries}
    for at, agency in entries:
        _check_agency(at, agency, ids, log)
    if len(log.problems) > before or len(entries) != len(file.agencies):
        return None
    return AgencyRegistry(code_list=file.code_list, agencies=tuple(a for _, a in entries))


def check_agency_indicators(
    registry: AgencyRegistry, catalogue: Catalogue, log: ProblemLog
) -> None:
    """Every listed indicator exists, once, and provinces list province-level ones only."""
    for index, agency in enumerate(registry.agencies):
        seen: set[str] = set()
        for position, code in enumerate(agency.indicators):
            key = ("agencies", index, "indicators", position)
            if code in seen:
                log.add(key, f"indicator '{code}' is listed twice")
            seen.add(code)
            if code not in catalogue:
                log.add(key, f"unknown indicator '{code}'", did_you_mean(code, catalogue.codes))
            elif (
                agency.kind is AgencyKind.PROVINCE
                and catalogue.get(code).level is not Level.PROVINCE
            ):
                log.add(key, f"'{code}' is national; a province reports its own values only")


def _check_unique(entries: list[tuple[KeyPath, Agency]], log: ProblemLog) -> None:
    ids: set[str] = set()
    provinces: dict[str, str] = {}
    for at, agency in entries:
        if agency.id in ids:
            log.add((*at, "id"), f"agency id '{agency.id}' is used twice")
        ids.add(agency.id)
        if agency.province is None:
            continue
        if agency.province in provinces:
            log.add(
                (*at, "province"),
                f"province '{agency.province}' already has '{provinces[agency.province]}'",
            )
        else:
            provinces[agency.province] = agency.id


def _check_agency(at: KeyPath, agency: Agency, ids: dict[str, Agency], log: ProblemLog) -> None:
    is_province = agency.kind is AgencyKind.PROVINCE
    if is_province and agency.province is None:
        log.add((*at, "province"), "a provincial People's Committee needs its GSO 'province' code")
    elif not is_province and agency.province is not None:
        log.add((*at, "province"), f"only kind 'province' has a province (got '{agency.kind}')")
    if agency.parent is None:
        return
    parent = ids.get(agency.parent)
    if parent is None:
        log.add(
            (*at, "parent"), f"unknown agency '{agency.parent}'", did_you_mean(agency.parent, ids)
        )
    elif parent.id == agency.id or parent.kind is AgencyKind.PROVINCE:
        log.add((*at, "parent"), f"'{agency.parent}' cannot be the parent of '{agency.id}'")
