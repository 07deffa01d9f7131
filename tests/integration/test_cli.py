"""The commands a person types: ``validate`` and ``kiosk`` (run as real processes)."""

from __future__ import annotations

import shlex
from pathlib import Path

import httpx
from wallprocess import run_cli

from layouts import WALLS_DIR


def test_validate_passes_the_shipped_layouts() -> None:
    result = run_cli("validate")
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stderr


def refused_by_validate(preset: Path, text: str) -> str:
    """``validate`` run on ``text`` written to ``preset`` fails; what it printed."""
    preset.write_text(text, encoding="utf-8")
    result = run_cli("validate", str(preset))
    assert result.returncode == 1, result.stderr
    return result.stderr


def test_validate_reports_every_problem_with_file_line_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    stderr = refused_by_validate(
        bad,
        "name: {vi: 'Hỏng', en: 'Broken'}\n"
        "cells: {cols: 4, rows: 4}\n"
        "tiles:\n"
        "  - id: a\n"
        "    kind: clok\n"
        "    cell: {col: 1, row: 1}\n"
        "  - id: b\n"
        "    kind: text\n"
        "    cell: {col: 99, row: 1}\n"
        "    params: {vi: 'x'}\n",
    )
    lines = [line for line in stderr.splitlines() if str(bad) in line]
    assert len(lines) >= 2, stderr
    assert any(f"{bad}:5" in line and "did you mean 'clock'" in line for line in lines)
    assert any(f"{bad}:9" in line and "tiles[1].cell" in line for line in lines)


def test_kiosk_prints_one_chromium_command_per_screen(tmp_path: Path) -> None:
    wall = WALLS_DIR / "wall-2x2.yaml"
    args = ["kiosk", "--wall", str(wall), "--data-dir", str(tmp_path), "--url", "http://wall:8080"]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    commands = [
        shlex.split(line) for line in first.stdout.splitlines() if line.startswith("chromium")
    ]
    assert len(commands) == 4
    urls = [c[-1] for c in commands]
    assert urls[0].startswith("http://wall:8080/wall/left-top?token=")
    assert all("--kiosk" in c for c in commands)
    # The token is the one the server derives from the key kept in the data folder...
    assert run_cli(*args).stdout == first.stdout
    # ...and only for the screens asked for.
    one = run_cli(*args, "--screen", "right-bottom")
    assert one.stdout.count("chromium") == 1 and "right-bottom" in one.stdout
    unknown = run_cli(*args, "--screen", "nowhere")
    assert unknown.returncode == 2 and "nowhere" in unknown.stderr


def test_kiosk_urls_are_the_ones_the_server_accepts(tmp_path: Path) -> None:
    from wallprocess import WallProcess

    wall_file = WALLS_DIR / "wall-2x2.yaml"
    server = WallProcess(data_dir=tmp_path, wall_file=wall_file).start()
    try:
        printed = run_cli(
            "kiosk", "--wall", str(wall_file), "--data-dir", str(tmp_path), "--url", server.url
        ).stdout
        for screen, url in server.screens.items():
            assert url in printed, f"kiosk URL of {screen} differs from the server's"
        # The bridge points' page URLs printed at start open their call page.
        assert "hue" in server.bridges and "room" not in server.bridges
        for point, url in server.bridges.items():
            # The token is exchanged for the page's cookie on the way (a 303).
            with httpx.Client(follow_redirects=True, timeout=10) as client:
                page = client.get(url)
            assert page.status_code == 200, point
            assert "token=" not in str(page.url), point
            assert "/assets/video/bridge.js" in page.text, point
    finally:
        server.stop()


def test_validate_checks_what_tiles_name(tmp_path: Path) -> None:
    stderr = refused_by_validate(
        tmp_path / "ministers.yaml",
        "name: {vi: 'Bộ trưởng', en: 'Ministers'}\n"
        "description: {vi: 'x', en: 'x'}\n"
        "cells: {cols: 4, rows: 4}\n"
        "tiles:\n"
        "  - id: cpi\n"
        "    kind: indicator\n"
        "    cell: {col: 1, row: 1, cols: 2, rows: 2}\n"
        "    params: {indicator: cpi_yoyy}\n",
    )
    assert "unknown indicator 'cpi_yoyy'" in stderr
    assert "cpi_yoy" in stderr.split("unknown indicator 'cpi_yoyy'")[1]


def test_the_server_refuses_a_bad_schedule_with_validates_messages(tmp_path: Path) -> None:
    folder = tmp_path / "schedules"
    folder.mkdir()
    bad = folder / "default.yaml"
    bad.write_text(
        "slots:\n"
        "  - id: sang\n"
        "    title: {vi: 'Giao ban', en: 'Briefing'}\n"
        "    days: [mon, tues]\n"
        "    from: '08:30'\n"
        "    to: '07:30'\n"
        "    preset: socio-economc\n",
        encoding="utf-8",
    )
    checked = run_cli("validate", str(bad))
    assert checked.returncode == 1
    problems = [line for line in checked.stderr.splitlines() if line.startswith(str(bad))]
    assert len(problems) == 3, checked.stderr
    started = run_cli(
        "--no-browser",
        "--no-simulator",
        "--port",
        "0",
        "--data-dir",
        str(tmp_path / "data"),
        "--schedule",
        str(bad),
    )
    assert started.returncode == 1
    for problem in problems:
        assert problem in started.stderr, started.stderr
