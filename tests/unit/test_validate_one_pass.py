"""``validate`` in one pass (issue 13, point 8): a file's structural problems and another
file's reference problems (unknown indicator, unknown bridge point) come out together, each
with file, line and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from command_center.cli.validate import validate

HEAD = """\
name: {vi: 'Thử', en: 'Test'}
description: {vi: 'x', en: 'x'}
cells: {cols: 4, rows: 4}
tiles:
"""

BROKEN = (
    HEAD
    + """\
  - id: a
    kind: clok
    cell: {col: 1, row: 1}
"""
)  # the kind on line 6

REFERENCES = (
    HEAD
    + """\
  - id: cpi
    kind: indicator
    cell: {col: 1, row: 1, cols: 2, rows: 2}
    params:
      indicator: cpi_yoyy
  - id: cam
    kind: video
    cell: {col: 3, row: 1, cols: 2, rows: 2}
    params:
      point: hue-x
"""
)  # the indicator on line 9, the point on line 14


def test_structural_and_reference_problems_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    references = tmp_path / "references.yaml"
    references.write_text(REFERENCES, encoding="utf-8")

    assert validate([broken, references], None) == 1
    lines = capsys.readouterr().err.splitlines()
    assert any(line.startswith(f"{broken}:6: tiles[0].kind: ") for line in lines), lines
    assert (
        f"{references}:9: tiles[0].params.indicator: unknown indicator 'cpi_yoyy' "
        "(did you mean 'cpi_yoy'?)"
    ) in lines
    assert any(
        line.startswith(f"{references}:14: tiles[1].params.point: unknown bridge point 'hue-x'")
        for line in lines
    ), lines
    assert lines[-1] == "2 file(s) checked: 3 problem(s)"


def test_a_sound_file_alone_has_no_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(REFERENCES.replace("cpi_yoyy", "cpi_yoy").replace("hue-x", "hue"), "utf-8")
    assert validate([good], None) == 0, capsys.readouterr().err


def test_a_schedule_file_is_checked_against_the_walls_presets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "schedules"  # a file in a schedules folder is a schedule
    folder.mkdir()
    schedule = folder / "default.yaml"
    schedule.write_text(
        "slots:\n"
        "  - id: sang\n"
        "    title: {vi: 'Giao ban', en: 'Briefing'}\n"
        "    days: [mon]\n"
        "    from: '07:30'\n"
        "    to: '08:30'\n"
        "    preset: socio-economc\n",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")

    assert validate([schedule, broken], None) == 1
    lines = capsys.readouterr().err.splitlines()
    assert (
        f"{schedule}:7: slots[0].preset: unknown preset 'socio-economc' "
        "(did you mean 'socio-economic'?)"
    ) in lines
    assert any(line.startswith(f"{broken}:6: tiles[0].kind: ") for line in lines), lines


# Two presets of one wall that disagree about tile ids: the second file's problems must
# carry their line like every other (issue 13, point 8).
CLOCKS = (
    HEAD
    + """\
  - id: clock
    kind: clock
    each_screen: true
    cell: {col: 4, row: 4}
  - id: hue
    kind: video
    cell: {col: 1, row: 1, cols: 2, rows: 2}
    params: {point: hue}
  - id: sar
    kind: map
    cell: {col: 1, row: 3, cols: 2, rows: 2}
    params: {indicator: population}
"""
)  # hue's kind on line 10, sar's params on line 16

OTHERS = (
    HEAD
    + """\
  - id: sar
    kind: map
    cell: {col: 1, row: 1, cols: 2, rows: 2}
    params: {indicator: public_investment_disbursement, period: '2026-13'}
  - id: hue
    kind: indicator
    cell: {col: 3, row: 1, cols: 2, rows: 2}
    params: {indicator: cpi_yoy}
"""
)  # sar's params on line 8, hue's kind on line 10


def test_tile_id_and_map_problems_carry_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(CLOCKS, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(OTHERS, encoding="utf-8")
    assert validate([tmp_path], None) == 1
    lines = capsys.readouterr().err.splitlines()
    *problems, total = lines
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    # An id of another kind than in a.yaml, pointing at the line there too.
    assert any(
        p.startswith(f"{b}:10: tiles[1].kind: tile 'hue' is a 'indicator' tile here")
        and f"in {a}:10;" in p
        for p in problems
    ), problems
    # A map id with other parameters; the map's unreadable period.
    assert any(
        p.startswith(f"{b}:8: tiles[0].params: tile 'sar' has other parameters in {a}:16;")
        for p in problems
    ), problems
    assert any(p.startswith(f"{b}:8: tiles[0].params.period: ") for p in problems), problems
    # Every problem says file, line and key.
    assert all(
        re.match(rf"^{re.escape(str(tmp_path))}/[ab]\.yaml:\d+: tiles\[\d\]\.", p) for p in problems
    ), problems
    assert total.endswith(f"{len(problems)} problem(s)")


def test_a_reference_after_an_each_screen_tile_is_placed_on_its_own_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The each_screen clock becomes eight tiles: the video after it is still the file's tiles[1].
    path = tmp_path / "p.yaml"
    path.write_text(CLOCKS.replace("{point: hue}", "{point: hue-x}"), encoding="utf-8")
    assert validate([path], None) == 1
    lines = capsys.readouterr().err.splitlines()
    assert any(
        line.startswith(f"{path}:12: tiles[1].params.point: unknown bridge point 'hue-x'")
        for line in lines
    ), lines
