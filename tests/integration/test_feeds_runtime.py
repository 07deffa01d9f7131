"""The adapters inside a running wall: a CSV an agency drops in its watched folder reaches
the observation store through the same checks as the push API; a bad one is set aside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from wallprocess import ROOT, WallProcess
from wallsupport import running_wall, wait_until


async def test_a_dropped_csv_is_stored_and_a_bad_one_rejected(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    async with running_wall(
        tmp_path / "data", watches=(("cuc_thong_ke", inbox),), watch_interval_s=0.05
    ) as rt:
        (inbox / "cpi.csv").write_text(
            "indicator,area_code,code_list,period,value,revision,note\ncpi_yoy,,,2026-09,3.4,0,\n",
            encoding="utf-8",
        )
        (inbox / "bad.csv").write_text(
            "indicator,area_code,code_list,period,value,revision,note\n"
            "cpi_yoy,,,2026-09,ba phẩy bốn,0,\n",
            encoding="utf-8",
        )

        async def stored() -> bool:
            return any(o.value == 3.4 for o in await rt.observations.series("cpi_yoy", "VN"))

        await wait_until(stored, within=20, what="the dropped CSV in the store")
        await wait_until(lambda: (inbox / "rejected" / "bad.csv").exists(), within=20)
        errors = (inbox / "rejected" / "bad.csv.errors.txt").read_text(encoding="utf-8")
        assert "value" in errors
        # Stored first, then moved aside: a crash in between re-reads, never loses, a file.
        await wait_until(lambda: (inbox / "accepted" / "cpi.csv").exists(), within=20)


async def test_the_watch_flag_the_readme_names_starts_a_folder_watch(tmp_path: Path) -> None:
    """``run_wall.py --watch AGENCY=FOLDER`` (README): it was documented, never parsed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "cpi.csv").write_text(
        "indicator,area_code,code_list,period,value,revision,note\ncpi_yoy,,,2026-09,3.4,0,\n",
        encoding="utf-8",
    )
    extra = ["--no-simulator", "--watch", f"cuc_thong_ke={inbox}"]
    wall = WallProcess(data_dir=tmp_path / "data", extra=extra)
    wall.start()
    try:
        await wait_until(lambda: (inbox / "accepted" / "cpi.csv").exists(), within=30)
    finally:
        wall.stop()


def test_a_poll_or_watch_without_an_agency_is_refused_by_name() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "run_wall.py"), "--poll", "http://x/data.json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--poll" in done.stderr and "AGENCY=URL" in done.stderr
