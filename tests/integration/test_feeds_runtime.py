"""The adapters inside a running wall: a CSV an agency drops in its watched folder reaches
the observation store through the same checks as the push API; a bad one is set aside."""

from __future__ import annotations

from pathlib import Path

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
