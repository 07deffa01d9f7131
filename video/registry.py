"""The bridge points: who may join the centre by video, and where they are (for the map).

``video/data/bridge_points.yaml`` lists them; ``load_bridge_points`` reads it into a frozen
``BridgePointRegistry`` or raises ``SpecError`` with every problem at once (file, line, key,
"did you mean"). No secret lives in the file: each point's token is derived from the
server's device key (``video.tokens``), so rotating that key revokes every point.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from command_center.errors import SpecError, SpecProblem
from command_center.spec_problems import ProblemLog, did_you_mean, read_spec

VIDEO_DIR = Path(__file__).resolve().parent
BRIDGE_POINTS_FILE = VIDEO_DIR / "data" / "bridge_points.yaml"

# The operations room is a point like the others (it publishes over WHIP too).
ROOM = "room"
# WHEP sources that are not points: what the points see, and the active speaker.
PROGRAM = "program"
ACTIVE = "active"
RESERVED_IDS = frozenset({PROGRAM, ACTIVE})
POINT_ID = r"^[a-z0-9][a-z0-9-]{0,47}$"


class PointKind(StrEnum):
    PROVINCE = "province"
    RESCUE_CENTRE = "rescue_centre"
    SHIP = "ship"
    MINISTRY = "ministry"
    ROOM = "room"  # the operations room itself


class Location(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class BridgePoint(BaseModel):
    """One place that joins the centre by video."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=POINT_ID)
    kind: PointKind
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    location: Location
    # GSO code (2025 list of 34) of the province a point sits in, when it is on land.
    area_code: str | None = Field(default=None, pattern=r"^\d{2}$")
    note: str | None = None


@dataclass(frozen=True)
class BridgePointRegistry:
    points: tuple[BridgePoint, ...]
    source: str = ""

    def __iter__(self) -> Iterator[BridgePoint]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def __contains__(self, point_id: object) -> bool:
        return any(p.id == point_id for p in self.points)

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.points]

    def get(self, point_id: str) -> BridgePoint:
        """The point ``point_id``; ``KeyError`` naming the near miss otherwise."""
        for point in self.points:
            if point.id == point_id:
                return point
        hint = did_you_mean(point_id, self.ids)
        raise KeyError(f"unknown bridge point '{point_id}'" + (f" ({hint})" if hint else ""))


class _PointsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    points: list[dict[str, Any]] = Field(min_length=1)


def check_bridge_points(data: object, log: ProblemLog) -> BridgePointRegistry | None:
    """The registry in ``data``, or None after logging every problem."""
    before = len(log.problems)
    file = log.validate(_PointsFile, data)
    if file is None:
        return None
    points: list[BridgePoint] = []
    seen: set[str] = set()
    for index, item in enumerate(file.points):
        point = log.validate(BridgePoint, item, ("points", index))
        if point is None:
            continue
        if point.id in seen:
            log.add(("points", index, "id"), f"point id '{point.id}' is used twice")
        if point.id in RESERVED_IDS:
            log.add(
                ("points", index, "id"),
                f"'{point.id}' is a reserved source name (reserved: {', '.join(sorted(RESERVED_IDS))})",
            )
        if point.kind is PointKind.ROOM and point.id != ROOM:
            log.add(("points", index, "kind"), f"only the point '{ROOM}' may be of kind 'room'")
        seen.add(point.id)
        points.append(point)
    if ROOM not in seen and len(points) == len(file.points):
        log.add(("points",), f"the operations room (id '{ROOM}', kind 'room') is missing")
    if len(log.problems) > before or len(points) != len(file.points):
        return None
    return BridgePointRegistry(tuple(points), log.file)


def check_bridge_points_file(path: Path | str = BRIDGE_POINTS_FILE) -> list[SpecProblem]:
    """Every problem of the file (empty when it is valid)."""
    return _read(Path(path))[1]


def load_bridge_points(path: Path | str = BRIDGE_POINTS_FILE) -> BridgePointRegistry:
    registry, problems = _read(Path(path))
    if registry is None:
        raise SpecError(problems)
    return registry


def _read(path: Path) -> tuple[BridgePointRegistry | None, list[SpecProblem]]:
    log = ProblemLog(str(path))
    source = read_spec(path, log)
    registry = check_bridge_points(source.data, log) if source is not None else None
    return registry, log.problems
