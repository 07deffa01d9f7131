"""Incident reports as the search-and-rescue centre sends them, for the incident tests: one
landslide (Lào Cai, province 15) and one maritime (Khánh Hòa, province 56), both valid."""

from __future__ import annotations

from typing import Any

LANDSLIDE: dict[str, Any] = {
    "id": "TKCN-2026-0142",
    "kind": "landslide",
    "status": "responding",
    "occurred_at": "2026-11-27T07:30:00+07:00",
    "province": "15",
    "lat": 22.25,
    "lon": 104.1,
    "people_deployed": 120,
    "note": "Sạt lở taluy, 3 người mắc kẹt",
}

MARITIME: dict[str, Any] = {
    "id": "TKCN-0142",
    "kind": "maritime",
    "status": "responding",
    "occurred_at": "2026-11-27T07:30:00+07:00",
    "province": "56",
    "lat": 11.95,
    "lon": 109.6,
    "people_deployed": 85,
    "note": "Tàu cá bị nạn, 12 thuyền viên",
}
