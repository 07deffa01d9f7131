"""What a wall or preset YAML file may contain: the first, per-file validation pass.

These models mirror the files (1-based rows and columns, ``{vi, en}`` names); the checkers
in ``wall_check``/``preset_check`` turn them into the ``model`` types after the second,
cross-reference pass. Unknown keys are errors everywhere (``extra="forbid"``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, model_validator

# Ids appear in URLs (``/wall/<screen>``) and in expanded tile ids (``cal@<screen>``),
# so they are lower-case slugs without ``@``.
SLUG = r"^[a-z0-9][a-z0-9_-]*$"


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Names(_Entry):
    """Vietnamese first: the wall is read in Vietnamese; English is for visiting delegations."""

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


# --- wall files -------------------------------------------------------------------------


class GridEntry(_Entry):
    rows: PositiveInt
    cols: PositiveInt


class ScreenEntry(_Entry):
    width: PositiveInt
    height: PositiveInt
    # Active area in millimetres; needed to turn a bezel in mm into pixels.
    size_mm: tuple[PositiveFloat, PositiveFloat] | None = None


class BezelEntry(_Entry):
    """The gap between the active areas of two neighbouring screens (bezel to bezel)."""

    mm: float | None = Field(default=None, ge=0)
    px: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_unit(self) -> BezelEntry:
        if (self.mm is None) == (self.px is None):
            raise ValueError("give exactly one of 'mm' or 'px'")
        return self


class ViewingEntry(_Entry):
    """Where the readers stand: the legibility rules of the renderer follow from it."""

    # The design distance: the farthest seat (or the minister's chair) from the wall.
    distance_m: PositiveFloat


class ScreenOverride(_Entry):
    id: str = Field(pattern=SLUG)
    row: PositiveInt
    col: PositiveInt


class ZoneEntry(_Entry):
    """A named set of screens: an alert or an announcement may take only these."""

    name: Names
    screens: tuple[str, ...] = Field(min_length=1)


class WallFile(_Entry):
    id: str = Field(pattern=SLUG)
    name: Names
    grid: GridEntry
    screen: ScreenEntry
    # Required, not defaulted to 0: a forgotten bezel silently misaligns every spanning tile.
    bezel: BezelEntry
    viewing: ViewingEntry | None = None
    screens: tuple[ScreenOverride, ...] = ()
    # By id (a slug, checked in the second pass): the zones a rule or announcement may name.
    zones: dict[str, ZoneEntry] = Field(default_factory=dict)


# --- preset files -----------------------------------------------------------------------


class CellsEntry(_Entry):
    """The sub-grid of cells on each screen."""

    cols: PositiveInt = 4
    rows: PositiveInt = 4


class CellBox(_Entry):
    col: PositiveInt
    row: PositiveInt
    cols: PositiveInt = 1
    rows: PositiveInt = 1


class PxBox(_Entry):
    x: float
    y: float
    w: PositiveFloat
    h: PositiveFloat


class TileEntry(_Entry):
    id: str = Field(pattern=SLUG)
    kind: str
    cell: CellBox | None = None
    px: PxBox | None = None
    # Checked in the second pass against the parameter model of ``kind``.
    params: dict[str, Any] = Field(default_factory=dict)
    overlay: bool = False
    z: int = 0
    # Place relative to every screen, or to one named screen, instead of the whole wall.
    each_screen: bool = False
    screen: str | None = None

    @model_validator(mode="after")
    def _one_placement(self) -> TileEntry:
        if (self.cell is None) == (self.px is None):
            raise ValueError("give exactly one of 'cell' or 'px'")
        if self.each_screen and self.screen is not None:
            raise ValueError("give 'each_screen' or 'screen', not both")
        return self


class PresetFile(_Entry):
    name: Names
    description: Names
    cells: CellsEntry = CellsEntry()
    # Items are validated one by one (``TileEntry``) so one bad tile hides no other problem.
    tiles: list[dict[str, Any]] = Field(min_length=1)
