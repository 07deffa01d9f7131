"""The typed, frozen model of a wall and its layout presets.

Coordinates are *physical wall pixels*: the gap behind the mullions between two screens is
part of the coordinate space (``WallSpec.bezel_px`` wide), so a tile spanning a gap loses
the strip hidden behind it, and a line drawn across screens stays straight, as on
commercial video walls. Rows and columns in this model are 0-based; YAML files are 1-based.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny

from command_center.spec_problems import closest
from command_center.tiles import TileParams
from layouts.legibility import Legibility

# Float tolerance in pixels: bezels in mm give fractional pixels, so two edges that meet
# may differ in the last bits; an overlap thinner than this is no overlap.
EPSILON = 1e-6


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rect(_Frozen):
    """An axis-aligned rectangle in pixels; ``x``/``y`` may be negative relative to a screen."""

    x: float
    y: float
    w: float = Field(gt=0)
    h: float = Field(gt=0)

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def intersection(self, other: Rect) -> Rect | None:
        """The common part, or ``None`` when it has no positive area (touching edges)."""
        left, top = max(self.x, other.x), max(self.y, other.y)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        if right - left <= EPSILON or bottom - top <= EPSILON:
            return None
        return Rect(x=left, y=top, w=right - left, h=bottom - top)

    def overlaps(self, other: Rect) -> bool:
        return self.intersection(other) is not None

    def moved(self, dx: float, dy: float) -> Rect:
        return Rect(x=self.x + dx, y=self.y + dy, w=self.w, h=self.h)


class ScreenSpec(_Frozen):
    """One physical screen: its id (the ``/wall/<id>`` page) and 0-based grid position."""

    id: str
    row: int = Field(ge=0)
    col: int = Field(ge=0)
    width: int = Field(gt=0)
    height: int = Field(gt=0)


class ZoneSpec(_Frozen):
    """A named set of screens (``zones:`` in the wall file): part of the wall that an alert
    or an announcement takes while the rest keeps what it shows."""

    id: str
    name_vi: str
    name_en: str
    screens: tuple[str, ...]


class WallSpec(_Frozen):
    """A grid of identical screens separated by bezel gaps of ``bezel_px`` physical pixels."""

    id: str
    name_vi: str
    name_en: str
    rows: int = Field(gt=0)
    cols: int = Field(gt=0)
    screen_width: int = Field(gt=0)
    screen_height: int = Field(gt=0)
    bezel_px: float = Field(ge=0)
    screens: tuple[ScreenSpec, ...]
    # From the wall file's ``viewing`` and the panel's pixel pitch; None: no rule given.
    legibility: Legibility | None = None
    zones: dict[str, ZoneSpec] = Field(default_factory=dict)

    @property
    def width(self) -> float:
        return self.cols * self.screen_width + (self.cols - 1) * self.bezel_px

    @property
    def height(self) -> float:
        return self.rows * self.screen_height + (self.rows - 1) * self.bezel_px

    @property
    def rect(self) -> Rect:
        return Rect(x=0, y=0, w=self.width, h=self.height)

    def screen_ids(self) -> list[str]:
        return [s.id for s in self.screens]

    def screen(self, screen_id: str) -> ScreenSpec:
        for s in self.screens:
            if s.id == screen_id:
                return s
        known = self.screen_ids()
        close = closest(screen_id, known)
        hint = f"; did you mean '{close}'?" if close else ""
        raise KeyError(
            f"unknown screen '{screen_id}' on wall '{self.id}' (known: {', '.join(known)}){hint}"
        )

    def zone_screens(self, zone: str | None) -> tuple[str, ...]:
        """The screens of ``zone``, in wall order; None is the whole wall."""
        if zone is None:
            return tuple(self.screen_ids())
        spec = self.zones.get(zone)
        if spec is not None:
            return spec.screens
        known = sorted(self.zones)
        close = closest(zone, known)
        hint = f"; did you mean '{close}'?" if close else ""
        raise KeyError(
            f"unknown zone '{zone}' on wall '{self.id}' (known: {', '.join(known) or 'none'}){hint}"
        )

    def viewport(self, screen_id: str) -> Rect:
        """The part of the wall that the screen shows, in physical wall pixels."""
        s = self.screen(screen_id)
        return Rect(
            x=s.col * (self.screen_width + self.bezel_px),
            y=s.row * (self.screen_height + self.bezel_px),
            w=self.screen_width,
            h=self.screen_height,
        )


class TileSpec(_Frozen):
    """One tile of a preset: where it sits on the wall and what it shows."""

    id: str
    kind: str
    rect: Rect
    # The instance is of the kind's own params class; SerializeAsAny keeps its fields on dump.
    params: SerializeAsAny[TileParams]
    # Overlay tiles may cover others (a ticker over a map); all others must not overlap.
    overlay: bool = False
    z: int = 0


class PresetSpec(_Frozen):
    """A named layout of tiles for the whole wall; ``id`` is the YAML file's stem."""

    id: str
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str
    tiles: tuple[TileSpec, ...]
    source: str

    def tile(self, tile_id: str) -> TileSpec:
        for t in self.tiles:
            if t.id == tile_id:
                return t
        raise KeyError(f"unknown tile '{tile_id}' in preset '{self.id}'")
