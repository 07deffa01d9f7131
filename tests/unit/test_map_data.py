"""Map tile data: the period picks the 34 or the 63, values carry classes and ages, and a
live update is a small patch of values and colours per province code, never geometry."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from command_center.protocol import DataMessage
from feeds.loader import load_feeds
from feeds.map_data import map_data, patch
from feeds.map_tile import MapParams
from feeds.observations import Area, Observation
from geo import CodeList, codes

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
FEEDS = load_feeds()
DISBURSEMENT = FEEDS.catalogue.get("public_investment_disbursement")
AT = NOW.timestamp() * 1000.0 - 3_600_000


def observations(code_list: CodeList, period: str, base: float = 40.0) -> list[Observation]:
    return [
        Observation(
            indicator=DISBURSEMENT.code,
            area=Area(code=code, code_list=code_list.value),
            period=period,
            value=base + i * 0.7,
            agency=f"ubnd_{code}",
            received_at=AT,
        )
        for i, code in enumerate(codes(code_list))
    ]


def data_for(obs: list[Observation], period: str | None = None) -> dict[str, object]:
    params = MapParams(indicator=DISBURSEMENT.code, period=period)
    return map_data(params, DISBURSEMENT, obs, NOW, FEEDS.agencies)


def province_keys(data: dict[str, object]) -> set[str]:
    return {k for k in data if k.isdigit()}


@pytest.mark.parametrize(
    "period, code_list",
    [("2025-06", CodeList.OLD_63), ("2025-07", CodeList.NEW_34), ("2026-10", CodeList.NEW_34)],
    ids=["june-2025-63", "july-2025-34", "2026-34"],
)
def test_the_period_decides_34_or_63(period: str, code_list: CodeList) -> None:
    data = data_for(observations(code_list, period), period)
    assert data["per"]["code_list"] == code_list.value  # type: ignore[index]
    assert province_keys(data) == set(codes(code_list))
    assert data["n"] == [len(codes(code_list)), len(codes(code_list))]


def test_the_latest_reported_period_is_shown() -> None:
    old = observations(CodeList.NEW_34, "2026-09", 10.0)
    new = observations(CodeList.NEW_34, "2026-10", 50.0)[:5]
    data = data_for(old + new)
    assert data["per"]["key"] == "2026-10"  # type: ignore[index]
    shown = [k for k in province_keys(data) if data[k] is not None]
    assert len(shown) == 5 and data["n"] == [5, 34]
    missing = [k for k in province_keys(data) if data[k] is None]
    assert len(missing) == 29  # no data this period: drawn hatched, never last period's colour


def test_values_carry_class_value_and_age() -> None:
    data = data_for(observations(CodeList.NEW_34, "2026-10"))
    t0 = data["per"]["t0"]  # type: ignore[index]
    cls, value, minutes = data["01"]  # type: ignore[misc]
    assert value == 40.0 and cls == 0  # the lowest value takes the lowest class
    assert t0 + minutes * 60_000 == pytest.approx(AT, abs=60_000)
    assert data["as_of"] == AT and data["stale_after_s"] is not None


def test_no_observation_is_a_clear_empty_state() -> None:
    data = data_for([])
    assert data["n"] == [0, 34]
    assert all(data[k] is None for k in province_keys(data))
    assert data["as_of"] is None and data["late"] is True  # the due report is missing


def test_a_new_value_in_one_province_patches_one_key() -> None:
    obs = observations(CodeList.NEW_34, "2026-10")
    before = data_for(obs)
    changed = obs[:]
    changed[3] = changed[3].model_copy(update={"value": changed[3].value + 0.1, "revision": 1})
    diff = patch(before, data_for(changed))
    assert set(diff) <= {codes(CodeList.NEW_34)[3], "as_of", "stale_after_s", "nat"}
    assert codes(CodeList.NEW_34)[3] in diff


@pytest.mark.parametrize("code_list", [CodeList.NEW_34, CodeList.OLD_63], ids=["34", "63"])
def test_a_full_recolour_is_under_2_kb_and_carries_no_geometry(code_list: CodeList) -> None:
    period = "2026-10" if code_list is CodeList.NEW_34 else "2025-05"
    before = data_for(observations(code_list, period, 10.0), period)
    # Every province's value changes, and with them the classes and the scale.
    after = data_for(observations(code_list, period, 60.0)[::-1], period)
    diff = patch(before, after)
    assert province_keys(diff) == set(codes(code_list))
    # As the screen link writes it (pydantic's compact JSON), with the message around it.
    message = DataMessage(tiles={"map-disbursement": diff}, ts={"map-disbursement": AT}, sent=AT)
    body = message.model_dump_json()
    assert len(body.encode()) <= 2048, len(body.encode())
    assert "coordinates" not in body and "Polygon" not in body


def test_a_pinned_period_is_history_never_late() -> None:
    data = data_for(observations(CodeList.OLD_63, "2024-12"), "2024-12")
    assert data["late"] is False and data["due_at"] is None
    assert data["stale_after_s"] > 50 * 365 * 86400  # type: ignore[operator]
