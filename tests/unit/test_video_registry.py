"""The bridge-point registry: the shipped file loads, and each mistake is named with its
file, line and key (a table of bad inputs, one row per mistake)."""

from __future__ import annotations

from pathlib import Path

import pytest

from command_center.credentials import DeviceCredentials
from command_center.errors import SpecError
from command_center.server.keys import KeyFile
from video.registry import (
    BRIDGE_POINTS_FILE,
    BridgePoint,
    PointKind,
    check_bridge_points_file,
    load_bridge_points,
)
from video.tokens import BRIDGE_KIND, check_point_token, point_token

GOOD_ROOM = """
  - id: room
    kind: room
    name_vi: "Phòng điều hành"
    name_en: "Operations room"
    location: {lat: 21.03, lon: 105.83}
"""


def test_the_shipped_registry_has_the_launch_points() -> None:
    registry = load_bridge_points()
    assert check_bridge_points_file() == []
    for point in ("room", "dong-nai-dong-xoai", "quang-ninh", "hue", "tkcn-quoc-gia", "csb-8003"):
        assert point in registry
    # Named as the units are now: Bình Phước is part of Đồng Nai, Thừa Thiên Huế is TP Huế.
    assert registry.get("dong-nai-dong-xoai").area_code == "75"
    assert "Đồng Nai" in registry.get("dong-nai-dong-xoai").name_vi
    assert "Huế" in registry.get("hue").name_vi and "Thừa Thiên" not in registry.get("hue").name_vi
    assert registry.get("csb-8003").kind is PointKind.SHIP
    assert registry.get("tkcn-quoc-gia").kind is PointKind.RESCUE_CENTRE
    # No secret in the file: tokens are derived from the server's key (video.tokens).
    assert not {"token", "secret"} & set(BridgePoint.model_fields)
    assert BRIDGE_POINTS_FILE.is_file()


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "  - {id: hue, kind: provnce, name_vi: a, name_en: b, location: {lat: 1, lon: 2}}\n",
            r":\d+: points\[1\]\.kind: Input should be",
        ),
        (
            "  - {id: hue, kind: province, name_vi: a, name_en: b, location: {lat: 1, lon: 2}, tokn: x}\n",
            r"points\[1\]\.tokn: unknown key \(did you mean 'note'\?\)|points\[1\]\.tokn: unknown key",
        ),
        (
            "  - {id: hue, kind: province, name_vi: a, name_en: b, location: {lat: 91, lon: 2}}\n",
            r"points\[1\]\.location\.lat: Input should be less than or equal to 90",
        ),
        (
            "  - {id: Hue!, kind: province, name_vi: a, name_en: b, location: {lat: 1, lon: 2}}\n",
            r"points\[1\]\.id: String should match pattern",
        ),
        (
            "  - {id: room, kind: province, name_vi: a, name_en: b, location: {lat: 1, lon: 2}}\n",
            r"points\[1\]\.id: point id 'room' is used twice",
        ),
        (
            "  - {id: active, kind: province, name_vi: a, name_en: b, location: {lat: 1, lon: 2}}\n",
            r"points\[1\]\.id: 'active' is a reserved source name",
        ),
        (
            "  - {id: hue, kind: room, name_vi: a, name_en: b, location: {lat: 1, lon: 2}}\n",
            r"points\[1\]\.kind: only the point 'room' may be of kind 'room'",
        ),
        (
            "  - {id: hue, kind: province, name_en: b, location: {lat: 1, lon: 2}}\n",
            r"points\[1\]\.name_vi: required key is missing",
        ),
    ],
    ids=[
        "kind-typo",
        "unknown-key",
        "latitude",
        "bad-id",
        "duplicate-id",
        "reserved-id",
        "second-room",
        "missing-name",
    ],
)
def test_bad_registries_name_file_line_and_key(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "points.yaml"
    path.write_text("points:\n" + GOOD_ROOM + body, encoding="utf-8")
    with pytest.raises(SpecError, match=message):
        load_bridge_points(path)


def test_every_problem_at_once_and_a_missing_room(tmp_path: Path) -> None:
    path = tmp_path / "points.yaml"
    path.write_text(
        "points:\n"
        "  - {id: hue, kind: provnce, name_vi: a, name_en: b, location: {lat: 1, lon: 2}}\n"
        "  - {id: x, kind: ship, name_vi: a, name_en: b, location: {lat: 1, lon: 200}}\n",
        encoding="utf-8",
    )
    problems = check_bridge_points_file(path)
    assert [(p.line, p.key) for p in problems] == [
        (2, "points[0].kind"),
        (3, "points[1].location.lon"),
    ]
    path.write_text(
        "points:\n  - {id: hue, kind: province, name_vi: a, name_en: b, location: {lat: 1, lon: 2}}\n",
        encoding="utf-8",
    )
    assert [p.message for p in check_bridge_points_file(path)] == [
        "the operations room (id 'room', kind 'room') is missing"
    ]


def test_unknown_point_lookup_suggests_the_near_miss() -> None:
    with pytest.raises(KeyError, match="did you mean 'quang-ninh'"):
        load_bridge_points().get("quang-nin")


async def test_point_tokens_are_derived_per_point_and_kind(tmp_path: Path) -> None:
    devices = DeviceCredentials(KeyFile.open(tmp_path / "keys.json"))
    other = DeviceCredentials(KeyFile.open(tmp_path / "other.json"))
    assert await check_point_token(devices, "hue", point_token(devices, "hue"))
    assert not await check_point_token(devices, "quang-ninh", point_token(devices, "hue"))
    assert not await check_point_token(other, "hue", point_token(devices, "hue"))
    # A screen's kiosk token with the same id is not a point token.
    assert not await devices.check("screen", "hue", point_token(devices, "hue"))
    assert BRIDGE_KIND == "bridge"
