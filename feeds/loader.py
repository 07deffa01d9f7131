"""Reading the catalogue and the agency registry together: every problem of both files
first, then one ``SpecError``. They are read as a pair because each checks the other
(an indicator's owner is an agency; an agency's extra indicators are indicators).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from command_center.errors import SpecError, SpecProblem

# The layouts loader's reader: safe YAML, line map, syntax and duplicate-key problems.
# It is private there; see the hand-over note about making it public.
from command_center.spec_problems import ProblemLog, read_spec
from feeds import AGENCIES_FILE, CATALOGUE_FILE
from feeds.agencies import AgencyRegistry, ReportingScope, scope_of
from feeds.agencies_check import check_agencies, check_agency_indicators
from feeds.catalogue import Catalogue
from feeds.catalogue_check import check_catalogue
from feeds.ingest import Reporter
from geo.codelists import CodeList


@dataclass(frozen=True)
class FeedsSpec:
    """The checked catalogue and registry; passed explicitly, never held globally."""

    catalogue: Catalogue
    agencies: AgencyRegistry

    def scope(self, agency_id: str) -> ReportingScope:
        return scope_of(self.agencies.get(agency_id), self.catalogue)

    def reporter(self, agency_id: str) -> Reporter:
        """Who sends a batch: the agency's scope and the registry's code list; ``KeyError``
        for an agency not in the registry."""
        return Reporter(self.scope(agency_id), CodeList(f"gso-{self.agencies.code_list}"))


def load_feeds(
    catalogue: Path | str = CATALOGUE_FILE, agencies: Path | str = AGENCIES_FILE
) -> FeedsSpec:
    """Both files, checked against each other; raises ``SpecError`` listing every problem."""
    spec, problems = _check(Path(catalogue), Path(agencies))
    if spec is None:
        raise SpecError(problems)
    return spec


def check_feeds_files(
    catalogue: Path | str = CATALOGUE_FILE, agencies: Path | str = AGENCIES_FILE
) -> list[SpecProblem]:
    """Every problem in the pair, for the ``validate`` command; empty when both are good."""
    return _check(Path(catalogue), Path(agencies))[1]


def _check(catalogue_path: Path, agencies_path: Path) -> tuple[FeedsSpec | None, list[SpecProblem]]:
    agencies_log = ProblemLog(str(agencies_path))
    source = read_spec(agencies_path, agencies_log)
    registry = check_agencies(source.data, agencies_log) if source is not None else None

    catalogue_log = ProblemLog(str(catalogue_path))
    source = read_spec(catalogue_path, catalogue_log)
    catalogue = (
        check_catalogue(source.data, catalogue_log, registry) if source is not None else None
    )
    if registry is not None and catalogue is not None:
        check_agency_indicators(registry, catalogue, agencies_log)

    problems = catalogue_log.problems + agencies_log.problems
    if problems or registry is None or catalogue is None:
        return None, problems
    return FeedsSpec(catalogue, registry), []
