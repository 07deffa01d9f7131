"""The console's video roster: a Panel component that mounts ``assets/video/roster.js``.

Like the wall preview, the Bokeh document holds only what the page needs to start (the
console session, whether the person may operate, the tiles a point can be pinned to);
the live roster comes over the video control channel, which reconnects by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import param

from command_center.server.console_names import Names
from command_center.server.page_actions import SEND_JS, ActionSource
from layouts.model import PresetSpec
from video.tile_kind import VideoParams


def video_tiles(presets: Mapping[str, PresetSpec], names: Names) -> list[dict[str, Any]]:
    """Every ``video`` tile of every preset (tile ids are unique across presets), the pin
    targets the console offers, named as people call them:
    ``[{id, preset, point, label_vi, label_en}]`` (the label: tile's name · preset's name)."""
    tiles = []
    for preset_id, preset in sorted(presets.items()):
        for tile in preset.tiles:
            if isinstance(tile.params, VideoParams):
                label = {
                    "label_vi": f"{names.tile(tile.id, 'vi')} · {names.preset(preset_id, 'vi')}",
                    "label_en": f"{names.tile(tile.id, 'en')} · {names.preset(preset_id, 'en')}",
                }
                tiles.append(
                    {"id": tile.id, "preset": preset_id, "point": tile.params.point, **label}
                )
    return tiles


class VideoRoster(ActionSource):
    """Bridge points with presence and link figures; pin, mute, end, program; for duty
    officers and admins also the room's own camera on the call (room-publisher.js, which
    rides on the HttpOnly session cookie). Actions go to the console's ``sink``."""

    token = param.String(doc="A short-lived view-only token for the control channel")
    may_operate = param.Boolean(default=False, doc="Duty officer or admin")
    tiles = param.List(doc="[{id, preset, point, label_vi, label_en}] tiles to pin a point to")
    lang = param.String(default="vi")

    _esm = (
        SEND_JS
        + """
const load = () => import(new URL("/assets/video/roster.js", location.href).href);

export function render({ model, el }) {
  let handle = null;
  const send = channel(model);
  load().then((m) => {
    handle = m.mountRoster(el, {
      token: model.token, mayOperate: model.may_operate, tiles: model.tiles, lang: model.lang,
      send,
    });
  });
  model.on("lang", () => handle && handle.setLang(model.lang));
  model.on("token", () => handle && handle.setToken(model.token));
  model.on("remove", () => handle && handle.close());
}
"""
    )
