"""The tile-kind registry: every ``kind`` a layout may name, with its typed parameters.

The composition root fills one registry (``server/composition.py``); the layout loader
validates each tile's parameters against the model registered for its kind, and the
browser renders it with the JS renderer of the same name (``assets/wall/tiles/<kind>.js``,
listed in ``TILE_MODULES`` of ``assets/wall/tiles.js``; ``tests/unit/test_tile_kinds_js.py``
keeps the two lists equal).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from command_center.spec_problems import closest


class TileParams(BaseModel):
    """Base of every tile kind's parameters: frozen, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class TileKind:
    """One kind of tile: its name in layouts, its parameters, and its label for people."""

    name: str
    params: type[TileParams]
    label_vi: str
    label_en: str


class UnknownTileKind(KeyError):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.suggestion = closest(name, known)
        hint = f"; did you mean '{self.suggestion}'?" if self.suggestion else ""
        super().__init__(f"unknown tile kind '{name}' (known: {', '.join(sorted(known))}){hint}")


class TileRegistry:
    """Tile kinds by name. Filled once at start-up; read-only afterwards by convention."""

    def __init__(self, kinds: list[TileKind] | None = None) -> None:
        self._kinds: dict[str, TileKind] = {}
        for kind in kinds or []:
            self.register(kind)

    def register(self, kind: TileKind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"tile kind '{kind.name}' is registered twice")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> TileKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownTileKind(name, list(self._kinds)) from None

    def names(self) -> list[str]:
        return sorted(self._kinds)

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __iter__(self) -> Iterator[TileKind]:
        return iter(self._kinds.values())
