"""Every shipped preset on every screen of the operations room's wall, in real Chromium at
1920 × 1080: the text audit of ``tests/wallaudit.py`` (clipped, smaller than the wall's
legibility rule, cut by a screen edge, drawn over other text) and one stitched picture of
the whole wall per preset in ``test-artifacts/``, compared with its reviewed reference in
``docs/wall`` (``tests/wallpictures.py``; the diff picture beside it).

``wall_audit_baseline.json`` holds what each preset may still have, and no change may add
to it: on the fixed simulated calendar (``wallaudit.SIM_START``, 19/11/2026) every preset is
held to zero (issue 13's last six findings fixed: a late mark beside its period when it
crowds its item, no province label over the capital's, maps drawn in their own style).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from wallaudit import KINDS, audit_wall, audited_wall
from wallpictures import check_against_reference
from wallprocess import WallProcess

from layouts import WALLS_DIR
from layouts.loader import load_wall

BASELINE = Path(__file__).with_name("wall_audit_baseline.json")


@pytest.fixture
def room_wall(tmp_path: Path) -> Iterator[WallProcess]:
    wall = audited_wall(tmp_path / "data", WALLS_DIR / "default.yaml")
    yield wall
    wall.stop()


async def test_every_preset_reads_from_the_room_and_looks_as_reviewed(
    room_wall: WallProcess, artifacts: Path
) -> None:
    spec = load_wall(WALLS_DIR / "default.yaml")
    baseline: dict[str, dict[str, int]] = json.loads(BASELINE.read_text())
    audits = await audit_wall(room_wall, spec, artifacts)
    assert {a.preset for a in audits} == set(baseline), "every shipped preset has a baseline"
    worse, differ = [], []
    for audit in audits:
        counts = audit.counts()
        print(audit.summary())
        for kind in KINDS:
            if counts[kind] > baseline[audit.preset][kind]:
                found = [f for f in audit.findings if f.kind == kind]
                worse.append(
                    f"{audit.preset}: {counts[kind]} {kind} (baseline "
                    f"{baseline[audit.preset][kind]}):\n    " + "\n    ".join(map(str, found))
                )
        assert audit.picture is not None and audit.picture.stat().st_size > 0
        assert audit.texts > 0, f"{audit.preset}: the audit saw no text at all"
        difference = check_against_reference(audit.preset, audit.picture, artifacts)
        print("   ", difference)
        if not difference.within:
            differ.append(
                f"{difference}; changed cells in red: {artifacts / audit.preset}.diff.png"
            )
    assert not worse, "\n".join(worse)
    # What is already clean stays clean: the calibration pattern reads from the room.
    assert not next(a for a in audits if a.preset == "calibration").findings
    assert not differ, (
        "\n".join(differ) + "\nIf the change is meant (or only the data moved on with the "
        "calendar), look at the pictures and run `make audit ARGS=--update-references`."
    )
