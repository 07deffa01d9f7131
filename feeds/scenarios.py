"""Scripted situations for the quick start and rehearsals: what the search-and-rescue centre
would report, when, so the shipped alert rules can be seen working from a fresh ``make run``
(``run_wall.py --scenario bao-so-3``). Plain data: the shell sends each row through the same
checks, store and bus as the incidents API.

    bao-so-3    a typhoon reaches Quảng Ninh: reported, then 520 people deployed (the
                ``sar-major-incident`` rule takes the wall to incident-response, focused on
                Quảng Ninh, banner and chime), resolved two minutes later; the wall stays until
                the duty officer acknowledges, then returns
    tau-ca      a fishing boat in distress off Khánh Hòa (a maritime incident: the same rule)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCENARIO_AGENCY = "trung_tam_tkcn"


@dataclass(frozen=True)
class Step:
    after_s: float  # from the scenario's start
    row: dict[str, Any]  # an incident row as the API takes it (without occurred_at)


def _incident(
    ident: str,
    kind: str,
    status: str,
    province: str,
    lat: float,
    lon: float,
    people: int,
    note: str,
) -> dict[str, Any]:
    return {
        "id": ident,
        "kind": kind,
        "status": status,
        "province": province,
        "lat": lat,
        "lon": lon,
        "people_deployed": people,
        "note": note,
    }


SCENARIOS: dict[str, tuple[Step, ...]] = {
    "bao-so-3": (
        Step(
            5,
            _incident(
                "KB-BAO3",
                "storm",
                "reported",
                "22",
                21.0,
                107.3,
                40,
                "Bão số 3 đổ bộ vùng biển Quảng Ninh",
            ),
        ),
        Step(
            15,
            _incident(
                "KB-BAO3",
                "storm",
                "responding",
                "22",
                21.0,
                107.3,
                520,
                "Sơ tán dân ven biển; 520 người ứng cứu",
            ),
        ),
        Step(
            135,
            _incident("KB-BAO3", "storm", "resolved", "22", 21.0, 107.3, 520, "Kết thúc ứng cứu"),
        ),
    ),
    "tau-ca": (
        Step(
            5,
            _incident(
                "KB-TAUCA",
                "maritime",
                "responding",
                "56",
                11.95,
                109.6,
                85,
                "Tàu cá bị nạn, 12 thuyền viên",
            ),
        ),
        Step(
            95,
            _incident(
                "KB-TAUCA", "maritime", "resolved", "56", 11.95, 109.6, 85, "Đã cứu 12 thuyền viên"
            ),
        ),
    ),
}
