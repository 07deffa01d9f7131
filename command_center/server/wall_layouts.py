"""Which preset each screen shows, and its tiles: views pre-built per preset and screen.

The wall state names one preset for the whole wall and, per zone of the wall file, a preset
shown there instead (``WallState.zones``). A screen in two zones with a preset each shows
the preset of the zone listed first in the wall file; a zone or preset the files no longer
have (the wall file changed since the state was written) is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from command_center.protocol import Rect, TileView
from command_center.store import WallState
from layouts.geometry import tiles_for_screen
from layouts.model import PresetSpec, WallSpec


def indicators_in(value: object) -> set[str]:
    """Indicator codes a tile's parameters name (``indicator``, or inside lists of items)."""
    if isinstance(value, dict):
        found = {value["indicator"]} if isinstance(value.get("indicator"), str) else set()
        for key, item in value.items():
            if key != "indicator":
                found |= indicators_in(item)
        return found
    if isinstance(value, list):
        return set().union(*(indicators_in(item) for item in value)) if value else set()
    return set()


def screen_presets(
    wall: WallSpec, presets: Iterable[str], state: WallState
) -> dict[str, str | None]:
    """Each screen's preset under ``state``, in wall order (see the module's docstring)."""
    known = set(presets)
    shown: dict[str, str | None] = {s.id: state.preset for s in wall.screens}
    taken: set[str] = set()
    for zone_id, zone in wall.zones.items():  # wall-file order: the first zone wins
        preset = state.zones.get(zone_id)
        if preset is None or preset not in known:
            continue
        for screen in zone.screens:
            if screen not in taken:
                shown[screen] = preset
                taken.add(screen)
    return shown


def zone_targets(wall: WallSpec, zone: str, zones: Mapping[str, str]) -> tuple[str, ...]:
    """The screens of ``zone`` that show its preset under ``zones``: all of them but those
    an earlier-listed zone with a preset of its own holds."""
    held: set[str] = set()
    for zone_id, spec in wall.zones.items():
        if zone_id == zone:
            return tuple(s for s in spec.screens if s not in held)
        if zone_id in zones:
            held.update(spec.screens)
    return ()


class WallLayouts:
    """The tiles of every preset on every screen, built once at start-up so a switch costs
    one small message per screen, not a rebuild."""

    def __init__(self, wall: WallSpec, presets: Mapping[str, PresetSpec]) -> None:
        self.wall = wall
        self.presets = presets
        self.views = {pid: _build_views(wall, p) for pid, p in presets.items()}
        # The preset of each screen now; set from the wall state by ``show``.
        self.shown: dict[str, str | None] = {s.id: None for s in wall.screens}

    def show(self, state: WallState) -> None:
        self.shown = screen_presets(self.wall, self.presets, state)

    def preset_of(self, screen_id: str) -> str:
        preset = self.shown[screen_id]
        assert preset is not None, "the hub's start() chooses a preset"
        return preset

    def screen_views(self, screen_id: str) -> list[TileView]:
        return self.views[self.preset_of(screen_id)][screen_id]

    def tile_ids(self, screen_id: str) -> list[str]:
        return [v.id for v in self.screen_views(screen_id)]

    def tiles_shown(self) -> set[str]:
        """Every tile on the wall now."""
        return {v.id for s in self.shown for v in self.screen_views(s)}

    def screens_showing(self, shows: tuple[str, ...]) -> tuple[str, ...]:
        """Screens whose current layout has a tile for one of ``shows``: "indicator:<code>"
        (a tile naming that indicator) or "point:<id>" (a video tile of that point)."""
        wanted = set(shows)
        found = []
        for screen_id in self.shown:
            for view in self.screen_views(screen_id):
                names = {f"indicator:{code}" for code in indicators_in(view.params)}
                if view.kind == "video" and isinstance(view.params.get("point"), str):
                    names.add(f"point:{view.params['point']}")
                if names & wanted:
                    found.append(screen_id)
                    break
        return tuple(found)


def _build_views(wall: WallSpec, preset: PresetSpec) -> dict[str, list[TileView]]:
    views: dict[str, list[TileView]] = {}
    for screen in wall.screens:
        views[screen.id] = [
            TileView(
                id=placed.tile.id,
                kind=placed.tile.kind,
                params=placed.tile.params.model_dump(mode="json"),
                rect=Rect(x=placed.rect.x, y=placed.rect.y, w=placed.rect.w, h=placed.rect.h),
            )
            for placed in tiles_for_screen(wall, preset, screen.id)
        ]
    return views
