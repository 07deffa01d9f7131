"""The wall spec (screens, resolution, bezels) and the layout presets, from YAML.

``load_wall`` and ``load_presets`` read the shipped files below; ``check_files`` backs the
``validate`` command; ``geometry`` says which screen shows which part of each tile;
``schedule_check`` reads a wall's schedule and ``schedule_plan`` says what it shows when.
"""

from __future__ import annotations

from pathlib import Path

LAYOUTS_DIR = Path(__file__).resolve().parent
WALLS_DIR = LAYOUTS_DIR / "walls"
DEFAULT_WALL_FILE = WALLS_DIR / "default.yaml"
PRESETS_DIR = LAYOUTS_DIR / "presets"
SCHEDULES_DIR = LAYOUTS_DIR / "schedules"


ALERTS_DIR = LAYOUTS_DIR / "alerts"


def alert_rules_for(wall_id: str) -> Path:
    """A wall's alert rules sit beside its presets, one file per wall (it may not exist)."""
    return ALERTS_DIR / f"{wall_id}.yaml"


def presets_dir_for(wall_id: str) -> Path:
    """Presets are drawn for one wall's grid: each wall has its own folder of them."""
    return PRESETS_DIR / wall_id


def schedule_file_for(wall_id: str) -> Path:
    """A wall's shipped schedule (presets by time of day); the wall has none if it is missing."""
    return SCHEDULES_DIR / f"{wall_id}.yaml"
