"""Every shipped preset on every screen of the operations room's wall, in real Chromium at
1920 × 1080: the text audit of ``tests/wallaudit.py`` (clipped, smaller than the wall's
legibility rule, cut by a screen edge, drawn over other text) and one stitched picture of
the whole wall per preset in ``test-artifacts/``.

``wall_audit_baseline.json`` holds what each preset still has (issue 13: the
reporting-status tile's summary line across a bezel on area-view), and no change may add to
it; every other preset is held to zero.
"""

from __future__ import annotations

import json
from pathlib import Path

from wallaudit import KINDS, audit_wall
from wallprocess import WallProcess

from layouts import WALLS_DIR
from layouts.loader import load_wall

BASELINE = Path(__file__).with_name("wall_audit_baseline.json")


async def test_no_preset_shows_more_unreadable_text_than_its_baseline(
    room_wall: WallProcess, artifacts: Path
) -> None:
    spec = load_wall(WALLS_DIR / "default.yaml")
    baseline: dict[str, dict[str, int]] = json.loads(BASELINE.read_text())
    audits = await audit_wall(room_wall, spec, artifacts)
    assert {a.preset for a in audits} == set(baseline), "every shipped preset has a baseline"
    worse = []
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
    assert not worse, "\n".join(worse)
    # What is already clean stays clean: the calibration pattern reads from the room.
    assert not next(a for a in audits if a.preset == "calibration").findings
