"""The console says names, not codes (issue 13, point 6): audit rows as sentences, tiles
and presets by name in pin menus, preset pictures drawn from their tiles."""

from __future__ import annotations

import re

import pytest

from command_center.server.composition import build_registry
from command_center.server.console_audit import action_label, describe
from command_center.server.console_names import Names, build_names
from command_center.server.preset_picture import preset_svg
from command_center.server.video_roster import video_tiles
from command_center.store import AuditEntry
from feeds.loader import load_feeds
from layouts import DEFAULT_WALL_FILE, presets_dir_for
from layouts.loader import load_presets, load_wall
from video.registry import load_bridge_points

WALL = load_wall(DEFAULT_WALL_FILE)
PRESETS = load_presets(presets_dir_for(WALL.id), WALL, build_registry())
POINTS = [(p.id, p.name_vi, p.name_en) for p in load_bridge_points()]
NAMES = build_names(PRESETS, build_registry(), load_feeds().catalogue, POINTS, WALL.zones)
CODE = re.compile(r"\b[a-z]+(?:[_-][a-z0-9]+)+\b")  # switch_layout, socio-economic, tile-hue


def entry(action: str, target: str, **detail: object) -> AuditEntry:
    return AuditEntry(
        at=0.0, actor="truc-ban", role="duty_officer", action=action, target=target, detail=detail
    )


@pytest.mark.parametrize(
    ("row", "vi", "en"),
    [
        (
            entry("switch_layout", "socio-economic", switch_id="fd62cd9aa8a0"),
            "Chuyển bố cục sang “Kinh tế - xã hội”",
            "Switched the layout to “Socio-economic overview”",
        ),
        (
            entry("switch_layout", "map-national", zone="trai"),
            "(vùng Nửa trái)",
            "(zone Left half)",
        ),
        (entry("focus_map", "01"), "Tập trung bản đồ vào TP. Hà Nội", "on Hanoi"),
        (entry("focus_map", "VN"), "Tập trung bản đồ vào toàn quốc", "the whole country"),
        (entry("sign_in", "console"), "Đăng nhập (bảng điều khiển)", "Signed in (console)"),
        (entry("video_mute", "hue"), "Tắt micrô của UBND thành phố Huế", "Muted"),
        (
            entry("switch_layout", "area-view", refused="role viewer may not"),
            "bị từ chối: role viewer may not",
            "refused: role viewer may not",
        ),
    ],
    ids=["switch", "switch-zone", "focus-province", "focus-country", "sign-in", "mute", "refused"],
)
def test_audit_rows_are_sentences_with_names(row: AuditEntry, vi: str, en: str) -> None:
    said_vi = describe(row, NAMES, "vi", str)
    said_en = describe(row, NAMES, "en", str)
    assert vi in said_vi and en in said_en, (said_vi, said_en)
    for said in (said_vi, said_en):
        assert row.action not in said and "fd62cd9aa8a0" not in said
        if row.action == "switch_layout":
            assert row.target not in said


def test_every_known_action_has_a_label_in_both_languages() -> None:
    from command_center.server.audit_view import KNOWN_ACTIONS

    for action in KNOWN_ACTIONS:
        vi, en = action_label(action, "vi"), action_label(action, "en")
        assert vi != action and en != action and "{" not in vi + en, action


def test_pin_menus_name_tiles_and_presets_not_ids() -> None:
    tiles = video_tiles(PRESETS, NAMES)
    assert tiles, "the shipped presets have video tiles"
    for tile in tiles:
        for key in ("label_vi", "label_en"):
            label = tile[key]
            assert tile["preset"] not in label, label
            assert not CODE.search(label), label  # no id such as tile-hue
    conference = [t for t in tiles if t["preset"] == "bridge-conference"]
    assert any(t["label_vi"].endswith(" · Hội nghị trực tuyến") for t in conference), conference


def test_an_unknown_code_falls_back_to_itself_never_to_nothing() -> None:
    names = Names()
    assert names.preset("ghost", "vi") == "ghost"
    assert names.point("ghost", "en") == "ghost"
    assert names.province(None, "vi") == "toàn quốc"


def test_the_preset_picture_draws_every_tile_and_names_them_in_the_preview() -> None:
    preset = PRESETS["overview"]
    thumb = preset_svg(preset, WALL)
    assert thumb.count("<g class='tile'") == len(preset.tiles)
    assert "tile-label" not in thumb  # a thumbnail is too small to read names
    big = preset_svg(preset, WALL, NAMES, "vi")
    for tile in preset.tiles:
        assert NAMES.tile(tile.id, "vi") in big.replace("&amp;", "&"), tile.id
